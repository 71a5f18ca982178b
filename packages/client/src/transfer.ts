import {
  decodeReceiverControl,
  decodeSenderControl,
  encodeTransferControl,
  IcebreakerError,
  type ReceiverControl,
  type TransferInfo,
} from '@icebreaker/protocol';
import { sendWithBackpressure } from './backpressure.js';
import type { ChannelLike } from './channel-like.js';
import { Emitter } from './emitter.js';
import { createSha256, type Sha256 } from './sha256.js';

/** Progress of a transfer, in either direction. `rate` is the mean since the start, in bytes per second. */
export interface TransferProgress {
  readonly bytes: number;
  readonly total: number;
  readonly rate: number;
}

/** The events of a transfer, in either direction. */
export interface TransferEvents {
  progress: [progress: TransferProgress];
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * Who closes a cancelled transfer's channel: the side that receives the `cancel`. A channel closed
 * right after sending may overtake its last message on some stacks, so the canceller only closes
 * on its own if the other side has not done so within this time.
 */
const CANCEL_CLOSE_MS = 2000;

function closeLater(channel: ChannelLike): void {
  const timer = setTimeout(() => channel.close(), CANCEL_CLOSE_MS);
  (timer as { unref?: () => void }).unref?.();
  channel.addEventListener('close', () => clearTimeout(timer), { once: true });
}

/** A file read as a stream of bytes: a `Blob`/`File`, or anything shaped like one (Node's `fs.openAsBlob`). */
export interface FileSource {
  readonly size: number;
  readonly type?: string;
  readonly name?: string;
  /** The bytes, from the first; called once. */
  stream(): ReadableStream<Uint8Array>;
}

/** Options of {@link RemotePeer.sendFile}. */
export interface SendFileOptions {
  /** Name sent to the receiver; defaults to the file's own name, if it has one. */
  readonly name?: string;
  /** Called as the transfer progresses (a few times a second at most), like the `progress` event. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Aborting it cancels the transfer on both sides. */
  readonly signal?: AbortSignal;
}

/** A started transfer's shared bookkeeping: throttled progress and the mean rate. */
abstract class Transfer extends Emitter<TransferEvents> {
  protected bytes = 0;
  private readonly startedAt = Date.now();
  private lastProgressAt = 0;

  constructor(readonly info: TransferInfo) {
    super();
  }

  /** Emits `progress`: at most once per 100 ms, unless `force`. */
  protected progress(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
    this.emit('progress', { bytes: this.bytes, total: this.info.size, rate: this.bytes / seconds });
  }
}

/**
 * Sends one file over its own data channel: a header, the bytes in frames (with backpressure),
 * then the SHA-256 of what was sent. Resolves once the receiver has checked the hash.
 */
export class OutgoingTransfer extends Transfer {
  readonly done: Promise<{ readonly sha256: string }>;
  private cancelledBy: string | null = null;

  constructor(
    private readonly channel: ChannelLike,
    info: TransferInfo,
    file: FileSource,
    options: SendFileOptions,
    frameBytes: number,
  ) {
    super(info);
    if (options.onProgress) this.on('progress', options.onProgress);
    options.signal?.addEventListener('abort', () => this.cancel('cancelled by the sender'), { once: true });
    this.done = this.run(file, frameBytes);
    this.done.catch(() => {});
    // As fetch() does: a signal that is already aborted cancels at once, and nothing is sent.
    if (options.signal?.aborted) this.cancel('cancelled by the sender');
  }

  /** Stops the transfer and tells the receiver. */
  cancel(reason = 'cancelled by the sender'): void {
    if (this.cancelledBy !== null) return;
    this.cancelledBy = reason;
    if (this.channel.readyState === 'open') this.channel.send(encodeTransferControl({ t: 'cancel', reason }));
    closeLater(this.channel);
  }

  private async run(file: FileSource, frameBytes: number): Promise<{ sha256: string }> {
    const replies = controlInbox(this.channel, (control) => {
      // Set at once: the send loop may see the channel close before a promise callback would run.
      if (control.t !== 'cancel') return;
      this.cancelledBy ??= control.reason;
      this.channel.close();
    });
    const hashing = createSha256();
    // Awaited only after the receiver's `go`; a failure to load is reported then, not as unhandled.
    hashing.catch(() => {});
    await opened(this.channel);
    // Cancelled before the channel opened (a signal aborted already): the receiver never hears of it.
    if (this.cancelledBy !== null) {
      this.channel.close();
      throw new IcebreakerError('transfer-cancelled', this.cancelledBy);
    }
    this.channel.send(encodeTransferControl({ t: 'head', ...this.info }));
    // No byte leaves before the receiver has taken the header and chosen where the file goes: its
    // `go` also proves it listens, so nothing sent can reach a channel the receiver is still adopting.
    const go = await replies.next();
    if (go.t !== 'go') throw this.refused(go);
    const hash = await hashing.catch((error: unknown) => {
      this.cancel(`the sender failed: ${(error as Error).message}`);
      throw error;
    });
    const reader = file.stream().getReader();
    try {
      for await (const frame of reframe(reader, frameBytes)) {
        if (this.cancelledBy !== null) throw new IcebreakerError('transfer-cancelled', this.cancelledBy);
        hash.update(frame);
        await sendWithBackpressure(this.channel, frame);
        this.bytes += frame.byteLength;
        this.progress();
      }
    } catch (error) {
      if (this.cancelledBy !== null) throw new IcebreakerError('transfer-cancelled', this.cancelledBy, { cause: error });
      this.cancel(`the sender failed: ${(error as Error).message}`);
      throw new IcebreakerError('transfer-failed', `reading or sending the file failed: ${(error as Error).message}`, { cause: error });
    } finally {
      reader.releaseLock();
    }
    const digest = hash.hex();
    this.progress(true);
    this.channel.send(encodeTransferControl({ t: 'end', sha256: digest }));
    const answer = await replies.next();
    this.channel.close();
    if (answer.t === 'ok') return { sha256: digest };
    throw this.refused(answer);
  }

  /** The error for a reply that is not the one the transfer waits for. */
  private refused(answer: ReceiverControl): IcebreakerError {
    this.channel.close();
    if (answer.t === 'cancel' || this.cancelledBy !== null)
      return new IcebreakerError('transfer-cancelled', this.cancelledBy ?? 'cancelled');
    return new IcebreakerError('transfer-failed', answer.t === 'fail' ? answer.reason : `unexpected answer ${answer.t}`);
  }
}

/** Where an incoming file's bytes go: a `WritableStream` (a file on disk in Node), or memory by default. */
export type FileSink = WritableStream<Uint8Array>;

/**
 * A file arriving from a peer. Call {@link accept} with a sink during the `transfer` event to stream
 * it somewhere (e.g. to disk); otherwise it is collected into a `Blob`. `done` resolves once the
 * bytes are all there and their SHA-256 matches the sender's.
 */
export class IncomingTransfer extends Transfer {
  readonly done: Promise<Blob | null>;
  private sink: FileSink | null = null;
  private writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private readonly parts: Uint8Array[] = [];
  private writing: Promise<void> = Promise.resolve();
  /** Set when the bytes are asked for: none may arrive before. */
  private hash: Sha256 | null = null;
  private settle!: { resolve: (blob: Blob | null) => void; reject: (error: IcebreakerError) => void };
  private finished = false;
  private asked = false;

  constructor(
    private readonly channel: ChannelLike,
    info: TransferInfo,
  ) {
    super(info);
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => {});
    const hashing = createSha256();
    hashing.catch(() => {});
    // Once the `transfer` event and everything it set off in the same turn have run.
    setTimeout(() => void this.ask(hashing), 0);
  }

  /**
   * Streams the file into `sink` instead of memory. Call it during the `transfer` event, or in code
   * that runs off it in the same turn (after awaiting a promise the event resolved).
   */
  accept(sink: FileSink): void {
    if (this.asked) throw new TypeError('accept: call it in the turn of the transfer event, before the bytes are asked for');
    this.sink = sink;
  }

  /** Asks the sender for the bytes, unless the transfer was cancelled meanwhile. */
  private async ask(hashing: Promise<Sha256>): Promise<void> {
    this.asked = true;
    let hash: Sha256;
    try {
      hash = await hashing;
    } catch (error) {
      this.reply({ t: 'fail', reason: 'the receiver cannot check the file' });
      this.fail(error as IcebreakerError);
      return;
    }
    if (this.finished) return;
    this.hash = hash;
    this.reply({ t: 'go' });
  }

  /** Stops the transfer and tells the sender. */
  cancel(reason = 'cancelled by the receiver'): void {
    if (this.finished) return;
    if (this.channel.readyState === 'open') this.channel.send(encodeTransferControl({ t: 'cancel', reason }));
    this.fail(new IcebreakerError('transfer-cancelled', reason), false);
  }

  /** Handles one message of the transfer's channel after the header. */
  receive(data: unknown): void {
    if (this.finished) return;
    if (typeof data === 'string') {
      const control = decodeSenderControl(data);
      if (!control.ok) this.refuse(control.error.message);
      else if (control.value.t === 'end') this.verify(control.value.sha256);
      else if (control.value.t === 'cancel') this.fail(new IcebreakerError('transfer-cancelled', control.value.reason));
      else this.refuse('the sender sent a second head');
      return;
    }
    if (!this.hash) {
      this.reply({ t: 'fail', reason: 'bytes before they were asked for' });
      this.fail(new IcebreakerError('transfer-failed', 'the sender sent bytes before they were asked for'));
      return;
    }
    const bytes = asBytes(data);
    if (!bytes) {
      this.refuse('the sender sent a message of an unknown form');
      return;
    }
    this.hash.update(bytes);
    this.bytes += bytes.byteLength;
    if (this.bytes > this.info.size) {
      this.reply({ t: 'fail', reason: 'more bytes than announced' });
      this.fail(new IcebreakerError('transfer-failed', 'the sender sent more bytes than it announced'));
      return;
    }
    if (this.sink) {
      this.writer ??= this.sink.getWriter();
      const writer = this.writer;
      this.writing = this.writing.then(() => writer.write(bytes));
    } else {
      this.parts.push(bytes);
    }
    this.progress();
  }

  /** The channel closed: fine after the end, a failure before it. */
  closed(): void {
    if (!this.finished) this.fail(new IcebreakerError('transfer-failed', 'the connection closed before the file was complete'));
  }

  private verify(expected: string): void {
    const actual = this.hash?.hex() ?? '';
    if (actual !== expected || this.bytes !== this.info.size) {
      this.reply({ t: 'fail', reason: 'SHA-256 or size mismatch' });
      this.fail(
        new IcebreakerError(
          'transfer-failed',
          `integrity check failed: got ${this.bytes} bytes with SHA-256 ${actual}, expected ${this.info.size} with ${expected}`,
        ),
      );
      return;
    }
    this.finished = true;
    this.progress(true);
    const writer = this.writer;
    this.writing
      .then(() => writer?.close())
      .then(() => {
        this.reply({ t: 'ok' });
        this.settle.resolve(this.sink ? null : new Blob(this.parts as BlobPart[], { type: this.info.type }));
      })
      .catch((error: unknown) => {
        this.reply({ t: 'fail', reason: 'the receiver could not store the file' });
        this.settle.reject(
          new IcebreakerError('transfer-failed', `writing the file failed: ${(error as Error).message}`, { cause: error }),
        );
      });
  }

  /** Ends the transfer with `error`; the channel closes now, or (after our own cancel) once the sender closes it. */
  private fail(error: IcebreakerError, closeNow = true): void {
    if (this.finished) return;
    this.finished = true;
    this.parts.length = 0;
    void this.writing.then(() => this.writer?.abort(error.message)).catch(() => {});
    this.settle.reject(error);
    if (closeNow) this.channel.close();
    else closeLater(this.channel);
  }

  /** The sender broke the protocol: tell it why, and end the transfer. */
  private refuse(reason: string): void {
    this.reply({ t: 'fail', reason });
    this.fail(new IcebreakerError('transfer-failed', reason));
  }

  private reply(control: ReceiverControl): void {
    if (this.channel.readyState === 'open') this.channel.send(encodeTransferControl(control));
  }
}

/** A binary message's bytes (an `ArrayBuffer`, as `binaryType = 'arraybuffer'` asks, or a view), without a copy. */
function asBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** Reads a transfer channel's header: the first message, which names the file; `null` if it is not one. */
export function parseHead(data: unknown): TransferInfo | null {
  const control = decodeSenderControl(data);
  if (!control.ok || control.value.t !== 'head') return null;
  const { t: _, ...info } = control.value;
  return info;
}

/**
 * The sender's view of the receiver's replies, one at a time and in order. `seen` runs as each
 * arrives; once the channel closes, every further reply reads as a failure.
 */
function controlInbox(channel: ChannelLike, seen: (control: ReceiverControl) => void): { next(): Promise<ReceiverControl> } {
  const arrived: ReceiverControl[] = [];
  const waiting: ((control: ReceiverControl) => void)[] = [];
  let closed = false;
  const push = (control: ReceiverControl) => {
    const waiter = waiting.shift();
    if (waiter) waiter(control);
    else arrived.push(control);
  };
  channel.addEventListener('message', (event) => {
    if (closed) return;
    const decoded = decodeReceiverControl((event as MessageEvent).data);
    // A reply that cannot be read is a broken transfer, answered as the receiver's own `fail` would be.
    const control: ReceiverControl = decoded.ok ? decoded.value : { t: 'fail', reason: decoded.error.message };
    seen(control);
    push(control);
  });
  channel.addEventListener('close', () => {
    closed = true;
    while (waiting.length > 0) waiting.shift()?.({ t: 'fail', reason: 'the channel closed' });
  });
  return {
    next: () => {
      const first = arrived.shift();
      if (first) return Promise.resolve(first);
      if (closed) return Promise.resolve({ t: 'fail', reason: 'the channel closed' });
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Resolves once the channel is open; rejects if it closes first. */
export function opened(channel: ChannelLike): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    channel.addEventListener('open', () => resolve(), { once: true });
    channel.addEventListener('close', () => reject(new IcebreakerError('channel-closed', 'the data channel closed before it opened')), {
      once: true,
    });
  });
}

/** Re-cuts a byte stream into frames of exactly `size` bytes (the last one shorter). */
async function* reframe(reader: ReadableStreamDefaultReader<Uint8Array>, size: number): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let offset = 0;
    while (offset < value.byteLength) {
      const take = Math.min(size - filled, value.byteLength - offset);
      buffer.set(value.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.slice(0, filled);
}
