import { decodeClientMessage } from '@icebreaker/protocol';
import type { RawData } from 'ws';
import type { Connection } from './connection.js';
import type { Hub } from './hub.js';
import type { JoinDeadline } from './join-deadline.js';
import type { Rejections } from './rejections.js';
import type { RelayRefusal } from './relay-router.js';

const RATE_LIMITED_NOTICE =
  'too many messages or bytes: messages are dropped from here until you slow down; keep on and the connection is closed';

/**
 * Frames larger than this many times `maxMessageBytes` are refused by the WebSocket layer itself
 * (close 1009) before they are buffered; frames in between are read and answered with
 * `message-too-large`, so an honest client with an oversized SDP learns why and keeps its connection.
 * (ws's own bound also lets through the largest relay frame, which a small `maxMessageBytes` may be
 * under: a text frame between the two is closed here, as ws would have.)
 */
export const HARD_FRAME_FACTOR = 4;

/** Messages kept while a join's token is checked (a few milliseconds); more are refused, not queued. */
const MAX_BACKLOG = 32;

/**
 * What happens to each frame a client sends, in order: the rate limit is charged, the size checked,
 * the frame decoded, and the message handed to the hub (or kept while the connection's join is being
 * checked). Each step that refuses answers the client and stops there.
 *
 * Binary frames are relay frames and go to the hub's relay at once: they are not charged to the
 * signaling rate limit (a file relayed at tens of MB/s would trip it) but slowed by the relay's own
 * limits (RelayFlow). Only a frame the relay refuses is charged, so bad frames are limited as any bad
 * input is.
 */
export class FramePipeline {
  constructor(
    private readonly maxMessageBytes: number,
    private readonly hub: Hub,
    private readonly joinDeadline: JoinDeadline,
    private readonly rejections: Rejections,
  ) {}

  handle(connection: Connection, data: RawData, isBinary: boolean): void {
    // Frames read before a close this server started (rate limit, slow consumer) are not acted on.
    if (!connection.isOpen) return;
    const receivedAt = performance.now();
    if (isBinary) {
      // ws hands binary messages over as one Buffer (its default binaryType); the rest is defensive.
      const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.hub.relay.receive(connection, frame, receivedAt, this.refuse);
      return;
    }
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (bytes > this.maxMessageBytes * HARD_FRAME_FACTOR) {
      this.rejections.record(connection, 'frame-too-large', 'closed a connection that sent a huge frame');
      connection.socket.close(1009, 'message too big');
      return;
    }
    // Charged before anything else is spent on the frame: decoding a flood is what a flood wants.
    if (!this.charge(connection, bytes, receivedAt)) return;
    if (bytes > this.maxMessageBytes) {
      connection.sendError('message-too-large', undefined, `messages are limited to ${this.maxMessageBytes} bytes; this one had ${bytes}`);
      return;
    }
    const text = data.toString();
    const result = decodeClientMessage(text);
    if (!result.ok) {
      connection.sendError(result.error.code, result.error.re, result.error.message);
      return;
    }
    const message = result.message;
    if (!connection.backlog) {
      this.hub.dispatch(connection, message, receivedAt, text);
      if (connection.peerId !== undefined) this.joinDeadline.settled(connection);
    } else if (connection.backlog.length < MAX_BACKLOG)
      connection.backlog.push(() => this.hub.dispatch(connection, message, receivedAt, text));
    else
      connection.sendError('rate-limited', 'id' in message ? message.id : undefined, 'too many messages while the join is being checked');
  }

  /** A relay frame refused: charged as any message is, then answered (unless the charge says to drop it). */
  private readonly refuse: RelayRefusal = (connection, bytes, code, message) => {
    if (connection.isOpen && this.charge(connection, bytes, performance.now())) connection.sendError(code, undefined, message);
  };

  /** Charges a message to the connection's rate limit → whether it may be acted on (else it was answered, or the connection closed). */
  private charge(connection: Connection, bytes: number, now: number): boolean {
    const verdict = connection.limiter.take(bytes, now);
    if (verdict === 'abusive') {
      this.rejections.record(connection, 'rate-limit', 'closed a connection that kept sending past its rate limit');
      connection.socket.close(1008, 'rate limit exceeded');
      return false;
    }
    if (verdict === 'limited') {
      // One notice per episode: answering every dropped message would let a flood double as output.
      if (!connection.rateLimited) connection.sendError('rate-limited', undefined, RATE_LIMITED_NOTICE);
      connection.rateLimited = true;
      return false;
    }
    connection.rateLimited = false;
    return true;
  }
}
