import type { ClientMessage, JoinMessage, SignalRequest } from '@icebreaker/protocol';
import type { Logger } from 'pino';
import type { AddressBook } from './address-book.js';
import { Admission, type Admitted, newPeerId } from './admission.js';
import { ByteBudget } from './byte-budget.js';
import type { ServerConfig } from './config.js';
import { Member, newResumeNonce } from './member.js';
import type { ServerMetrics } from './metrics.js';
import { type HoldLimits, Room } from './room.js';
import type { LeaveReason, Session } from './session.js';

/**
 * Where the rooms live and how a server acts on its clients' messages. {@link Hub} keeps them in this
 * process's memory (the default); the cluster hub keeps them in Redis, shared by several servers.
 */
export interface SignalingHub {
  /** Acts on one decoded message. `receivedAt` (performance.now()) times the relay. */
  dispatch(session: Session, message: ClientMessage, receivedAt: number): void;
  /**
   * A connection ended (`closed`, `timeout`) or its peer left: its place goes, at once or after the
   * resume grace. A parked place counts against the address that parked it (see AddressBook).
   */
  detach(session: Session, reason: LeaveReason): void;
  /** Rooms and peers this server holds (for /healthz and the metrics). */
  readonly roomCount: number;
  readonly peerCount: number;
  /** Places kept for a resume, and bytes of signals kept waiting (for the metrics). */
  readonly parkedCount: number;
  readonly queuedBytes: number;
  /** Whether the hub can serve new peers (the cluster hub: Redis reachable). */
  readonly ready: boolean;
  /** Stops timers and connections of its own. */
  close(): Promise<void>;
}

/** The rooms of one server process and everything that happens in them, in memory. */
export class Hub implements SignalingHub {
  readonly rooms = new Map<string, Room>();
  readonly ready = true;
  private readonly admission: Admission;
  /** One object shared by every room. */
  private readonly holdLimits: HoldLimits;
  private parked = 0;

  constructor(
    private readonly config: ServerConfig,
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
    private readonly addresses: AddressBook,
  ) {
    this.admission = new Admission(config, log);
    this.holdLimits = {
      ttlMs: config.holdTtlMs,
      maxSignals: config.holdMaxSignals,
      maxBytes: config.holdMaxBytes,
      budget: new ByteBudget(config.maxQueuedBytes),
    };
  }

  /** Bytes of held and queued signals kept now (all rooms). */
  get queuedBytes(): number {
    return this.holdLimits.budget.used;
  }

  /** Places kept for a resume now. */
  get parkedCount(): number {
    return this.parked;
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

  dispatch(session: Session, message: ClientMessage, receivedAt: number): void {
    switch (message.type) {
      case 'join':
        this.admission.check(session, message, (admitted) => this.join(session, message, admitted));
        return;
      case 'signal':
        this.signal(session, message, receivedAt);
        return;
      case 'leave':
        if (!session.member) {
          session.sendError('not-joined', message.id);
          return;
        }
        this.detach(session, 'left');
        return;
    }
  }

  private join(session: Session, message: JoinMessage, admitted: Admitted): void {
    const existing = this.rooms.get(message.room);
    if (admitted.kind === 'resume') {
      const { claim } = admitted;
      const member = existing?.get(claim.peerId);
      if (member && member.resumeNonce === claim.nonce) this.resume(session, member);
      // The place is gone (left, expired, or this process restarted and never had it) or the token
      // was spent already: it brings nobody back.
      else session.sendError('resume-failed', message.id);
      return;
    }
    if (!existing && this.rooms.size >= this.config.maxRooms) {
      session.sendError('server-full', message.id, `this server holds ${this.rooms.size} rooms, its limit; try again later`);
      return;
    }
    const room = existing ?? new Room(message.room, this.holdLimits);
    if (room.size >= this.config.roomCapacity) {
      session.sendError('room-full', message.id, `room "${message.room}" already has ${room.size} peers, its capacity`);
      return;
    }
    const { grant } = admitted;
    const member = new Member(newPeerId(), room, session, grant.name, grant.role, this.admission.resumeUntil(grant));
    this.rooms.set(room.name, room);
    session.member = member;
    this.admission.welcome(session, room.name, member.info, room.peerInfos(member), false, {
      nonce: member.resumeNonce,
      resumeUntil: member.resumeUntil,
    });
    room.add(member);
  }

  /** A connection takes a place back with its current token; the token is spent (a new nonce, a new token). */
  private resume(session: Session, member: Member): void {
    // A connection that is still attached (its drop not yet noticed) is replaced by the new one.
    const previous = member.session;
    if (previous) {
      previous.member = null;
      previous.socket.close(4000, 'resumed elsewhere');
    }
    this.unpark(member);
    member.resumeNonce = newResumeNonce();
    session.member = member;
    this.admission.welcome(session, member.room.name, member.info, member.room.peerInfos(member), true, {
      nonce: member.resumeNonce,
      resumeUntil: member.resumeUntil,
    });
    member.resume(session, this.holdLimits.budget);
  }

  private signal(session: Session, message: SignalRequest, receivedAt: number): void {
    const member = session.member;
    if (!member) {
      session.sendError('not-joined', message.id);
      return;
    }
    const outcome = member.room.relay(member, message.to, message.seq, message.data, message.id);
    if (outcome === 'delivered' || outcome === 'held') {
      this.metrics.signalRelayed(message.data.kind, (performance.now() - receivedAt) / 1000);
    } else if (outcome === 'unknown-peer') {
      // Also the answer for a peer of another room: ids never cross rooms.
      session.sendError('unknown-peer', message.id, `no other peer "${message.to}" in room "${member.room.name}"`);
    } else if (outcome === 'server-full') {
      session.sendError('server-full', message.id, `this server keeps at most ${this.config.maxQueuedBytes} bytes of waiting signals`);
    } else {
      session.sendError(outcome, message.id);
    }
  }

  detach(session: Session, reason: LeaveReason): void {
    const member = session.member;
    if (!member) return;
    session.member = null;
    // A place is kept only while resuming is on, its tokens still work, and the bounds (the server's,
    // then its address's) allow.
    const keep =
      reason !== 'left' &&
      this.config.resumeGraceMs > 0 &&
      member.resumeUntil > Date.now() &&
      this.parked < this.config.maxParked &&
      this.addresses.park(session.address);
    if (!keep) {
      this.remove(member, reason);
      return;
    }
    this.parked++;
    member.park(this.config.resumeGraceMs, session.address, reason, (why) => this.remove(member, why));
  }

  /** A parked place is taken back or ends: it no longer counts against the address that parked it. */
  private unpark(member: Member): void {
    if (member.parkedFrom === null) return;
    this.addresses.unpark(member.parkedFrom);
    member.parkedFrom = null;
    this.parked--;
  }

  private remove(member: Member, reason: LeaveReason): void {
    this.unpark(member);
    member.room.remove(member, reason);
    this.log.info({ event: 'leave', room: member.room.name, peer: member.id, reason }, 'peer left');
    if (member.room.size === 0) {
      member.room.dispose();
      this.rooms.delete(member.room.name);
    }
  }

  async close(): Promise<void> {
    for (const room of this.rooms.values()) room.dispose();
  }
}
