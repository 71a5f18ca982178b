import { CHUNK_BYTES, decodeReceiverControl, IcebreakerError, type ReceiverControl, type TransferInfo } from '@icebreaker/protocol';
import { HIGH_WATER_BYTES, sendWithBackpressure } from './backpressure.js';
import type { ChannelLike } from './channel-like.js';
import { hashChunk, hashOfHashes } from './chunk-hash.js';
import { closeLater, opened, Transfer, type TransferHost, type TransferProgress } from './transfer.js';

/**
 * A file to send: a `Blob`/`File`, or anything shaped like one (Node's `fs.openAsBlob`). Read a chunk
 * at a time with `slice`, never whole, so a file of any size is sent in bounded memory, and a resume
 * reads only what it sends.
 */
export interface FileSource {
  readonly size: number;
  readonly type?: string;
  readonly name?: string;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Options of {@link RemotePeer.sendFile}. */
export interface SendFileOptions {
  /** Name sent to the receiver; defaults to the file's own name, if it has one. */
  readonly name?: string;
  /** For a file of a folder: its path in the folder, '/'-separated, name last (the receiver recreates the folders). */
  readonly path?: string;
  /** Called as the transfer progresses (a few times a second at most), like the `progress` event. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Aborting it cancels the transfer on both sides. */
  readonly signal?: AbortSignal;
}

/**
 * At most this many bytes of chunks go out ahead of the receiver's acknowledgements: the receiver
 * holds what it has not stored yet, so this bounds its memory whatever the file's size. 8 MiB
 * keeps a 100 MiB/s channel busy across 80 ms of round trip.
 */
export const WINDOW_BYTES = 8 * 1024 * 1024;

/** A chunk asked for again more often than this fails the transfer (bytes lost on a dying path cost one or two). */
export const MAX_REWINDS_PER_CHUNK = 8;

/** Chunks read (and hashed) ahead of the one being sent, so the disk and the hash never stall the channel. */
const READ_AHEAD = 2;

/** A chunk read from the file, and its hash under way. */
interface ReadChunk {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly hash: Promise<string>;
}

/** How a sending transfer's data flows now: what the page's teaching view draws. */
export interface TransferFlow {
  /** Bytes queued on the channel now, and the mark above which the sender waits / below which it resumes. */
  readonly bufferedAmount: number;
  readonly highWater: number;
  readonly lowWater: number;
  /** The chunk (hashed unit) and frame (one channel message) sizes in use. */
  readonly chunkBytes: number;
  readonly frameBytes: number;
  /** Chunks sent that the receiver has not yet acknowledged, and the most it may have. */
  readonly chunksInFlight: number;
  readonly window: number;
}

/** The sender is told, by a reply or by the channel, to stop what it is doing. */
class Interrupted extends Error {}

/**
 * Sends one file over a channel of its own: the header, then chunk after chunk, each followed by its
 * SHA-256, within a window of the receiver's acknowledgements. Outlives its channel: when the
 * channel or the connection drops, it waits (state `interrupted`) for the receiver to ask for it
 * again, and sends from the first chunk the receiver does not hold. Resolves once the receiver has
 * checked every chunk and the root of their hashes.
 */
export class OutgoingTransfer extends Transfer {
  readonly done: Promise<{ readonly root: string }>;
  private settle!: { resolve: (result: { root: string }) => void; reject: (error: IcebreakerError) => void };
  private readonly hashes: string[] = [];
  private cancelledBy: string | null = null;
  /** Replies of the current attempt, and whoever waits for the next. */
  private replies: ReceiverControl[] = [];
  private wake: (() => void) | null = null;
  private acked = 0;
  private rewindTo: number | null = null;
  /** The next chunk to send. */
  private sendingChunk = 0;
  private readonly reads = new Map<number, Promise<ReadChunk>>();
  /** How often each chunk was asked for again. */
  private readonly rewinds = new Map<number, number>();

  constructor(
    info: TransferInfo,
    private readonly file: FileSource,
    options: SendFileOptions,
    host: TransferHost,
    private readonly frameBytes: () => number,
  ) {
    super(info, host);
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => {});
    if (options.onProgress) this.on('progress', options.onProgress);
    options.signal?.addEventListener('abort', () => this.cancel('cancelled by the sender'), { once: true });
    // As fetch() does: a signal that is already aborted cancels at once, and nothing is sent.
    if (options.signal?.aborted) this.cancel('cancelled by the sender');
  }

  /** How the data flows now: the channel's queue against its marks, chunk and frame sizes, the window. */
  get flow(): TransferFlow {
    return {
      bufferedAmount: this.channel?.readyState === 'open' ? this.channel.bufferedAmount : 0,
      highWater: HIGH_WATER_BYTES,
      lowWater: HIGH_WATER_BYTES / 4,
      chunkBytes: this.info.chunk,
      frameBytes: this.frameBytes(),
      chunksInFlight: Math.max(0, this.sendingChunk - this.acked),
      window: this.window,
    };
  }

  private get window(): number {
    return Math.max(2, Math.floor(WINDOW_BYTES / this.info.chunk));
  }

  /** Stops the transfer and tells the receiver. */
  cancel(reason = 'cancelled by the sender'): void {
    if (this.finished) return;
    this.cancelledBy = reason;
    const channel = this.channel;
    if (channel) {
      this.control({ t: 'cancel', reason });
      closeLater(channel);
    }
    this.end(new IcebreakerError('transfer-cancelled', reason), 'cancelled');
  }

  /**
   * Runs the transfer on `channel`: one this side opened for it, or one the receiver opened to ask
   * for it again (`resume`). Any channel it ran on before is let go.
   */
  async run(channel: ChannelLike): Promise<void> {
    if (this.finished) {
      channel.close();
      return;
    }
    const attempt = this.takeChannel(channel);
    this.replies = [];
    this.acked = 0;
    this.rewindTo = null;
    channel.addEventListener('message', (event) => {
      if (attempt === this.attempt) this.reply((event as MessageEvent).data);
    });
    channel.addEventListener('close', () => {
      if (attempt !== this.attempt) return;
      this.poke();
      this.interrupt(attempt);
    });
    try {
      await opened(channel);
      this.check(attempt);
      this.control({ t: 'head', ...this.info });
      const go = await this.nextReply(attempt);
      if (go.t !== 'go') throw this.refused(go);
      let at = await this.startAt(go.from, go.proof);
      this.check(attempt);
      // Nothing of this attempt is in flight yet: the window counts from where it starts.
      this.acked = at;
      this.bytes = Math.min(at * this.info.chunk, this.info.size);
      this.restartRate();
      if (at > 0) this.emit('resumed', { at: at * this.info.chunk, chunk: at, reason: 'the receiver holds the chunks before it' });
      this.setState('sending');
      this.control({ t: 'at', i: at });
      for (;;) {
        const rewound = await this.pump(attempt, at);
        if (rewound === null) {
          const root = await hashOfHashes(this.hashes, this.chunks);
          this.control({ t: 'end', root });
          const answer = await this.nextReply(attempt, true);
          if (answer === null) {
            // A rewind came instead of the answer: send again from there.
          } else if (answer.t === 'ok') {
            channel.close();
            this.end(null, 'done', root);
            return;
          } else throw this.refused(answer);
        }
        at = this.takeRewind();
        this.emit('resumed', {
          at: at * this.info.chunk,
          chunk: at,
          reason: `chunk ${at} did not check at the receiver: bytes were lost on the way`,
        });
        this.control({ t: 'at', i: at });
      }
    } catch (error) {
      if (attempt !== this.attempt || this.finished) return;
      if (error instanceof Interrupted || channel.readyState !== 'open') {
        this.interrupt(attempt);
        return;
      }
      const failure =
        error instanceof IcebreakerError
          ? error
          : new IcebreakerError('transfer-failed', `reading or sending the file failed: ${(error as Error).message}`, { cause: error });
      if (failure.code !== 'transfer-cancelled') this.control({ t: 'cancel', reason: `the sender failed: ${failure.message}` });
      closeLater(channel);
      this.end(failure, failure.code === 'transfer-cancelled' ? 'cancelled' : 'failed');
    }
  }

  /** Sends chunks from `from` to the last; resolves `null` when all went out, or the chunk a rewind asks for. */
  private async pump(attempt: number, from: number): Promise<number | null> {
    const channel = this.channel as ChannelLike;
    const window = this.window;
    const frame = this.frameBytes();
    for (let index = from; index < this.chunks; index++) {
      this.sendingChunk = index;
      while (this.rewindTo === null && index >= this.acked + window) await this.waitReply(attempt);
      if (this.rewindTo !== null) return this.rewindTo;
      const chunk = await this.read(index);
      for (let offset = 0; offset < chunk.bytes.byteLength; offset += frame) {
        this.check(attempt);
        if (this.rewindTo !== null) return this.rewindTo;
        const part = chunk.bytes.subarray(offset, offset + frame);
        try {
          await sendWithBackpressure(channel, part);
        } catch {
          // The channel closed under the send (some stacks throw before `readyState` says so).
          throw new Interrupted();
        }
        this.bytes = index * this.info.chunk + offset + part.byteLength;
        this.progress();
      }
      const hash = await chunk.hash;
      this.hashes[index] = hash;
      this.reads.delete(index);
      this.check(attempt);
      this.control({ t: 'chunk', i: index, hash });
      this.sendingChunk = index + 1;
    }
    this.progress(true);
    return this.rewindTo;
  }

  /** Chunk `index`, read and hashing, with the next few read ahead. */
  private read(index: number): Promise<ReadChunk> {
    for (let ahead = index; ahead <= index + READ_AHEAD && ahead < this.chunks; ahead++) {
      if (this.reads.has(ahead)) continue;
      const start = ahead * this.info.chunk;
      const reading = this.file
        .slice(start, start + this.chunkLength(ahead))
        .arrayBuffer()
        .then((buffer) => {
          const bytes = new Uint8Array(buffer);
          if (bytes.byteLength !== this.chunkLength(ahead)) throw new Error(`the file changed size while it was sent (chunk ${ahead})`);
          const hash = hashChunk(bytes);
          hash.catch(() => {});
          return { bytes, hash };
        });
      reading.catch(() => {});
      this.reads.set(ahead, reading);
    }
    // Chunks behind this one (a rewind went back) are not needed again soon.
    for (const key of this.reads.keys()) if (key < index) this.reads.delete(key);
    return this.reads.get(index) as Promise<ReadChunk>;
  }

  /**
   * The chunk to start from, given what the receiver says it holds: `from` if the hashes of our first
   * `from` chunks hash to its `proof` (read and hashed now if this side has not sent them: a file
   * picked again after a reload), else 0.
   */
  private async startAt(from: number, proof: string | undefined): Promise<number> {
    if (from === 0 || proof === undefined || from > this.chunks) return 0;
    for (let index = 0; index < from; index++) {
      if (this.hashes[index] !== undefined) continue;
      const start = index * this.info.chunk;
      const buffer = await this.file.slice(start, start + this.chunkLength(index)).arrayBuffer();
      this.hashes[index] = await hashChunk(new Uint8Array(buffer));
    }
    return (await hashOfHashes(this.hashes, from)) === proof ? from : 0;
  }

  /** Handles one reply of the receiver on the current channel. */
  private reply(data: unknown): void {
    const decoded = decodeReceiverControl(data);
    // A reply that cannot be read is a broken transfer, answered as the receiver's own `fail` would be.
    const control: ReceiverControl = decoded.ok ? decoded.value : { t: 'fail', reason: decoded.error.message };
    if (control.t === 'ack') this.acked = Math.max(this.acked, control.i);
    else if (control.t === 'rewind') this.rewindTo = Math.min(this.rewindTo ?? control.i, control.i);
    else if (control.t === 'cancel') {
      // Set at once: the send loop may see the channel close before a promise callback would run.
      this.cancelledBy ??= control.reason;
      this.channel?.close();
      this.end(new IcebreakerError('transfer-cancelled', control.reason), 'cancelled');
    } else this.replies.push(control);
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits for the next reply (or a close, or an ack, or a rewind) of attempt `attempt`. */
  private async waitReply(attempt: number): Promise<void> {
    this.check(attempt);
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    this.check(attempt);
  }

  /** The next reply of the receiver; `null` for a rewind when `orRewind`. */
  private async nextReply(attempt: number): Promise<ReceiverControl>;
  private async nextReply(attempt: number, orRewind: true): Promise<ReceiverControl | null>;
  private async nextReply(attempt: number, orRewind = false): Promise<ReceiverControl | null> {
    for (;;) {
      const first = this.replies.shift();
      if (first) return first;
      if (orRewind && this.rewindTo !== null) return null;
      await this.waitReply(attempt);
    }
  }

  /**
   * The chunk the last rewind asked for, and the window starts over from it. A receiver that asks for
   * the same chunk again and again is not losing bytes on a path that died: past
   * {@link MAX_REWINDS_PER_CHUNK} the transfer fails rather than sending the file without end.
   */
  private takeRewind(): number {
    const at = this.rewindTo ?? 0;
    this.rewindTo = null;
    const count = (this.rewinds.get(at) ?? 0) + 1;
    this.rewinds.set(at, count);
    if (count > MAX_REWINDS_PER_CHUNK)
      throw new IcebreakerError('transfer-failed', `the receiver asked for chunk ${at} again ${count} times: given up`);
    this.acked = Math.min(this.acked, at);
    return at;
  }

  /** Throws when attempt `attempt` is over: cancelled, superseded, or its channel closed. */
  private check(attempt: number): void {
    if (this.cancelledBy !== null) throw new IcebreakerError('transfer-cancelled', this.cancelledBy);
    if (attempt !== this.attempt || this.channel?.readyState !== 'open') throw new Interrupted();
  }

  /** The error for a reply that is not the one the transfer waits for. */
  private refused(answer: ReceiverControl): IcebreakerError {
    if (answer.t === 'cancel' || this.cancelledBy !== null)
      return new IcebreakerError('transfer-cancelled', this.cancelledBy ?? 'cancelled');
    return new IcebreakerError('transfer-failed', answer.t === 'fail' ? answer.reason : `unexpected answer ${answer.t}`);
  }

  override giveUp(reason: string): void {
    this.end(new IcebreakerError('transfer-failed', reason), 'failed');
  }

  /** Settles the transfer: `error` null for done, with the `root` the receiver checked. */
  private end(error: IcebreakerError | null, state: 'done' | 'failed' | 'cancelled', root = ''): void {
    if (this.finished) return;
    this.reads.clear();
    this.setState(state);
    // The root was computed for the `end` message: the receiver checked that very value.
    if (error) this.settle.reject(error);
    else this.settle.resolve({ root });
    this.poke();
  }
}

/** @internal The chunk size of new transfers. */
export const SEND_CHUNK_BYTES = CHUNK_BYTES;
