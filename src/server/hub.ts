import type { Logger } from 'pino';
import { type ClientMessage, type JoinMessage, PROTOCOL_VERSION, type SignalRequest } from '../protocol/index.js';
import type { ServerConfig } from './config.js';
import { Member } from './member.js';
import type { ServerMetrics } from './metrics.js';
import { ResumeTokens } from './resume-token.js';
import { type HoldLimits, Room } from './room.js';
import { type RoomGrant, RoomTokens } from './room-tokens.js';
import type { LeaveReason, Session } from './session.js';
import { turnCredentials } from './turn-credentials.js';

/** A resume token stays valid this long; every welcome issues a fresh one. */
const RESUME_TOKEN_TTL_MS = 24 * 3_600_000;

/**
 * The rooms of one server and everything that happens in them: joins (with their tokens), resumes,
 * relayed signals and departures. The server around it owns the sockets; the hub owns the places.
 */
export class Hub {
  readonly rooms = new Map<string, Room>();
  private readonly resumeTokens: ResumeTokens;
  private readonly roomTokens: RoomTokens | null;
  /** One object shared by every room. */
  private readonly holdLimits: HoldLimits;

  constructor(
    private readonly config: ServerConfig,
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
  ) {
    this.resumeTokens = new ResumeTokens(config.resumeSecret, RESUME_TOKEN_TTL_MS);
    this.roomTokens = config.authSecret === null ? null : new RoomTokens(config.authSecret);
    this.holdLimits = { ttlMs: config.holdTtlMs, maxSignals: config.holdMaxSignals, maxBytes: config.holdMaxBytes };
  }

  /** Peers holding a place, parked ones included. */
  get peerCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.size;
    return count;
  }

  /** Acts on one decoded message. `receivedAt` (performance.now()) times the relay. */
  dispatch(session: Session, message: ClientMessage, receivedAt: number): void {
    switch (message.type) {
      case 'join':
        this.join(session, message);
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

  private join(session: Session, message: JoinMessage): void {
    if (session.member || session.backlog) {
      session.sendError('already-joined', message.id);
      return;
    }
    if (message.protocol !== PROTOCOL_VERSION) {
      session.sendError('unsupported-version', message.id, `this server speaks protocol ${PROTOCOL_VERSION}, not ${message.protocol}`);
      return;
    }
    // A resume token is the server's own proof of an earlier admission: it stands in for the room token.
    if (message.resume !== undefined) {
      this.resume(session, message, message.resume);
      return;
    }
    if (!this.roomTokens) {
      this.enter(session, message, message.name === undefined ? { room: message.room } : { room: message.room, name: message.name });
      return;
    }
    // Verification is asynchronous: frames arriving meanwhile wait in the backlog, in order.
    const backlog: Array<() => void> = [];
    session.backlog = backlog;
    void this.roomTokens.verify(message.token, message.room).then((grant) => {
      session.backlog = null;
      if (!session.isOpen) return;
      if (typeof grant === 'string') {
        // The same answer whether or not the room exists: a refusal never confirms a room name.
        session.sendError(grant, message.id);
        this.log.info({ event: 'join-refused', code: grant, address: session.address }, 'join refused');
      } else {
        // The token's name wins over the one the client asked for: it is the identity the app vouched for.
        this.enter(session, message, message.name === undefined || grant.name !== undefined ? grant : { ...grant, name: message.name });
      }
      for (const handle of backlog) handle();
    });
  }

  private enter(session: Session, message: JoinMessage, grant: RoomGrant): void {
    const room = this.rooms.get(message.room) ?? new Room(message.room, this.holdLimits);
    if (room.size >= this.config.roomCapacity) {
      session.sendError('room-full', message.id, `room "${message.room}" already has ${room.size} peers, its capacity`);
      return;
    }
    this.admit(session, room, new Member(newPeerId(), room, session, grant.name, grant.role), false);
  }

  /** Takes back a peer id: the parked member if it is still here, else (after a restart) a new place under that id. */
  private resume(session: Session, message: JoinMessage, token: string): void {
    const claim = this.resumeTokens.verify(token);
    if (!claim || claim.room !== message.room) {
      session.sendError('resume-failed', message.id);
      return;
    }
    const room = this.rooms.get(message.room) ?? new Room(message.room, this.holdLimits);
    const member = room.get(claim.peerId);
    if (member) {
      // A connection that is still attached (its drop not yet noticed) is replaced by the new one.
      const previous = member.session;
      if (previous) {
        previous.member = null;
        previous.socket.close(4000, 'resumed elsewhere');
      }
      session.member = member;
      this.sendWelcome(session, room, member, true);
      member.resume(session);
      return;
    }
    if (room.size >= this.config.roomCapacity) {
      session.sendError('room-full', message.id, `room "${message.room}" is full; peer "${claim.peerId}" cannot come back`);
      return;
    }
    this.admit(session, room, new Member(claim.peerId, room, session, claim.name, claim.role), true);
  }

  private admit(session: Session, room: Room, member: Member, resumed: boolean): void {
    this.rooms.set(room.name, room);
    session.member = member;
    this.sendWelcome(session, room, member, resumed);
    room.add(member);
    this.log.info({ event: 'join', room: room.name, peer: member.id, resumed }, 'peer joined');
  }

  private sendWelcome(session: Session, room: Room, member: Member, resumed: boolean): void {
    const { turnSecret, turnUrls, turnTtlMs } = this.config;
    const turn = turnSecret === null ? [] : [turnCredentials(turnUrls, turnSecret, turnTtlMs, member.id)];
    session.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      peerId: member.id,
      room: room.name,
      peers: room.peerInfos(member),
      iceServers: [...this.config.iceServers, ...turn],
      resumeToken: this.resumeTokens.issue(room.name, member.id, member.info),
      resumed,
    });
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

  /** Ends a member's place at once (`leave`) or, for a dropped connection, after the grace period. */
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

  /** Stops every room's timers (shutdown). */
  dispose(): void {
    for (const room of this.rooms.values()) room.dispose();
  }
}

function newPeerId(): string {
  // 96 random bits: ids are public, but guessing one must not be practical.
  return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
}
