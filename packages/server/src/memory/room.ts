import { encode, type PeerId, type PeerInfo, type RequestId, type RoomName, type ServerMessage } from '@icebreaker/protocol';
import type { ByteBudget } from '../byte-budget.js';
import type { RelayOutcome } from '../room-store.js';
import type { Endpoint, LeaveReason } from '../types.js';

/** Bounds on the signals kept for a member whose connection dropped, and the server-wide budget they share. */
export interface QueueLimits {
  readonly maxSignals: number;
  readonly maxBytes: number;
  readonly budget: ByteBudget;
}

/** Bounds on the signals a room holds for a peer that has not joined yet. */
export interface HoldLimits extends QueueLimits {
  readonly ttlMs: number;
}

/** What became of a frame for a member: sent, queued for its resume, or refused by a bound. */
export type DeliveryOutcome = 'sent' | 'queued' | 'queue-full' | 'server-full';

/**
 * What a room needs of the places in it (the store's `Member`). Declared here, and not imported, so
 * that a room and its members do not import each other.
 */
export interface Occupant {
  readonly id: PeerId;
  readonly info: PeerInfo;
  readonly connection: Endpoint | null;
  deliver(frame: string, limits: QueueLimits): DeliveryOutcome;
  stopGrace(): void;
  dropQueue(budget: ByteBudget): void;
}

/**
 * Signals sent while their sender was alone in the room. The seed lets PEER1 send its offer before
 * PEER2 has even loaded the page (steps 8–12), so the server keeps them, in order, for the next peer.
 */
interface Hold {
  readonly from: Occupant;
  readonly frames: string[];
  bytes: number;
  readonly firstId: RequestId | undefined;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** A named room: its members in join order (the first is the caller, PEER1) and any held signals. */
export class Room {
  private readonly members = new Map<PeerId, Occupant>();
  private hold: Hold | null = null;

  constructor(
    readonly name: RoomName,
    private readonly limits: HoldLimits,
    /** Called when a hold expires unclaimed: its sender is told how many signals were discarded. */
    private readonly onHoldExpired: (from: Occupant, firstId: RequestId | undefined, count: number) => void,
  ) {}

  get size(): number {
    return this.members.size;
  }

  get(peerId: PeerId): Occupant | undefined {
    return this.members.get(peerId);
  }

  /** The peers present except `except`, oldest first, as `welcome` lists them. */
  peerInfos(except?: Occupant): PeerInfo[] {
    return [...this.members.values()].filter((m) => m !== except).map((m) => m.info);
  }

  /**
   * Adds a member and tells the others. → the signals held for the next peer, now the newcomer's,
   * to be sent after its welcome.
   */
  add(member: Occupant): readonly string[] {
    this.broadcast({ type: 'peer-joined', peer: member.info });
    this.members.set(member.id, member);
    const hold = this.hold;
    if (!hold || hold.from === member) return [];
    this.clearHold();
    return hold.frames;
  }

  /** Removes a member and tells the others why it went. Signals it had waiting are dropped with it. */
  remove(member: Occupant, reason: LeaveReason): void {
    if (this.members.get(member.id) !== member) return;
    this.members.delete(member.id);
    member.stopGrace();
    member.dropQueue(this.limits.budget);
    if (this.hold?.from === member) this.clearHold();
    this.broadcast({ type: 'peer-left', peerId: member.id, reason });
  }

  /**
   * Relays one encoded signal from `sender`. Without `to`, the signal goes to the only other peer, or
   * is held for the next one when the sender is alone.
   */
  relay(sender: Occupant, to: PeerId | undefined, frame: string, requestId: RequestId | undefined): RelayOutcome {
    let target: Occupant | undefined;
    if (to !== undefined) {
      target = this.members.get(to);
      if (!target || target === sender) return 'unknown-peer';
    } else {
      // The one other member, found without building a list: this runs for every relayed signal.
      for (const member of this.members.values()) {
        if (member === sender) continue;
        if (target) return 'target-required';
        target = member;
      }
      if (!target) return this.holdFrame(sender, frame, requestId);
    }
    const outcome = target.deliver(frame, this.limits);
    return outcome === 'sent' || outcome === 'queued' ? 'delivered' : outcome;
  }

  /** Stops the timers; the store calls it when the room empties or shuts down. */
  dispose(): void {
    this.clearHold();
    for (const member of this.members.values()) member.stopGrace();
  }

  private holdFrame(sender: Occupant, frame: string, requestId: RequestId | undefined): RelayOutcome {
    const bytes = Buffer.byteLength(frame);
    const hold = this.hold ?? this.startHold(sender, requestId);
    const full = hold.frames.length >= this.limits.maxSignals || hold.bytes + bytes > this.limits.maxBytes;
    if (full || !this.limits.budget.take(bytes)) {
      if (hold.frames.length === 0) this.clearHold();
      return full ? 'hold-full' : 'server-full';
    }
    hold.frames.push(frame);
    hold.bytes += bytes;
    return 'held';
  }

  private startHold(sender: Occupant, firstId: RequestId | undefined): Hold {
    const timer = setTimeout(() => this.expireHold(), this.limits.ttlMs);
    timer.unref();
    this.hold = { from: sender, frames: [], bytes: 0, firstId, timer };
    return this.hold;
  }

  private expireHold(): void {
    const hold = this.hold;
    if (!hold) return;
    this.clearHold();
    this.onHoldExpired(hold.from, hold.firstId, hold.frames.length);
  }

  private clearHold(): void {
    if (!this.hold) return;
    clearTimeout(this.hold.timer);
    this.limits.budget.give(this.hold.bytes);
    this.hold = null;
  }

  private broadcast(message: ServerMessage): void {
    const frame = encode(message);
    for (const member of this.members.values()) member.deliver(frame, this.limits);
  }
}
