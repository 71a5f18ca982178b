import {
  chunkCount,
  decodeReceiverControl,
  decodeSenderControl,
  encodeTransferControl,
  type ReceiverControl,
  type SenderControl,
  type TransferInfo,
} from '@icebreaker/protocol';
import type { ChannelLike } from './channel-like.js';
import { Emitter } from './emitter.js';

/** Progress of a transfer, in either direction. `rate` is the mean since this attempt began, in bytes per second. */
export interface TransferProgress {
  readonly bytes: number;
  readonly total: number;
  readonly rate: number;
}

/**
 * Where a transfer stands. `interrupted`: its channel or connection dropped; it waits for a resume
 * (see `transfers.resumeWithinMs` of `connect`) and picks up from the first chunk not stored.
 */
export type TransferState = 'waiting' | 'sending' | 'receiving' | 'interrupted' | 'done' | 'failed' | 'cancelled';

/** A transfer picked up after an interruption: from which byte and chunk, and why, in plain words. */
export interface TransferResumed {
  readonly at: number;
  readonly chunk: number;
  readonly reason: string;
}

/** The events of a transfer, in either direction. */
export interface TransferEvents {
  progress: [progress: TransferProgress];
  state: [state: TransferState];
  resumed: [resumed: TransferResumed];
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * Who closes a cancelled transfer's channel: the side that receives the `cancel`. A channel closed
 * right after sending may overtake its last message on some stacks, so the canceller only closes
 * on its own if the other side has not done so within this time.
 */
const CANCEL_CLOSE_MS = 2000;

/** Closes `channel` after {@link CANCEL_CLOSE_MS} unless the other side closed it first. */
export function closeLater(channel: ChannelLike): void {
  const timer = setTimeout(() => channel.close(), CANCEL_CLOSE_MS);
  (timer as { unref?: () => void }).unref?.();
  channel.addEventListener('close', () => clearTimeout(timer), { once: true });
}

/** What a transfer needs from the room it belongs to. */
export interface TransferHost {
  /** How long an interrupted transfer waits for a resume before it fails. */
  readonly resumeWithinMs: number;
  /** The transfer is over (done, failed, cancelled): the room stops listing it. */
  forget(id: string): void;
}

/** A transfer's shared bookkeeping: its state, throttled progress, the mean rate, the wait for a resume. */
export abstract class Transfer extends Emitter<TransferEvents> {
  protected bytes = 0;
  private attemptStart = { at: Date.now(), bytes: 0 };
  private lastProgressAt = 0;
  private status: TransferState = 'waiting';
  private expiry: ReturnType<typeof setTimeout> | null = null;
  /** Bumped at each new channel: work of an older channel that finishes late is ignored. */
  protected attempt = 0;
  /** The channel this transfer runs on now, if any. */
  protected channel: ChannelLike | null = null;

  constructor(
    private infoNow: TransferInfo,
    protected readonly host: TransferHost,
  ) {
    super();
  }

  /** What the file is: id, name, size, type, chunk size, and its path and group if it has them. */
  get info(): TransferInfo {
    return this.infoNow;
  }

  /** @internal The sender picked the same file again (after a reload): the transfer goes on under its new id. */
  rekey(info: TransferInfo): void {
    this.infoNow = info;
  }

  /** Where the transfer stands. */
  get state(): TransferState {
    return this.status;
  }

  /** Bytes the transfer has moved so far (the receiver: stored and checked). */
  get transferred(): number {
    return this.bytes;
  }

  /** How many chunks the file has. */
  protected get chunks(): number {
    return chunkCount(this.info.size, this.info.chunk);
  }

  /** The length of chunk `index`. */
  protected chunkLength(index: number): number {
    return Math.min(this.info.chunk, this.info.size - index * this.info.chunk);
  }

  /** Whether the transfer is over, one way or another. */
  get finished(): boolean {
    return this.status === 'done' || this.status === 'failed' || this.status === 'cancelled';
  }

  protected setState(state: TransferState): void {
    if (this.status === state || this.finished) return;
    this.status = state;
    if (state !== 'interrupted' && this.expiry) {
      clearTimeout(this.expiry);
      this.expiry = null;
    }
    if (this.finished) this.host.forget(this.info.id);
    this.emit('state', state);
  }

  /** The rate counts from now, and from the bytes moved so far (a resume starts where the receiver was). */
  protected restartRate(): void {
    this.attemptStart = { at: Date.now(), bytes: this.bytes };
  }

  /** A new channel carries the transfer from now on: the previous one (if any) is let go. */
  protected takeChannel(channel: ChannelLike): number {
    const previous = this.channel;
    this.channel = channel;
    if (previous && previous !== channel) previous.close();
    this.restartRate();
    return ++this.attempt;
  }

  /**
   * The channel of attempt `attempt` closed or the connection under it went away, with the transfer
   * unfinished: it waits for a resume, and fails if none comes in time.
   */
  interrupt(attempt = this.attempt): void {
    if (attempt !== this.attempt || this.finished || this.status === 'interrupted') return;
    this.channel = null;
    this.setState('interrupted');
    const seconds = Math.round(this.host.resumeWithinMs / 1000);
    this.expiry = setTimeout(
      () => this.giveUp(`the transfer was not resumed within ${seconds} s of its interruption`),
      this.host.resumeWithinMs,
    );
    (this.expiry as { unref?: () => void }).unref?.();
  }

  /**
   * Ends the transfer as failed without telling the other side (the wait for a resume ran out, the
   * room closed). A store keeps the receiver's partial file, for a later resume.
   */
  abstract giveUp(reason: string): void;

  /** Emits `progress`: at most once per 100 ms, unless `force`. */
  protected progress(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    const seconds = Math.max((now - this.attemptStart.at) / 1000, 0.001);
    this.emit('progress', { bytes: this.bytes, total: this.info.size, rate: (this.bytes - this.attemptStart.bytes) / seconds });
  }

  /**
   * Sends a control message on the current channel, if it is open. A channel the stack has closed
   * below a `readyState` that still says open (node-datachannel) throws: that is the channel going
   * away, which its `close` event (or the connection's) turns into an interruption, not a failure.
   */
  protected control(control: SenderControl | ReceiverControl, channel = this.channel): void {
    if (channel?.readyState !== 'open') return;
    try {
      channel.send(encodeTransferControl(control));
    } catch {
      // The channel is going away: see above.
    }
  }
}

/** A binary message's bytes (an `ArrayBuffer`, as `binaryType = 'arraybuffer'` asks, or a view), without a copy. */
export function asBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** The first message of a transfer channel the other side opened: a `head` (it sends) or a `resume` (it receives). */
export type Opening = { readonly head: TransferInfo } | { readonly resume: string } | { readonly error: string };

/** Reads the first message of a transfer channel. */
export function parseOpening(data: unknown): Opening {
  const sender = decodeSenderControl(data);
  if (sender.ok && sender.value.t === 'head') {
    const { t: _, ...info } = sender.value;
    return { head: info };
  }
  const receiver = decodeReceiverControl(data);
  if (receiver.ok && receiver.value.t === 'resume') return { resume: receiver.value.id };
  return { error: sender.ok ? `a transfer channel cannot begin with ${sender.value.t}` : sender.error.message };
}

/** Resolves once the channel is open; rejects if it closes first. */
export function opened(channel: ChannelLike): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    channel.addEventListener('open', () => resolve(), { once: true });
    channel.addEventListener('close', () => reject(new Error('the data channel closed before it opened')), { once: true });
  });
}
