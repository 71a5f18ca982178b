import { decodeClientMessage } from '@icebreaker/protocol';
import type { RawData } from 'ws';
import type { Connection } from './connection.js';
import type { Hub } from './hub.js';
import type { JoinDeadline } from './join-deadline.js';
import type { Rejections } from './rejections.js';

const RATE_LIMITED_NOTICE =
  'too many messages or bytes: messages are dropped from here until you slow down; keep on and the connection is closed';

/** Messages kept while a join's token is checked (a few milliseconds); more are refused, not queued. */
const MAX_BACKLOG = 32;

/**
 * What happens to each frame a client sends, in order: the rate limit is charged, the size checked,
 * the frame decoded, and the message handed to the hub (or kept while the connection's join is being
 * checked). Each step that refuses answers the client and stops there.
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
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    // Charged before anything else is spent on the frame: decoding a flood is what a flood wants.
    const verdict = connection.limiter.take(bytes, receivedAt);
    if (verdict === 'abusive') {
      this.rejections.record(connection, 'rate-limit', 'closed a connection that kept sending past its rate limit');
      connection.socket.close(1008, 'rate limit exceeded');
      return;
    }
    if (verdict === 'limited') {
      // One notice per episode: answering every dropped message would let a flood double as output.
      if (!connection.rateLimited) connection.sendError('rate-limited', undefined, RATE_LIMITED_NOTICE);
      connection.rateLimited = true;
      return;
    }
    connection.rateLimited = false;
    if (bytes > this.maxMessageBytes) {
      connection.sendError('message-too-large', undefined, `messages are limited to ${this.maxMessageBytes} bytes; this one had ${bytes}`);
      return;
    }
    const text = isBinary ? undefined : data.toString();
    const result = decodeClientMessage(isBinary ? data : text);
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
}
