import type { PeerId, PeerInfo, RoomName } from '@icebreaker/protocol';
import type { ByteBudget } from '../byte-budget.js';
import { type Endpoint, type Place, peerInfo } from '../types.js';
import type { DeliveryOutcome, Occupant, QueueLimits, Room } from './room.js';

/**
 * A peer's place in a room of the memory store. It outlives the peer's WebSocket: when the connection
 * drops without a `leave`, the member is parked for a grace period, signals addressed to it are queued,
 * and a new connection that presents the member's current resume token takes it back, queue and all.
 */
export class Member implements Place, Occupant {
  connection: Endpoint | null;
  nonce: string;
  readonly resumeUntil: number;
  readonly info: PeerInfo;
  /** While parked: gives the slot of the address that parked it back (see AddressBook). */
  release: (() => void) | null = null;
  /** Frames waiting for a resume; made when first needed (most members never queue anything). */
  private queue: string[] | null = null;
  private queueBytes = 0;
  private grace: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly id: PeerId,
    /** The room it is in; a place is in one room for its whole life. */
    readonly home: Room,
    connection: Endpoint,
    readonly name: string | undefined,
    readonly role: string | undefined,
    nonce: string,
    resumeUntil: number,
  ) {
    this.connection = connection;
    this.nonce = nonce;
    this.resumeUntil = resumeUntil;
    this.info = peerInfo(this);
  }

  get room(): RoomName {
    return this.home.name;
  }

  /**
   * Sends a frame now, or queues it while parked — or while the socket is already closing but its close
   * has not been handled yet, so nothing is written into a dying connection.
   */
  deliver(frame: string, limits: QueueLimits): DeliveryOutcome {
    if (this.connection?.isOpen) {
      this.connection.sendFrame(frame);
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
  park(graceMs: number, release: () => void, onExpire: () => void): void {
    this.connection = null;
    this.release = release;
    this.grace = setTimeout(onExpire, graceMs);
    this.grace.unref();
  }

  /** Attaches a resuming connection. → everything queued meanwhile, in order, to send after its welcome. */
  resume(connection: Endpoint, budget: ByteBudget): readonly string[] {
    this.stopGrace();
    this.connection = connection;
    const queued = this.queue ?? [];
    this.dropQueue(budget);
    return queued;
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
