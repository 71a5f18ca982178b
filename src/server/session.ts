import type { WebSocket } from 'ws';
import { ERROR_CODES, type ErrorCode, encode, type PeerId, type RequestId, type ServerMessage } from '../protocol/index.js';
import type { Room } from './room.js';

/** Why a peer's place in its room ended, as told to the others in `peer-left`. */
export type LeaveReason = 'left' | 'closed' | 'timeout';

/** What a joined session is in its room. */
export interface Membership {
  readonly id: PeerId;
  readonly name?: string;
  readonly room: Room;
}

/** One WebSocket connection and, once it has joined, its place in a room. */
export class Session {
  /** Set when the session has joined a room; the server alone chooses the id. */
  membership: Membership | null = null;
  /** Cleared when a ping goes out and set again by the pong; see the server's heartbeat. */
  answeredPing = true;
  /** What the other peers are told when this connection ends. */
  closeReason: Exclude<LeaveReason, 'left'> = 'closed';

  constructor(readonly socket: WebSocket) {}

  /** Sends one message if the socket is still open; a closing socket silently takes nothing more. */
  send(message: ServerMessage): void {
    this.sendFrame(encode(message));
  }

  /** Sends an already encoded frame (relays encode once and send the same text to the target). */
  sendFrame(frame: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame);
  }

  sendError(code: ErrorCode, re?: RequestId, message: string = ERROR_CODES[code]): void {
    this.send(re === undefined ? { type: 'error', code, message } : { type: 'error', code, message, re });
  }
}
