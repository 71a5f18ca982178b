import type { WebSocket } from 'ws';
import { ERROR_CODES, type ErrorCode, encode, type RequestId, type ServerMessage } from '../protocol/index.js';
import type { Member } from './member.js';

/** Why a peer's place in its room ended, as told to the others in `peer-left`. */
export type LeaveReason = 'left' | 'closed' | 'timeout';

/** One WebSocket connection and, once it has joined, its place in a room. */
export class Session {
  /** The room place this connection holds, once joined; the server alone chooses its id. */
  member: Member | null = null;
  /** Cleared when a ping goes out and set again by the pong; see the server's heartbeat. */
  answeredPing = true;
  /** What the other peers are told if this connection's place expires. */
  closeReason: Exclude<LeaveReason, 'left'> = 'closed';

  constructor(readonly socket: WebSocket) {}

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Sends one message if the socket is still open; a closing socket silently takes nothing more. */
  send(message: ServerMessage): void {
    this.sendFrame(encode(message));
  }

  /** Sends an already encoded frame (relays encode once and send the same text to the target). */
  sendFrame(frame: string): void {
    if (this.isOpen) this.socket.send(frame);
  }

  sendError(code: ErrorCode, re?: RequestId, message: string = ERROR_CODES[code]): void {
    this.send(re === undefined ? { type: 'error', code, message } : { type: 'error', code, message, re });
  }
}
