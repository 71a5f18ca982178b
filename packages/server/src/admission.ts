import { randomBytes } from 'node:crypto';
import { type JoinMessage, type PeerInfo, PROTOCOL_VERSION, RELAY_PAYLOAD_MAX } from '@icebreaker/protocol';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { Connection } from './connection.js';
import { type ResumeClaim, ResumeTokens } from './resume-token.js';
import { type RoomGrant, RoomTokens } from './room-tokens.js';
import { turnCredentials } from './turn-credentials.js';

/** A place's resume tokens stop working this long after it was made, even while it lasts (and sooner with a room token that expires sooner). */
const RESUME_TOKEN_TTL_MS = 24 * 3_600_000;

/** What the welcome of a place needs to issue its resume token. */
export interface ResumablePlace {
  /** The place's current nonce (see Place.nonce): the token carries it. */
  readonly nonce: string;
  /** When its tokens stop working (ms since the epoch). */
  readonly resumeUntil: number;
}

/** What a join asks for once admission has checked it: a new place, or an earlier one back. */
export type Admitted = { readonly kind: 'enter'; readonly grant: RoomGrant } | { readonly kind: 'resume'; readonly claim: ResumeClaim };

/**
 * The checks every join goes through, whatever keeps the rooms (one process's memory, or Redis):
 * protocol version, resume token or room token, and the welcome that answers an admitted join.
 */
export class Admission {
  private readonly resumeTokens: ResumeTokens;
  private readonly roomTokens: RoomTokens | null;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: Logger,
  ) {
    this.resumeTokens = new ResumeTokens(config.resumeSecret);
    this.roomTokens = config.authSecret === null ? null : new RoomTokens(config.authSecret);
  }

  /** When the resume tokens of a place entered with `grant` stop working: never after the room token. */
  resumeUntil(grant: { readonly expiresAt?: number }, now = Date.now()): number {
    return Math.min(now + RESUME_TOKEN_TTL_MS, grant.expiresAt ?? Number.POSITIVE_INFINITY);
  }

  /**
   * Checks a join and calls `admit` with what it may have, or answers the refusal itself. Token
   * verification is asynchronous: frames arriving meanwhile wait in the connection's backlog, in order.
   */
  check(connection: Connection, message: JoinMessage, admit: (admitted: Admitted) => void): void {
    if (connection.peerId !== undefined || connection.backlog) {
      connection.sendError('already-joined', message.id);
      return;
    }
    if (message.protocol !== PROTOCOL_VERSION) {
      connection.sendError('unsupported-version', message.id, `this server speaks protocol ${PROTOCOL_VERSION}, not ${message.protocol}`);
      return;
    }
    // A resume token is the server's own proof of an earlier admission: it stands in for the room token.
    // Whether its place can still be taken back is the hub's to say (the place must exist, parked or
    // not yet seen to drop, and carry the token's nonce).
    if (message.resume !== undefined) {
      const claim = this.config.resumeGraceMs === 0 ? null : this.resumeTokens.verify(message.resume);
      if (!claim || claim.room !== message.room) connection.sendError('resume-failed', message.id);
      else admit({ kind: 'resume', claim });
      return;
    }
    if (!this.roomTokens) {
      admit({ kind: 'enter', grant: message.name === undefined ? { room: message.room } : { room: message.room, name: message.name } });
      return;
    }
    const backlog: Array<() => void> = [];
    connection.backlog = backlog;
    void this.roomTokens.verify(message.token, message.room).then((grant) => {
      connection.backlog = null;
      if (!connection.isOpen) return;
      if ('code' in grant) {
        // The same answer whether or not the room exists: a refusal never confirms a room name.
        connection.sendError(grant.code, message.id, grant.message);
        this.log.info({ event: 'join-refused', code: grant.code, address: connection.address }, 'join refused');
      } else {
        // The token's name wins over the one the client asked for: it is the identity the app vouched for.
        admit({ kind: 'enter', grant: message.name === undefined || grant.name !== undefined ? grant : { ...grant, name: message.name } });
      }
      for (const handle of backlog) handle();
    });
  }

  /**
   * Sends the welcome of an admitted peer: the others present, ICE servers (TURN credentials minted for
   * it), a resume token for the place's current nonce (none when resuming is off), and the relay's
   * payload size when it may relay.
   */
  welcome(connection: Connection, room: string, self: PeerInfo, peers: PeerInfo[], resumed: boolean, place: ResumablePlace): void {
    const { turnSecret, turnUrls, turnTtlMs } = this.config;
    // Only a peer that may relay hears of the relay (absent: it is off, or not for this token).
    const turn = turnSecret === null ? [] : [turnCredentials(turnUrls, turnSecret, turnTtlMs, self.id)];
    connection.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      peerId: self.id,
      room,
      peers,
      iceServers: [...this.config.iceServers, ...turn],
      ...(this.config.resumeGraceMs === 0
        ? {}
        : {
            resumeToken: this.resumeTokens.issue({
              room,
              peerId: self.id,
              ...(self.name === undefined ? {} : { name: self.name }),
              ...(self.role === undefined ? {} : { role: self.role }),
              ...(connection.relayClaim ? { relay: true } : {}),
              nonce: place.nonce,
              expiresAt: place.resumeUntil,
            }),
          }),
      resumed,
      ...(connection.relayAllowed ? { relay: { payloadBytes: RELAY_PAYLOAD_MAX } } : {}),
    });
    this.log.info({ event: 'join', room, peer: self.id, resumed }, 'peer joined');
  }
}

/** A new peer id: 96 random bits. Ids are public, but guessing one must not be practical. */
export function newPeerId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
}

/** A fresh value that makes every earlier resume token of a place worthless. */
export function newResumeNonce(): string {
  return randomBytes(9).toString('base64url');
}
