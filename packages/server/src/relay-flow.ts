import { RELAY_PAYLOAD_MAX } from '@icebreaker/protocol';
import { type ByteRate, byteRate } from './byte-rate.js';
import type { ServerConfig } from './config.js';
import type { Connection } from './connection.js';
import type { ServerMetrics } from './metrics.js';
import { RelayState } from './relay-state.js';

/** The largest relay frame: its header (type, length, a peer id of up to 255 bytes) and payload. */
export const RELAY_FRAME_MAX = 2 + 255 + RELAY_PAYLOAD_MAX;

/**
 * How many times its own bound a receiver may hold of frames that came through Redis: their senders
 * (on other nodes, or whose frames were already on their way) cannot be slowed in time by this node,
 * only by their own nodes' rates and by the peers' credit window.
 */
const REMOTE_FACTOR = 4;

/** How often idle room buckets are forgotten (they are made again, full, when the room relays). */
const SWEEP_MS = 10_000;

/** Why a sender's socket is not being read: the `reason` label of `icebreaker_relay_pauses_total`. */
export type PauseReason = 'rate' | 'receiver' | 'buffer' | 'store';

/**
 * The relay's flow control on this node. Its principle: a limit never drops or corrupts a relayed
 * byte, it slows the sender, by pausing the reading of its socket (ws `pause()`), so that TCP's own
 * backpressure reaches the sender's machine, while:
 *
 * - the sender is over `--relay-peer-rate`, its room over `--relay-room-rate`, or this node over
 *   `--relay-server-rate` (a bucket that goes into debt with the frame that crossed it, and the sender
 *   is read again when the debt is paid);
 * - the receiver holds more than half `--max-buffered-bytes` of relayed bytes this process has not yet
 *   handed to the kernel (a receiver that does not read);
 * - the node holds more than `--relay-max-buffered` of them, all receivers together;
 * - (with Redis) the sender has more than `--max-buffered-bytes` on its way to Redis.
 *
 * Frames already read when a pause begins (at most one TCP read) are still relayed, so the bounds can
 * be passed by that much. A frame that would take a receiver past `--max-buffered-bytes`, or the node
 * past twice its relay buffer, is refused with `relay-limited` instead — only very many senders to one
 * receiver get there. With Redis, frames reach the receiver's node through a stream, and those already
 * in it cannot be held back by a pause: a receiver may hold four times `--max-buffered-bytes` of them
 * before they are refused (a sender on another node is slowed by its own node's rates alone; the
 * client library's credit window keeps it far below).
 */
export class RelayFlow {
  /** Relay bytes this node holds: written to receivers and not yet handed to the kernel, or on their way to Redis. */
  private buffered = 0;
  private readonly waitingBuffer = new Set<Connection>();
  private readonly rooms = new Map<string, ByteRate>();
  private readonly server: ByteRate | null;
  private readonly receiverBound: number;
  private readonly receiverHard: number;
  private readonly bufferBound: number;
  private lastSweep: number;

  constructor(
    private readonly config: ServerConfig,
    private readonly metrics: ServerMetrics,
    now = performance.now(),
  ) {
    this.server = byteRate(config.relayServerBytesPerSecond, 2 * RELAY_FRAME_MAX, now);
    this.receiverHard = Math.max(config.maxBufferedBytes, 2 * RELAY_FRAME_MAX);
    this.receiverBound = this.receiverHard / 2;
    this.bufferBound = config.relayMaxBufferedBytes;
    this.lastSweep = now;
  }

  /** The relay state of `connection`, made on first use. */
  state(connection: Connection): RelayState<Connection> {
    connection.relay ??= new RelayState(byteRate(this.config.relayPeerBytesPerSecond, 2 * RELAY_FRAME_MAX, performance.now()));
    return connection.relay;
  }

  /**
   * Whether `bytes` more may be written to `target` (or sent on from this node, `null`): false past a
   * hard bound. `remote`: the frame came through Redis, and may find the receiver a few times fuller.
   */
  admits(target: Connection | null, bytes: number, remote = false): boolean {
    if (this.buffered + bytes > 2 * this.bufferBound) return false;
    return target === null || this.state(target).outstanding + bytes <= this.receiverHard * (remote ? REMOTE_FACTOR : 1);
  }

  /**
   * Writes a relay frame to `target`, attached to this node, counting it until it has left the process.
   * `sender`, when it is on this node, waits while the receiver or the node holds too much.
   */
  write(target: Connection, frame: Uint8Array, sender: Connection | null): void {
    const receiving = this.state(target);
    const bytes = frame.byteLength;
    receiving.outstanding += bytes;
    this.buffered += bytes;
    target.sendRelay(frame, () => this.written(receiving, bytes));
    if (sender === null) return;
    if (receiving.outstanding > this.receiverBound) this.waitFor(sender, target, receiving);
    if (this.buffered > this.bufferBound) this.waitForBuffer(sender);
  }

  /**
   * Counts `bytes` on their way to Redis (they are this node's until the script has taken them). →
   * call it when they have gone. A sender with more than `--max-buffered-bytes` on its way waits for
   * Redis (until half of it is through): the receiver's node, which may be this one, can only slow it
   * once its frames arrive, and what is already on its way then cannot be held back.
   */
  sending(sender: Connection, bytes: number): () => void {
    const state = this.state(sender);
    state.inFlight += bytes;
    this.buffered += bytes;
    if (this.buffered > this.bufferBound) this.waitForBuffer(sender);
    if (state.inFlight > this.receiverHard && !state.waitingStore) {
      state.waitingStore = true;
      this.update(sender, state, 'store');
    }
    return () => {
      state.inFlight -= bytes;
      if (state.waitingStore && state.inFlight <= this.receiverBound) {
        state.waitingStore = false;
        this.update(sender, state);
      }
      this.drained(bytes);
    };
  }

  /** Slows `sender` until `target` (null: this node's relay buffer) has drained. */
  wait(sender: Connection, target: Connection | null): void {
    if (target) this.waitFor(sender, target, this.state(target));
    else this.waitForBuffer(sender);
  }

  /** Charges `bytes` sent by `sender` in `room` to the three rates; a sender in debt waits until it is paid. */
  charge(sender: Connection, room: string, bytes: number, now: number): void {
    const state = this.state(sender);
    state.room = room;
    let wait = state.rate?.charge(bytes, now) ?? 0;
    let roomRate = this.rooms.get(room);
    if (!roomRate) {
      if (now - this.lastSweep > SWEEP_MS) this.sweep(now);
      const made = byteRate(this.config.relayRoomBytesPerSecond, 2 * RELAY_FRAME_MAX, now);
      if (made) this.rooms.set(room, made);
      roomRate = made ?? undefined;
    }
    wait = Math.max(wait, roomRate?.charge(bytes, now) ?? 0, this.server?.charge(bytes, now) ?? 0);
    if (wait > 0 && state.timer === null) {
      state.timer = setTimeout(() => this.rateCheck(sender, state), Math.ceil(wait));
      this.update(sender, state, 'rate');
    }
  }

  /** A connection closed: what was written to it no longer counts, and whoever waited for it is read again. */
  closed(connection: Connection): void {
    const state = connection.relay;
    if (!state) return;
    state.gone = true;
    this.buffered -= state.outstanding;
    state.outstanding = 0;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    state.waitingOn?.relay?.waiters?.delete(connection);
    state.waitingOn = null;
    this.waitingBuffer.delete(connection);
    this.release(state);
    this.releaseBuffer();
  }

  /** The relay gauge's sample: bytes held. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private written(receiving: RelayState<Connection>, bytes: number): void {
    if (receiving.gone) return;
    receiving.outstanding -= bytes;
    if (receiving.outstanding <= this.receiverBound) this.release(receiving);
    this.drained(bytes);
  }

  private drained(bytes: number): void {
    this.buffered -= bytes;
    this.releaseBuffer();
  }

  private waitFor(sender: Connection, target: Connection, receiving: RelayState<Connection>): void {
    const state = this.state(sender);
    if (state.waitingOn !== null) return;
    state.waitingOn = target;
    receiving.waiters ??= new Set();
    receiving.waiters.add(sender);
    this.update(sender, state, 'receiver');
  }

  private waitForBuffer(sender: Connection): void {
    const state = this.state(sender);
    if (state.waitingBuffer) return;
    state.waitingBuffer = true;
    this.waitingBuffer.add(sender);
    this.update(sender, state, 'buffer');
  }

  /** The receiver of `receiving` took its backlog: the senders waiting for it are read again. */
  private release(receiving: RelayState<Connection>): void {
    const waiters = receiving.waiters;
    if (!waiters || waiters.size === 0) return;
    receiving.waiters = null;
    for (const sender of waiters) {
      const state = this.state(sender);
      state.waitingOn = null;
      this.update(sender, state);
    }
  }

  private releaseBuffer(): void {
    if (this.waitingBuffer.size === 0 || this.buffered > this.bufferBound) return;
    const waiting = [...this.waitingBuffer];
    this.waitingBuffer.clear();
    for (const sender of waiting) {
      const state = this.state(sender);
      state.waitingBuffer = false;
      this.update(sender, state);
    }
  }

  /** A sender's rate pause is over, unless a bucket is still in debt (more frames were read meanwhile). */
  private rateCheck(sender: Connection, state: RelayState<Connection>): void {
    state.timer = null;
    if (state.gone) return;
    const now = performance.now();
    const wait = Math.max(
      state.rate?.charge(0, now) ?? 0,
      this.rooms.get(state.room)?.charge(0, now) ?? 0,
      this.server?.charge(0, now) ?? 0,
    );
    if (wait > 0) state.timer = setTimeout(() => this.rateCheck(sender, state), Math.ceil(wait));
    else this.update(sender, state);
  }

  /** Pauses or resumes the sender's socket to match what it waits for; `reason`: why a new wait began. */
  private update(sender: Connection, state: RelayState<Connection>, reason?: PauseReason): void {
    const wait = state.timer !== null || state.waitingOn !== null || state.waitingBuffer || state.waitingStore;
    if (reason !== undefined) this.metrics.paused(reason);
    if (wait === state.paused || state.gone || !sender.isOpen) return;
    state.paused = wait;
    if (wait) sender.socket.pause();
    else {
      state.limited = false;
      sender.socket.resume();
    }
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [room, rate] of this.rooms) if (rate.full(now)) this.rooms.delete(room);
  }
}
