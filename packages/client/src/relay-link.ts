import {
  concatBytes,
  decodeRelayOp,
  encodeRelayOp,
  IcebreakerError,
  MAIN_LABEL,
  MAX_FRAME_BYTES,
  RELAY_CHUNK_MAX,
  RELAY_OP_HEADER,
  RelayOp,
  type RelayOpFrame,
} from '@icebreaker/protocol';
import type { ChannelLike } from './channel-like.js';
import { messageEvent } from './channel-like.js';
import { Emitter } from './emitter.js';
import { MAIN_RELAY_CHANNEL } from './path-channel.js';
import type { Opener, Sealer } from './relay-cipher.js';

/**
 * Bytes one side may have on their way to the other before it hears that they were taken (credit):
 * what the server holds of one relay in one direction is never more than this.
 */
export const RELAY_WINDOW_BYTES = 512 * 1024;

export { MAIN_RELAY_CHANNEL };

/** Credit for a trickle of bytes goes back this long after they arrived, with whatever came meanwhile. */
const CREDIT_DELAY_MS = 10;

/**
 * A sender whose window is spent hears from the receiver within milliseconds while both are there:
 * credit goes back as bytes are taken, whatever the application does with them. No credit for this
 * long means the bytes are not arriving (the receiver's signaling dropped, the server refused them):
 * the relay fails rather than a transfer waiting for ever.
 */
export const RELAY_STALL_MS = 15_000;

/** Channels one side may have open over the relay at once (file transfers); more fail the relay. */
export const RELAY_CHANNELS_MAX = 256;

/** Incoming payloads kept while the keys are still being agreed: at most one window. */
const EARLY_PAYLOADS_MAX = 64;

/** How the link sends a sealed payload to its peer: a binary relay frame on the signaling WebSocket. */
export interface RelayTransport {
  /** Sends one payload; false when the signaling connection is down (nothing was sent). */
  send(payload: Uint8Array<ArrayBuffer>): boolean;
}

/** The events of a {@link RelayLink}. */
export interface RelayLinkEvents {
  /** The peer started relaying to us, for `reason`. */
  hello: [reason: string];
  /** The peer closed its connection to us on purpose. */
  bye: [];
  /** The peer opened a channel over the relay (a file transfer). */
  channel: [channel: RelayChannel];
  /** The relay broke (a payload that does not open): it is closed. */
  error: [error: IcebreakerError];
}

interface Outgoing {
  readonly plain: Uint8Array<ArrayBuffer>;
  readonly channel: RelayChannel | null;
  /** Body bytes, what the channel's bufferedAmount counts. */
  readonly bytes: number;
}

/**
 * The relay to one remote peer: channels multiplexed over the signaling WebSocket, each op sealed
 * end to end, and credit-based flow control, so that neither this side, nor the server, nor the peer
 * ever holds more than {@link RELAY_WINDOW_BYTES} of one direction: the receiver grants credit as it
 * takes bytes, and the sender stops when it has none.
 */
export class RelayLink extends Emitter<RelayLinkEvents> {
  private readonly channels = new Map<number, RelayChannel>();
  private readonly queue: Outgoing[] = [];
  private credit = RELAY_WINDOW_BYTES;
  /** Bytes taken from the peer and not yet credited back to it. */
  private owed = 0;
  private cipher: { seal: Sealer; open: Opener } | null = null;
  private early: Uint8Array[] = [];
  /** Sealing and sending run one at a time, in queue order. */
  private sealing: Promise<void> = Promise.resolve();
  private opening: Promise<void> = Promise.resolve();
  private nextChannel: number;
  private closed = false;
  /** Payloads being sealed, not yet handed to the transport. */
  private inSeal = 0;
  private creditTimer: ReturnType<typeof setTimeout> | undefined;
  /** Runs while data waits for credit: see RELAY_STALL_MS. */
  private stallTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly transport: RelayTransport,
    /** The side that was first in the room numbers its channels odd, the other even. */
    odd: boolean,
  ) {
    super();
    this.nextChannel = odd ? 3 : 2;
  }

  /** True once both sides' keys are agreed: payloads can be sealed and opened. */
  get ready(): boolean {
    return this.cipher !== null && !this.closed;
  }

  /** Bytes queued here or sent and not yet taken by the peer (plus payloads being sealed): 0 once everything sent has arrived. */
  get outstanding(): number {
    let queued = 0;
    for (const item of this.queue) queued += item.plain.byteLength;
    return queued + this.inSeal + (RELAY_WINDOW_BYTES - this.credit);
  }

  /** Sets the ciphers (once the keys are agreed), and opens what arrived before. */
  setCipher(cipher: { seal: Sealer; open: Opener }): void {
    if (this.cipher || this.closed) return;
    this.cipher = cipher;
    for (const payload of this.early.splice(0)) this.receive(payload);
    this.pump();
  }

  /** Tells the peer that we relay to it from now on. */
  hello(reason: string): void {
    this.enqueue(encodeRelayOp(RelayOp.Hello, 0, new TextEncoder().encode(reason.slice(0, 200))), null, 0);
  }

  /**
   * Tells the peer that we close on purpose (not a path that died), then closes. The op goes ahead of
   * anything queued, which closing drops.
   */
  bye(): void {
    const cipher = this.cipher;
    if (cipher && !this.closed) this.seal(cipher, encodeRelayOp(RelayOp.Close, 0), true);
    this.close();
  }

  /** The channel numbered `id` (the main one is {@link MAIN_RELAY_CHANNEL}), made if it is not there yet. */
  channel(id: number, label = MAIN_LABEL): RelayChannel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = new RelayChannel(this, id, label);
      this.channels.set(id, channel);
    }
    return channel;
  }

  /** Opens a channel of ours (a file transfer) and tells the peer. */
  open(label: string): RelayChannel {
    const id = this.nextChannel;
    this.nextChannel += 2;
    const channel = this.channel(id, label);
    this.enqueue(encodeRelayOp(RelayOp.Open, id, new TextEncoder().encode(label)), null, 0);
    return channel;
  }

  /** Handles one payload the server relayed from the peer. */
  receive(payload: Uint8Array): void {
    if (this.closed) return;
    const cipher = this.cipher;
    if (!cipher) {
      if (this.early.length >= EARLY_PAYLOADS_MAX)
        this.fail(new IcebreakerError('relay-failed', 'the peer relayed before its key arrived'));
      else this.early.push(payload.slice());
      return;
    }
    // Opening starts at once (the counter is checked now, in arrival order) and runs beside the
    // opening of the payloads before it; the ops are delivered in arrival order. The payload is a
    // view into a frame of its own, which nothing else writes to: no copy.
    const opened = cipher.open.open(payload as Uint8Array<ArrayBuffer>);
    opened.catch(() => {});
    this.opening = Promise.all([this.opening, opened])
      .then(([, plain]) => this.dispatch(plain))
      .catch((error: unknown) =>
        this.fail(error instanceof IcebreakerError ? error : new IcebreakerError('relay-failed', String(error), { cause: error })),
      );
  }

  /** Sends what credit allows; called again when credit arrives or the signaling connection returns. */
  pump(): void {
    const cipher = this.cipher;
    if (!cipher || this.closed) return;
    while (this.queue.length > 0) {
      const head = this.queue[0] as Outgoing;
      if (head.plain.byteLength > this.credit) {
        this.watchStall();
        return;
      }
      this.queue.shift();
      this.credit -= head.plain.byteLength;
      this.seal(cipher, head.plain);
      head.channel?.sent(head.bytes);
    }
  }

  /** Stops: nothing more is sent or delivered; the channels close. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    clearTimeout(this.creditTimer);
    clearTimeout(this.stallTimer);
    for (const channel of this.channels.values()) channel.remoteClosed();
    this.channels.clear();
  }

  /** Fails the link with `relay-failed` and `reason`: it closes, and its `error` event says why. */
  abort(reason: string): void {
    this.fail(new IcebreakerError('relay-failed', reason));
  }

  /** @internal A channel's op, in order with every other op of the link. */
  enqueue(plain: Uint8Array<ArrayBuffer>, channel: RelayChannel | null, bytes: number): void {
    if (this.closed) return;
    this.queue.push({ plain, channel, bytes });
    this.pump();
  }

  /** @internal The channel closed on our side. */
  forget(id: number): void {
    this.channels.delete(id);
  }

  private seal(cipher: { seal: Sealer }, plain: Uint8Array<ArrayBuffer>, evenIfClosed = false): void {
    this.inSeal += 1;
    // Sealing starts at once (WebCrypto runs it off the main thread, beside the payloads before
    // it); the counter is taken now, so the payloads go out in the order they were sealed.
    const sealed = cipher.seal.seal(plain);
    sealed.catch(() => {});
    this.sealing = Promise.all([this.sealing, sealed])
      .then(([, payload]) => {
        this.inSeal -= 1;
        if (evenIfClosed) {
          this.transport.send(payload);
          return;
        }
        if (this.closed) return;
        // A payload that cannot go now is lost to the peer, whose counter check then fails the relay:
        // reliable delivery across a signaling reconnect is for a later version.
        if (!this.transport.send(payload))
          this.fail(new IcebreakerError('relay-failed', 'the signaling connection dropped while relaying'));
      })
      .catch((error: unknown) =>
        this.fail(new IcebreakerError('relay-failed', `sealing failed: ${(error as Error).message}`, { cause: error })),
      );
  }

  private dispatch(plain: Uint8Array<ArrayBuffer>): void {
    if (this.closed) return;
    const decoded = decodeRelayOp(plain);
    if (!decoded.ok) {
      this.fail(new IcebreakerError(decoded.error.code, `the peer relayed ${decoded.error.message}`));
      return;
    }
    const op = decoded.value;
    if (op.op === RelayOp.Credit) {
      const credit = op.body.byteLength === 4 ? new DataView(op.body.buffer, op.body.byteOffset, 4).getUint32(0) : null;
      if (credit === null || this.credit + credit > RELAY_WINDOW_BYTES) {
        this.fail(new IcebreakerError('relay-failed', 'the peer gave more credit than it was owed'));
        return;
      }
      this.credit += credit;
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      this.pump();
      return;
    }
    this.take(plain.byteLength);
    this.deliver(op);
  }

  private deliver(op: RelayOpFrame): void {
    if (op.channel === 0) {
      if (op.op === RelayOp.Hello) this.emit('hello', new TextDecoder().decode(op.body));
      else if (op.op === RelayOp.Close) this.emit('bye');
      return;
    }
    if (op.op === RelayOp.Open) {
      if (this.channels.has(op.channel)) {
        this.fail(new IcebreakerError('relay-failed', `the peer opened channel ${op.channel} twice`));
        return;
      }
      if (this.channels.size >= RELAY_CHANNELS_MAX) {
        this.fail(new IcebreakerError('relay-failed', `the peer opened more than ${RELAY_CHANNELS_MAX} channels at once`));
        return;
      }
      this.emit('channel', this.channel(op.channel, new TextDecoder().decode(op.body)));
      return;
    }
    const channel = this.channels.get(op.channel) ?? (op.channel === MAIN_RELAY_CHANNEL ? this.channel(MAIN_RELAY_CHANNEL) : undefined);
    // Ops for a channel closed on our side are dropped, as a data channel drops them.
    if (!channel) return;
    const failure = channel.arrived(op);
    if (failure) this.fail(failure);
  }

  /**
   * Counts bytes taken from the peer and gives credit back: a quarter window at a time while bytes
   * stream, and what is left soon after they stop, so that a sender waiting in `flush` learns that
   * everything arrived.
   */
  private take(bytes: number): void {
    this.owed += bytes;
    if (this.owed >= RELAY_WINDOW_BYTES / 4) this.giveCredit();
    else if (!this.creditTimer) {
      this.creditTimer = setTimeout(() => this.giveCredit(), CREDIT_DELAY_MS);
      (this.creditTimer as { unref?: () => void }).unref?.();
    }
  }

  private giveCredit(): void {
    if (this.creditTimer) clearTimeout(this.creditTimer);
    this.creditTimer = undefined;
    const cipher = this.cipher;
    if (!cipher || this.owed === 0 || this.closed) return;
    const body = new Uint8Array(4);
    new DataView(body.buffer).setUint32(0, this.owed);
    this.owed = 0;
    // Credit goes at once, ahead of our own queued data: a queue stalled for want of credit must not
    // hold back the credit the peer waits for, or two senders wait on each other forever.
    this.seal(cipher, encodeRelayOp(RelayOp.Credit, 0, body));
  }

  /** Waits for credit at most RELAY_STALL_MS. */
  private watchStall(): void {
    if (this.stallTimer || this.closed) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      if (this.queue.length > 0)
        this.fail(new IcebreakerError('relay-failed', `the peer took no relayed byte for ${RELAY_STALL_MS / 1000} s`));
    }, RELAY_STALL_MS);
    (this.stallTimer as { unref?: () => void }).unref?.();
  }

  /** Ends the relay with `error`, telling the peer (if the way is still open) so that it ends too. */
  private fail(error: IcebreakerError): void {
    if (this.closed) return;
    const cipher = this.cipher;
    if (cipher) this.seal(cipher, encodeRelayOp(RelayOp.Close, 0), true);
    this.close();
    this.emit('error', error);
  }
}

/**
 * One channel over the relay, shaped like a data channel (see {@link ChannelLike}): messages are cut
 * into ops of at most {@link RELAY_CHUNK_MAX} bytes and put back together on the other side.
 */
export class RelayChannel extends EventTarget implements ChannelLike {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  private parts: Uint8Array[] = [];
  private partBytes = 0;

  /** @internal Made by the link. */
  constructor(
    private readonly link: RelayLink,
    readonly id: number,
    readonly label: string,
  ) {
    super();
  }

  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    if (this.readyState !== 'open') throw new IcebreakerError('channel-closed', `the relayed channel is ${this.readyState}`);
    const text = typeof data === 'string';
    const bytes = text
      ? new TextEncoder().encode(data)
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const op = text ? RelayOp.Text : RelayOp.Binary;
    let offset = 0;
    do {
      const end = Math.min(offset + RELAY_CHUNK_MAX, bytes.byteLength);
      const body = bytes.subarray(offset, end);
      this.bufferedAmount += body.byteLength;
      this.link.enqueue(encodeRelayOp(op, this.id, body, end === bytes.byteLength), this, body.byteLength);
      offset = end;
    } while (offset < bytes.byteLength);
  }

  /**
   * Sends `Switch`: this side's next bytes of the channel take the direct path. The channel stays to
   * receive what the peer still sends here until its own `Switch`.
   */
  switchAway(): void {
    if (this.readyState === 'open') this.link.enqueue(encodeRelayOp(RelayOp.Switch, this.id), this, 0);
  }

  close(): void {
    if (this.readyState !== 'open') return;
    this.link.enqueue(encodeRelayOp(RelayOp.Close, this.id), this, 0);
    this.link.forget(this.id);
    this.remoteClosed();
  }

  /** @internal Bytes of ours left for the peer. */
  sent(bytes: number): void {
    const before = this.bufferedAmount;
    this.bufferedAmount -= bytes;
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold)
      this.dispatchEvent(new Event('bufferedamountlow'));
  }

  /** @internal One op of this channel from the peer; returns the failure that ends the relay, if any. */
  arrived(op: RelayOpFrame): IcebreakerError | undefined {
    if (op.op === RelayOp.Close) {
      this.link.forget(this.id);
      this.remoteClosed();
      return undefined;
    }
    if (op.op === RelayOp.Switch) {
      this.dispatchEvent(new Event('switch'));
      return undefined;
    }
    if (op.op !== RelayOp.Binary && op.op !== RelayOp.Text) return new IcebreakerError('relay-failed', `op ${op.op} on channel ${this.id}`);
    this.partBytes += op.body.byteLength;
    if (this.partBytes > MAX_FRAME_BYTES + RELAY_OP_HEADER)
      return new IcebreakerError('relay-failed', `a relayed message over ${MAX_FRAME_BYTES} bytes on channel ${this.id}`);
    this.parts.push(op.body);
    if (!op.final) return undefined;
    const whole = concatBytes(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    if (this.readyState === 'open')
      this.dispatchEvent(messageEvent(op.op === RelayOp.Text ? new TextDecoder().decode(whole) : whole.buffer));
    return undefined;
  }

  /** @internal The channel is over: closed by the peer, by us, or with the whole link. */
  remoteClosed(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.parts = [];
    queueMicrotask(() => this.dispatchEvent(new Event('close')));
  }
}
