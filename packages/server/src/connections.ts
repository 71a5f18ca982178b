import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { ServerMessage } from '@icebreaker/protocol';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { AddressBook } from './address-book.js';
import { Connection, type ConnectionObserver } from './connection.js';
import type { FramePipeline } from './frame-pipeline.js';
import type { Hub } from './hub.js';
import type { JoinDeadline } from './join-deadline.js';
import type { ServerMetrics } from './metrics.js';
import type { RateLimits } from './rate-limiter.js';
import type { Rejections } from './rejections.js';

/** What a connection's life touches: the parts of the server around it. */
export interface ConnectionParts {
  readonly addresses: AddressBook;
  readonly rateLimits: RateLimits;
  readonly maxBufferedBytes: number;
  readonly hub: Hub;
  readonly pipeline: FramePipeline;
  readonly joinDeadline: JoinDeadline;
  readonly rejections: Rejections;
  readonly metrics: ServerMetrics;
  readonly log: Logger;
}

/**
 * Every open signaling connection, from the accepted upgrade to the close: what is counted when it
 * opens, where its frames go, and what its close gives back (its address's slot, its rate limit state,
 * its place in a room).
 */
export class Connections {
  /** Every open connection, by its socket: the one list of them (ws's own client tracking is off). */
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly observer: ConnectionObserver;
  // The socket handlers are shared by all connections (ws calls them with the socket as `this`): a
  // set of closures per connection would cost more memory than the connection's own state.
  private readonly onPong: (this: WebSocket) => void;
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onError: (this: WebSocket, error: Error & { code?: string }) => void;
  private readonly onClose: (this: WebSocket, code: number) => void;

  constructor(private readonly parts: ConnectionParts) {
    const { connections } = this;
    const { addresses, hub, pipeline, joinDeadline, rejections, metrics, log } = parts;
    this.observer = {
      errorSent: (code) => metrics.errorSent(code),
      slowConsumer: (connection) => rejections.record(connection, 'slow-consumer', 'disconnected a client that does not read its messages'),
    };
    this.onPong = function (this: WebSocket) {
      const connection = connections.get(this);
      if (connection) connection.answeredPing = true;
    };
    this.onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      const connection = connections.get(this);
      if (connection) pipeline.handle(connection, data, isBinary);
    };
    // A protocol violation (a frame over maxPayload) is reported here; ws closes the socket itself (1009).
    this.onError = function (this: WebSocket, error: Error & { code?: string }) {
      const connection = connections.get(this);
      if (connection && error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        rejections.record(connection, 'frame-too-large', 'closed a connection that sent a huge frame');
    };
    this.onClose = function (this: WebSocket, code: number) {
      const connection = connections.get(this);
      if (!connection) return;
      joinDeadline.settled(connection);
      connections.delete(this);
      hub.relay.flow.closed(connection);
      const { address } = connection;
      addresses.closed(address, connection.limiter, performance.now());
      log.debug({ event: 'disconnect', address, peer: connection.peerId, code }, 'connection closed');
      addresses.disconnected(address);
      hub.detach(connection, connection.closeReason);
    };
  }

  get size(): number {
    return this.connections.size;
  }

  values(): IterableIterator<Connection> {
    return this.connections.values();
  }

  /** Takes on an upgraded WebSocket; `transport` is the TCP connection under it. */
  accept(ws: WebSocket, transport: Duplex, address: string): void {
    const { addresses, rateLimits, maxBufferedBytes, joinDeadline, log } = this.parts;
    const limiter = addresses.limiter(address, rateLimits, performance.now());
    const connection = new Connection(ws, transport, address, limiter, maxBufferedBytes, this.observer);
    this.connections.set(ws, connection);
    addresses.connected(address);
    log.debug({ event: 'connect', address }, 'connection opened');
    joinDeadline.opened(connection);
    ws.on('pong', this.onPong);
    ws.on('message', this.onMessage);
    ws.on('error', this.onError);
    ws.on('close', this.onClose);
  }

  /** Sends one message to every open connection; returns those it was sent to. */
  broadcast(message: ServerMessage): Connection[] {
    const open = [...this.connections.values()];
    for (const connection of open) connection.send(message);
    return open;
  }

  /**
   * Closes every connection with 1001 and resolves once all are closed; those that have not answered
   * the close handshake within `graceMs` are cut off.
   */
  async closeAll(graceMs: number): Promise<void> {
    const sockets = [...this.connections.keys()];
    for (const socket of sockets) socket.close(1001, 'server shutting down');
    const cutoff = setTimeout(() => {
      for (const socket of sockets) socket.terminate();
    }, graceMs);
    await allClosed(sockets);
    clearTimeout(cutoff);
  }
}

/** Resolves once every one of `sockets` has closed. */
export function allClosed(sockets: readonly WebSocket[]): Promise<unknown> {
  return Promise.all(sockets.map((socket) => (socket.readyState === socket.CLOSED ? undefined : once(socket, 'close'))));
}
