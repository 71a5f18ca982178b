import type { WebSocket } from 'ws';
import { ERROR_CODES, type ErrorCode, encode, type RequestId, type ServerMessage } from '../protocol/index.js';
import type { Member } from './member.js';
import type { RateLimiter } from './rate-limiter.js';

/** Why a peer's place in its room ended, as told to the others in `peer-left`. */
export type LeaveReason = 'left' | 'closed' | 'timeout';

/** What a session reports to the server around it (metrics, logs). */
export interface SessionObserver {
  errorSent(code: ErrorCode): void;
  /** The socket's unsent output passed the bound: the session has already been cut off. */
  slowConsumer(session: Session): void;
}

/** One WebSocket connection and, once it has joined, its place in a room. */
export class Session {
  /** The room place this connection holds, once joined; the server alone chooses its id. */
  member: Member | null = null;
  /** Cleared when a ping goes out and set again by the pong; see the server's heartbeat. */
  answeredPing = true;
  /** What the other peers are told if this connection's place expires. */
  closeReason: Exclude<LeaveReason, 'left'> = 'closed';
  /**
   * Frames that arrived while a join was being checked (token verification is asynchronous); they are
   * handled, in order, once it is decided. `null` when no join is pending.
   */
  backlog: Array<() => void> | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly address: string,
    readonly limiter: RateLimiter,
    private readonly maxBufferedBytes: number,
    private readonly observer: SessionObserver,
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Sends one message if the socket is still open; a closing socket silently takes nothing more. */
  send(message: ServerMessage): void {
    this.sendFrame(encode(message));
  }

  /**
   * Sends an already encoded frame (relays encode once and send the same text to the target). A
   * receiver that does not read lets its unsent output grow without end: past the bound it is cut
   * off, so that one slow client cannot make the server's memory grow.
   */
  sendFrame(frame: string): void {
    if (!this.isOpen) return;
    this.socket.send(frame);
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.socket.terminate();
      this.observer.slowConsumer(this);
    }
  }

  sendError(code: ErrorCode, re?: RequestId, message: string = ERROR_CODES[code]): void {
    this.observer.errorSent(code);
    this.send(re === undefined ? { type: 'error', code, message } : { type: 'error', code, message, re });
  }
}
