import { decodeSenderControl, IcebreakerError, type TransferInfo } from '@icebreaker/protocol';
import type { ChannelLike } from './channel-like.js';
import { hashChunk, hashOfHashes } from './chunk-hash.js';
import { WINDOW_BYTES } from './outgoing-transfer.js';
import { asBytes, closeLater, Transfer, type TransferHost } from './transfer.js';
import { isTransferSink, memorySink, streamSink, type TransferSink, type TransferStore } from './transfer-sink.js';

/** Where an incoming file's bytes go: a {@link TransferSink}, or a `WritableStream` (a file on disk in Node). */
export type FileSink = TransferSink | WritableStream<Uint8Array>;

/** What an incoming transfer needs from its room, beyond a sender's. */
export interface IncomingHost extends TransferHost {
  /** Where files go when the application names no sink; memory without one. */
  readonly store: TransferStore | undefined;
}

/**
 * A file arriving from a peer. Call {@link accept} with a sink during the `transfer` event to put it
 * somewhere (a file on disk, the Origin Private File System); otherwise it goes to the room's store,
 * or into a `Blob` in memory. Each chunk is stored once its SHA-256 matches the sender's, so
 * `done`, which resolves once every chunk is there and the root of their hashes matches, never
 * resolves with a byte that was not checked. Outlives its channel: a dropped channel or connection
 * leaves it `interrupted`, and it resumes from the first chunk not stored.
 */
export class IncomingTransfer extends Transfer {
  readonly done: Promise<Blob | null>;
  private settle!: { resolve: (blob: Blob | null) => void; reject: (error: IcebreakerError) => void };
  private requested: FileSink | null = null;
  private sink: TransferSink | null = null;
  private sinkOpening: Promise<TransferSink> | null = null;
  private asked = false;
  /** The hashes of the chunks stored, in order. */
  private readonly hashes: string[] = [];
  /** The chunk the bytes arriving now belong to, and what of it has arrived. */
  private current = 0;
  private buffer: Uint8Array<ArrayBuffer> | null = null;
  private filled = 0;
  /**
   * Bytes are dropped until the sender's `at` names this chunk (after a `go` or a `rewind`); infinite
   * before the `go`, `null` while the bytes are taken.
   */
  private waitingAt: number | null = Number.POSITIVE_INFINITY;
  /** The first `at` after a `go` may go back further than asked: the sender's file differs from what is stored. */
  private firstAt = false;
  /** Chunks being checked and stored, one after the other. */
  private chain: Promise<void> = Promise.resolve();
  /** Chunks queued on `chain`, bytes and all, not yet stored or dropped. */
  private queued = 0;
  /**
   * Bumped by each rewind, which drops the chunks queued before it from its chunk on (`rewinds`):
   * a task queued at epoch `e` for chunk `i` is stale once a later rewind went back to `i` or before.
   */
  private epoch = 0;
  private readonly rewinds: { readonly epoch: number; readonly at: number }[] = [];
  /** Bytes already held when this transfer began (a partial file kept in the store), 0 for a new one. */
  resumedFrom = 0;

  constructor(info: TransferInfo, host: IncomingHost) {
    super(info, host);
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => {});
  }

  /**
   * Puts the file into `sink` instead of the room's store or memory. Call it during the `transfer`
   * event, or in code that runs off it in the same turn (after awaiting a promise the event resolved).
   */
  accept(sink: FileSink): void {
    if (this.asked) throw new TypeError('accept: call it in the turn of the transfer event, before the bytes are asked for');
    this.requested = sink;
  }

  /** @internal The transfer goes on under the id of the sender's new `head`; the sink records it. */
  override rekey(info: TransferInfo): void {
    super.rekey(info);
    const sink = this.sink;
    if (!sink?.rekey) return;
    this.chain = this.chain.then(() => sink.rekey?.(info));
    this.chain.catch((error: unknown) => this.refuse(`the receiver cannot store the file: ${(error as Error).message}`));
  }

  /** Stops the transfer, tells the sender, and deletes what was stored. */
  cancel(reason = 'cancelled by the receiver'): void {
    if (this.finished) return;

    const channel = this.channel;
    if (channel) {
      this.control({ t: 'cancel', reason });
      closeLater(channel);
    }
    this.end(new IcebreakerError('transfer-cancelled', reason), 'cancelled', true);
  }

  /**
   * Runs the transfer on `channel`, whose `head` just arrived: the first one (`first`, after the
   * `transfer` event and everything it set off in the same turn), or a later one after an
   * interruption. Answers `go` with what the sink already holds.
   */
  async run(channel: ChannelLike, first: boolean, why: string): Promise<void> {
    if (this.finished) {
      channel.close();
      return;
    }
    const attempt = this.takeChannel(channel);
    this.buffer = null;
    this.filled = 0;
    this.waitingAt = Number.POSITIVE_INFINITY;
    channel.addEventListener('message', (event) => {
      if (attempt === this.attempt) this.receive((event as MessageEvent).data);
    });
    channel.addEventListener('close', () => this.interrupt(attempt));
    if (first) await new Promise((resolve) => setTimeout(resolve, 0));
    this.asked = true;
    if (attempt !== this.attempt || this.finished) return;
    try {
      // Two heads may arrive at once (two connections to the peer, each asked to resume): the sink is
      // opened once, and its stored chunks counted once.
      this.sinkOpening ??= this.openSink().then((sink) => {
        this.sink = sink;
        this.hashes.push(...sink.stored.slice(0, this.chunks));
        this.resumedFrom = this.storedBytes();
        return sink;
      });
      await this.sinkOpening;
      // What the previous channel brought is checked and stored before saying what is held.
      await this.chain;
    } catch (error) {
      this.refuse(`the receiver cannot store the file: ${(error as Error).message}`);
      return;
    }
    if (attempt !== this.attempt || this.finished) return;
    const from = this.hashes.length;
    this.bytes = this.storedBytes();
    this.restartRate();
    if (from > 0) this.emit('resumed', { at: this.bytes, chunk: from, reason: why });
    this.current = from;
    this.waitingAt = from;
    this.firstAt = true;
    this.setState('receiving');
    this.control(from > 0 ? { t: 'go', from, proof: await hashOfHashes(this.hashes, from) } : { t: 'go', from: 0 });
  }

  private async openSink(): Promise<TransferSink> {
    const requested = this.requested;
    if (requested) return isTransferSink(requested) ? requested : streamSink(requested);
    const store = (this.host as IncomingHost).store;
    return store ? store.open(this.info) : memorySink(this.info.type);
  }

  private storedBytes(): number {
    return Math.min(this.hashes.length * this.info.chunk, this.info.size);
  }

  /** Handles one message of the transfer's channel after the header. */
  private receive(data: unknown): void {
    if (this.finished) return;
    if (typeof data === 'string') {
      this.receiveControl(data);
      return;
    }
    if (this.waitingAt !== null) return;
    const bytes = asBytes(data);
    if (!bytes) {
      this.refuse('the sender sent a message of an unknown form');
      return;
    }
    if (this.current >= this.chunks) {
      this.refuse('the sender sent more bytes than it announced');
      return;
    }
    const length = this.chunkLength(this.current);
    if (this.filled + bytes.byteLength > length) {
      this.rewind(this.current, `chunk ${this.current} overran its length: bytes of two chunks met (some were lost on the way)`);
      return;
    }
    this.buffer ??= new Uint8Array(length);
    this.buffer.set(bytes, this.filled);
    this.filled += bytes.byteLength;
  }

  private receiveControl(data: string): void {
    const decoded = decodeSenderControl(data);
    if (!decoded.ok) {
      this.refuse(decoded.error.message);
      return;
    }
    const control = decoded.value;
    switch (control.t) {
      case 'at':
        this.at(control.i);
        return;
      case 'chunk':
        if (this.waitingAt !== null) return;
        if (control.i !== this.current || this.filled !== this.chunkLength(this.current)) {
          this.rewind(this.current, `chunk ${this.current} came short: some of its bytes were lost on the way`);
          return;
        }
        // The window is the sender's to keep, but a sender that ignores the acks must not grow this
        // side's memory without bound (a sink slower than the channel). Twice the window: after a
        // rewind, a window of chunks may arrive while the one before it is still being dropped.
        if (this.queued >= 2 * Math.max(2, Math.floor(WINDOW_BYTES / this.info.chunk))) {
          this.refuse(`the sender ran past the window: ${this.queued} chunks arrived that are not stored yet`);
          return;
        }
        this.store(control.i, this.buffer ?? new Uint8Array(0), control.hash);
        this.buffer = null;
        this.filled = 0;
        this.current++;
        return;
      case 'end':
        if (this.waitingAt === null) this.finish(control.root);
        return;
      case 'cancel':
        this.channel?.close();
        this.end(new IcebreakerError('transfer-cancelled', control.reason), 'cancelled', true);
        return;
      default:
        this.refuse(control.t === 'head' ? 'the sender sent a second head' : `the sender sent ${control.t} in the middle of a transfer`);
    }
  }

  /** The sender's bytes start at chunk `index` from now on. */
  private at(index: number): void {
    if (this.waitingAt === null) {
      this.refuse('the sender moved to another chunk without being asked');
      return;
    }
    if (index === this.waitingAt) {
      this.waitingAt = null;
      this.firstAt = false;
      return;
    }
    if (this.firstAt && index < this.waitingAt) {
      // The sender's first chunks differ from those stored: it is another file of the same name and size.
      this.firstAt = false;
      const sink = this.sink as TransferSink;
      this.chain = this.chain.then(async () => {
        await sink.truncate(index);
        this.hashes.length = index;
        this.bytes = this.storedBytes();
      });
      this.chain.catch((error: unknown) => this.refuse(`the receiver cannot store the file: ${(error as Error).message}`));
      this.current = index;
      this.waitingAt = null;
      return;
    }
    // An `at` for an older rewind: the one for the latest is on its way.
  }

  /** Checks chunk `index` against `hash` and stores it, after those before it. */
  private store(index: number, bytes: Uint8Array<ArrayBuffer>, hash: string): void {
    const epoch = this.epoch;
    const checking = hashChunk(bytes);
    checking.catch(() => {});
    const sink = this.sink as TransferSink;
    this.queued++;
    this.chain = this.chain.then(async () => {
      try {
        if (this.stale(epoch, index)) return;
        if ((await checking) !== hash) {
          this.rewind(index, `chunk ${index} did not match its SHA-256: it was damaged or cut on the way`);
          return;
        }
        await sink.write(index, bytes, hash);
        this.hashes[index] = hash;
        this.bytes = this.storedBytes();
        this.progress();
        this.control({ t: 'ack', i: index + 1 });
      } finally {
        this.queued--;
      }
    });
    this.chain.catch((error: unknown) => this.refuse(`the receiver cannot store the file: ${(error as Error).message}`));
  }

  /** Whether a task queued at `epoch` for chunk `index` was overtaken by a rewind (or the end). */
  private stale(epoch: number, index: number): boolean {
    return this.finished || this.rewinds.some((rewind) => rewind.epoch > epoch && rewind.at <= index);
  }

  /** Asks the sender for the bytes again from chunk `index`, dropping what comes before its `at`. */
  private rewind(index: number, reason: string): void {
    if (this.waitingAt !== null && this.waitingAt <= index) return;
    this.epoch++;
    this.rewinds.push({ epoch: this.epoch, at: index });
    this.buffer = null;
    this.filled = 0;
    this.current = index;
    this.waitingAt = index;
    this.firstAt = false;
    this.control({ t: 'rewind', i: index, reason });
    this.emit('resumed', { at: index * this.info.chunk, chunk: index, reason });
  }

  /** The sender sent every chunk: once they are stored, check the root and finish the file. */
  private finish(root: string): void {
    const epoch = this.epoch;
    const sink = this.sink as TransferSink;
    this.chain = this.chain.then(async () => {
      if (this.stale(epoch, 0)) return;
      if (this.hashes.length !== this.chunks) {
        this.refuse(`the sender ended with ${this.hashes.length} of ${this.chunks} chunks stored`);
        return;
      }
      const actual = await hashOfHashes(this.hashes);
      if (actual !== root) {
        this.refuse(`integrity check failed: the chunks' root is ${actual}, the sender's ${root}`);
        return;
      }
      let file: Blob | null;
      try {
        file = await sink.close();
      } catch (error) {
        this.control({ t: 'fail', reason: 'the receiver could not store the file' });
        this.end(
          new IcebreakerError('transfer-failed', `writing the file failed: ${(error as Error).message}`, { cause: error }),
          'failed',
          false,
        );
        return;
      }
      this.progress(true);
      this.control({ t: 'ok' });
      this.setState('done');
      this.settle.resolve(file);
    });
    this.chain.catch(() => {});
  }

  /** The sender broke the protocol: tell it why, and end the transfer (what was stored is deleted). */
  private refuse(reason: string): void {
    if (this.finished) return;
    this.control({ t: 'fail', reason });
    this.channel?.close();
    this.end(new IcebreakerError('transfer-failed', reason), 'failed', true);
  }

  override giveUp(reason: string): void {
    // A store keeps the partial (it bounds it itself): the sender may pick the same file again later.
    this.end(new IcebreakerError('transfer-failed', reason), 'failed', !(this.host as IncomingHost).store || this.requested !== null);
  }

  private end(error: IcebreakerError, state: 'failed' | 'cancelled', discard: boolean): void {
    if (this.finished) return;
    this.buffer = null;
    this.setState(state);
    this.settle.reject(error);
    const sink = this.sink;
    if (discard && sink) this.chain = this.chain.then(() => sink.discard()).catch(() => {});
  }
}
