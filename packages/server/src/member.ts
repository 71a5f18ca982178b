import { randomBytes } from 'node:crypto';
import type { PeerId, PeerInfo } from '@icebreaker/protocol';
import type { ByteBudget } from './byte-budget.js';
import type { Room } from './room.js';
import type { LeaveReason, Session } from './session.js';

/** Bounds on the signals kept for a member whose connection dropped, and the server-wide budget they share. */
export interface QueueLimits {
  readonly maxSignals: number;
  readonly maxBytes: number;
  readonly budget: ByteBudget;
}

/** What became of a frame for a member: sent, queued for its resume, or refused by a bound. */
export type DeliveryOutcome = 'sent' | 'queued' | 'queue-full' | 'server-full';

/** A fresh value that makes every earlier resume token of a place worthless. */
export function newResumeNonce(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * A peer's place in a room. It outlives the peer's WebSocket: when the connection drops without a
 * `leave`, the member is parked for a grace period, signals addressed to it are queued, and a new
 * connection that presents the member's current resume token takes it back, queue and all.
 */
export class Member {
  session: Session | null;
  /** The nonce of the one resume token that can take this place back; a resume replaces it. */
  resumeNonce = newResumeNonce();
  /** When the resume tokens of this place stop working, whatever happens (ms since the epoch). */
  readonly resumeUntil: number;
  /** While parked: the address whose slot the place holds (see AddressBook). */
  parkedFrom: string | null = null;
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
    resumeUntil: number,
  ) {
    this.session = session;
    this.resumeUntil = resumeUntil;
  }

  get info(): PeerInfo {
    const { id, name, role } = this;
    return { id, ...(name === undefined ? {} : { name }), ...(role === undefined ? {} : { role }) };
  }

  get parked(): boolean {
    return this.grace !== null;
  }

  /**
   * Sends a frame now, or queues it while parked — or while the socket is already closing but its close
   * has not been handled yet, so nothing is written into a dying connection.
   */
  deliver(frame: string, limits: QueueLimits): DeliveryOutcome {
    if (this.session?.isOpen) {
      this.session.sendFrame(frame);
      return 'sent';
    }
    const bytes = Buffer.byteLength(frame);
    this.queue ??= [];
    if (this.queue.length >= limits.maxSignals || this.queueBytes + bytes > limits.maxBytes) return 'queue-full';
    if (!limits.budget.take(bytes)) return 'server-full';
    this.queue.push(frame);
    this.queueBytes += bytes;
    return 'queued';
  }

  /** Detaches a dropped connection and starts the grace period, after which `onExpire` runs. */
  park(graceMs: number, address: string, reason: LeaveReason, onExpire: (reason: LeaveReason) => void): void {
    this.session = null;
    this.parkedFrom = address;
    this.grace = setTimeout(() => onExpire(reason), graceMs);
    this.grace.unref();
  }

  /** Attaches a resuming connection and hands it everything queued meanwhile, in order. */
  resume(session: Session, budget: ByteBudget): void {
    this.stopGrace();
    this.session = session;
    for (const frame of this.queue ?? []) session.sendFrame(frame);
    this.dropQueue(budget);
  }

  /** Forgets what was queued (sent on a resume, or dropped with the place) and gives its bytes back. */
  dropQueue(budget: ByteBudget): void {
    budget.give(this.queueBytes);
    this.queue = null;
    this.queueBytes = 0;
  }

  stopGrace(): void {
    if (this.grace) clearTimeout(this.grace);
    this.grace = null;
  }
}
