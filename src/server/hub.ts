import type { Logger } from 'pino';
import type { ClientMessage, JoinMessage, SignalRequest } from '../protocol/index.js';
import { Admission, type Admitted, newPeerId } from './admission.js';
import type { ServerConfig } from './config.js';
import { Member } from './member.js';
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
  /** A connection ended (`closed`, `timeout`) or its peer left: its place goes, at once or after the resume grace. */
  detach(session: Session, reason: LeaveReason): void;
  /** Rooms and peers this server holds (for /healthz and the metrics). */
  readonly roomCount: number;
  readonly peerCount: number;
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

  constructor(
    private readonly config: ServerConfig,
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
  ) {
    this.admission = new Admission(config, log);
    this.holdLimits = { ttlMs: config.holdTtlMs, maxSignals: config.holdMaxSignals, maxBytes: config.holdMaxBytes };
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
    const room = this.rooms.get(message.room) ?? new Room(message.room, this.holdLimits);
    if (admitted.kind === 'resume') {
      const { claim } = admitted;
      const member = room.get(claim.peerId);
      if (member) {
        // A connection that is still attached (its drop not yet noticed) is replaced by the new one.
        const previous = member.session;
        if (previous) {
          previous.member = null;
          previous.socket.close(4000, 'resumed elsewhere');
        }
        session.member = member;
        this.admission.welcome(session, room.name, member.info, room.peerInfos(member), true);
        member.resume(session);
        return;
      }
    }
    if (room.size >= this.config.roomCapacity) {
      session.sendError('room-full', message.id, `room "${message.room}" already has ${room.size} peers, its capacity`);
      return;
    }
    // After a restart, a resumed peer takes a new place under its old id.
    const member =
      admitted.kind === 'resume'
        ? new Member(admitted.claim.peerId, room, session, admitted.claim.name, admitted.claim.role)
        : new Member(newPeerId(), room, session, admitted.grant.name, admitted.grant.role);
    this.rooms.set(room.name, room);
    session.member = member;
    this.admission.welcome(session, room.name, member.info, room.peerInfos(member), admitted.kind === 'resume');
    room.add(member);
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
    } else {
      session.sendError(outcome, message.id);
    }
  }

  detach(session: Session, reason: LeaveReason): void {
    const member = session.member;
    if (!member) return;
    session.member = null;
    if (reason === 'left' || this.config.resumeGraceMs === 0) {
      this.remove(member, reason);
      return;
    }
    member.park(this.config.resumeGraceMs, reason, (why) => this.remove(member, why));
  }

  private remove(member: Member, reason: LeaveReason): void {
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
