import type { Duplex } from 'node:stream';
import { ERROR_CODES, type ErrorCode, encode, type RequestId, type ServerMessage } from '@icebreaker/protocol';
import type { WebSocket } from 'ws';
import type { RateLimiter } from './rate-limiter.js';
import type { RelayState } from './relay-state.js';
import type { Endpoint, LeaveReason, Place } from './types.js';

/** What a connection reports to the server around it (metrics, logs). */
export interface ConnectionObserver {
  errorSent(code: ErrorCode): void;
  /** The socket's unsent output passed the bound: the connection has already been cut off. */
  slowConsumer(connection: Connection): void;
}

/** One client's WebSocket connection to this server and, once it has joined, its place in a room. */
export class Connection implements Endpoint {
  /** The place this connection holds, once joined; the server alone chooses its id. */
  place: Place | null = null;
  /** Cleared when a ping goes out and set again by the pong; see the server's heartbeat. */
  answeredPing = true;
  /** What the other peers are told if this connection's place expires. */
  closeReason: Exclude<LeaveReason, 'left'> = 'closed';
  /**
   * Frames that arrived while a join was being checked (token verification is asynchronous); they are
   * handled, in order, once it is decided. `null` when no join is pending.
   */
  backlog: Array<() => void> | null = null;
  /** Whether messages are being dropped for the rate limit (and the client was told so once). */
  rateLimited = false;
  /** Whether the token (room or resume) that admitted this peer carried the claim `relay: true`. */
  relayClaim = false;
  /** Whether this peer may relay through the server: `--relay on`, or `token` and the claim. */
  relayAllowed = false;
  /** The relay's flow state of this connection, as a sender and as a receiver; made when it first relays. */
  relay: RelayState<Connection> | null = null;
  /** Whether writes are being gathered for one flush at the end of this turn of the event loop. */
  private corked = false;

  constructor(
    readonly socket: WebSocket,
    /** The TCP connection under the WebSocket, whose writes are corked and flushed together. */
    private readonly transport: Duplex,
    readonly address: string,
    readonly limiter: RateLimiter,
    private readonly maxBufferedBytes: number,
    private readonly observer: ConnectionObserver,
  ) {}

  /** The peer id this connection holds, once joined. */
  get peerId(): string | undefined {
    return this.place?.id;
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Sends one message if the socket is still open; a closing socket silently takes nothing more. */
  send(message: ServerMessage): void {
    this.sendFrame(encode(message));
  }

  /**
   * Sends an already encoded frame (relays encode once and send the same text to the target).
   *
   * Writes are coalesced: every frame for this connection produced while the server handles one read
   * (a client's burst of candidates arrives in one TCP segment) goes out in a single `writev` when
   * that turn ends, instead of one system call per frame; the system call is most of a relay's cost.
   *
   * A receiver that does not read lets its unsent output grow without end: when a turn's first frame
   * finds more than the bound still unsent from earlier turns, the connection is cut off, so that one
   * slow client cannot make the server's memory grow. (Within a turn the output is bounded by what
   * one read can ask for; it is only measured between turns, once the kernel has taken what it can.)
   */
  sendFrame(frame: string): void {
    if (!this.isOpen) return;
    if (!this.corked) {
      // Relayed bytes have bounds of their own, and slow their sender rather than cut off this receiver.
      if (this.socket.bufferedAmount - (this.relay?.outstanding ?? 0) > this.maxBufferedBytes) {
        this.socket.terminate();
        this.observer.slowConsumer(this);
        return;
      }
      this.corked = true;
      this.transport.cork();
      process.nextTick(() => {
        this.corked = false;
        this.transport.uncork();
      });
    }
    this.socket.send(frame);
  }

  /**
   * Sends a binary relay frame, coalesced with the turn's other writes as {@link sendFrame} does, but
   * without its slow-consumer check: the relay bounds what it leaves unsent itself (see RelayFlow),
   * and slows the sender rather than cutting off the receiver. `written` is called once the frame has
   * left this process (or the connection has gone).
   */
  sendRelay(frame: Uint8Array, written: () => void): void {
    if (!this.isOpen) {
      written();
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.transport.cork();
      process.nextTick(() => {
        this.corked = false;
        this.transport.uncork();
      });
    }
    this.socket.send(frame, { binary: true }, written);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  sendError(code: ErrorCode, re?: RequestId, message: string = ERROR_CODES[code]): void {
    this.observer.errorSent(code);
    this.send(re === undefined ? { type: 'error', code, message } : { type: 'error', code, message, re });
  }
}
