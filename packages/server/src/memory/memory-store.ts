import type { PeerId, RequestId, RoomName } from '@icebreaker/protocol';
import { ByteBudget } from '../byte-budget.js';
import type { ResumeClaim } from '../resume-token.js';
import type { EnterOutcome, NewPlace, RelayMiss, RelayOutcome, ResumeOutcome, RoomStore, StoreEvents, StoreLimits } from '../room-store.js';
import type { Endpoint, LeaveReason, Place } from '../types.js';
import { Member } from './member.js';
import { type HoldLimits, type Occupant, Room } from './room.js';

/** The rooms of one server process, in its memory (the default store). Answers every call at once. */
export class MemoryStore implements RoomStore {
  readonly ready = true;
  private readonly rooms = new Map<RoomName, Room>();
  /** One object shared by every room. */
  private readonly holdLimits: HoldLimits;
  private parked = 0;
  private readonly onHoldExpired: (from: Occupant, firstId: RequestId | undefined, count: number) => void;

  constructor(
    private readonly limits: StoreLimits,
    private readonly events: StoreEvents,
    /** The key of resume tokens; null: a random one (tokens then die with this process, as its rooms do). */
    readonly resumeSecret: string | null = null,
  ) {
    this.holdLimits = {
      ttlMs: limits.holdTtlMs,
      maxSignals: limits.holdMaxSignals,
      maxBytes: limits.holdMaxBytes,
      budget: new ByteBudget(limits.maxQueuedBytes),
    };
    this.onHoldExpired = (from, firstId, count) => {
      if (from.connection) this.events.holdExpired(from.connection, firstId, count);
    };
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Peers holding a place, parked ones included. */
  get peerCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.size;
    return count;
  }

  get parkedCount(): number {
    return this.parked;
  }

  get queuedBytes(): number {
    return this.holdLimits.budget.used;
  }

  enter(connection: Endpoint, roomName: RoomName, place: NewPlace): EnterOutcome {
    const existing = this.rooms.get(roomName);
    if (!existing && this.rooms.size >= this.limits.maxRooms) return { kind: 'server-full', rooms: this.rooms.size };
    const room = existing ?? new Room(roomName, this.holdLimits, this.onHoldExpired);
    if (room.size >= this.limits.roomCapacity) return { kind: 'room-full', size: room.size };
    const member = new Member(place.id, room, connection, place.name, place.role, place.nonce, place.resumeUntil);
    this.rooms.set(roomName, room);
    const peers = room.peerInfos();
    return { kind: 'entered', place: member, peers, frames: room.add(member) };
  }

  resume(connection: Endpoint, claim: ResumeClaim, nonce: string): ResumeOutcome {
    const member = this.rooms.get(claim.room)?.get(claim.peerId);
    // The place is gone (left, expired, or this process restarted and never had it) or the token was
    // spent already: it brings nobody back.
    if (!(member instanceof Member) || member.nonce !== claim.nonce) return { kind: 'resume-failed' };
    // A connection that is still attached (its drop not yet noticed) is replaced by the new one.
    const previous = member.connection;
    if (previous) {
      previous.place = null;
      previous.close(4000, 'resumed elsewhere');
    }
    this.unpark(member);
    member.nonce = nonce;
    const frames = member.resume(connection, this.holdLimits.budget);
    return { kind: 'resumed', place: member, peers: member.home.peerInfos(member), frames };
  }

  relay(connection: Endpoint, to: PeerId | undefined, frame: string, requestId: RequestId | undefined): RelayOutcome {
    // A place only ever comes from the store that made it: in this store, a Member.
    const member = connection.place as Member;
    return member.home.relay(member, to, frame, requestId);
  }

  routeRelay(connection: Endpoint, to: PeerId): Endpoint | RelayMiss {
    const member = connection.place as Member;
    const target = member.home.get(to);
    if (!target || target === member) return 'unknown-peer';
    return target.connection?.isOpen ? target.connection : 'away';
  }

  /** Never called: every peer of this store is on this node, and {@link routeRelay} names its connection. */
  async forwardRelay(): Promise<'unknown-peer'> {
    return 'unknown-peer';
  }

  leave(_connection: Endpoint, place: Place, reason: LeaveReason): void {
    this.remove(place as Member, reason);
  }

  park(_connection: Endpoint, place: Place, reason: Exclude<LeaveReason, 'left'>, release: () => void): void {
    const member = place as Member;
    if (this.parked >= this.limits.maxParked) {
      release();
      this.remove(member, reason);
      return;
    }
    this.parked++;
    member.park(this.limits.resumeGraceMs, release, () => this.remove(member, reason));
  }

  async close(): Promise<void> {
    for (const room of this.rooms.values()) room.dispose();
  }

  /** A parked place is taken back or ends: it no longer counts. */
  private unpark(member: Member): void {
    if (member.release === null) return;
    member.release();
    member.release = null;
    this.parked--;
  }

  private remove(member: Member, reason: LeaveReason): void {
    this.unpark(member);
    const room = member.home;
    room.remove(member, reason);
    this.events.left(room.name, member.id, reason);
    if (room.size === 0) {
      room.dispose();
      this.rooms.delete(room.name);
    }
  }
}
