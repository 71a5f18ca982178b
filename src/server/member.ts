import type { PeerId, PeerInfo } from '../protocol/index.js';
import type { Room } from './room.js';
import type { LeaveReason, Session } from './session.js';

/** Bounds on the signals kept for a member whose connection dropped. */
export interface QueueLimits {
  readonly maxSignals: number;
  readonly maxBytes: number;
}

/**
 * A peer's place in a room. It outlives the peer's WebSocket: when the connection drops without a
 * `leave`, the member is parked for a grace period, signals addressed to it are queued, and a new
 * connection that presents the member's resume token takes it back, queue and all.
 */
export class Member {
  session: Session | null;
  /** Frames waiting for a resume; made when first needed (most members never queue anything). */
  private queue: string[] | null = null;
  private queueBytes = 0;
  private grace: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly id: PeerId,
    readonly room: Room,
    session: Session,
    readonly name: string | undefined,
    readonly role: string | undefined,
  ) {
    this.session = session;
  }

  get info(): PeerInfo {
    const { id, name, role } = this;
    return { id, ...(name === undefined ? {} : { name }), ...(role === undefined ? {} : { role }) };
  }

  /**
   * Sends a frame now, or queues it while parked — or while the socket is already closing but its close
   * has not been handled yet, so nothing is written into a dying connection. False when the queue is full.
   */
  deliver(frame: string, limits: QueueLimits): boolean {
    if (this.session?.isOpen) {
      this.session.sendFrame(frame);
      return true;
    }
    const bytes = Buffer.byteLength(frame);
    this.queue ??= [];
    if (this.queue.length >= limits.maxSignals || this.queueBytes + bytes > limits.maxBytes) return false;
    this.queue.push(frame);
    this.queueBytes += bytes;
    return true;
  }

  /** Detaches a dropped connection and starts the grace period, after which `onExpire` runs. */
  park(graceMs: number, reason: LeaveReason, onExpire: (reason: LeaveReason) => void): void {
    this.session = null;
    this.grace = setTimeout(() => onExpire(reason), graceMs);
    this.grace.unref();
  }

  /** Attaches a resuming connection and hands it everything queued meanwhile, in order. */
  resume(session: Session): void {
    this.stopGrace();
    this.session = session;
    for (const frame of this.queue ?? []) session.sendFrame(frame);
    this.queue = null;
    this.queueBytes = 0;
  }

  stopGrace(): void {
    if (this.grace) clearTimeout(this.grace);
    this.grace = null;
  }
}
