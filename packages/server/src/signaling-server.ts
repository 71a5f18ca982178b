import type { IncomingMessage, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { type Logger, pino } from 'pino';
import { WebSocketServer } from 'ws';
import { AddressBook } from './address-book.js';
import { checkOptions, RATE_BURST_SECONDS, type ServerConfig } from './config.js';
import { allClosed, Connections } from './connections.js';
import { FramePipeline, HARD_FRAME_FACTOR } from './frame-pipeline.js';
import { Heartbeat } from './heartbeat.js';
import { type HttpRoutes, httpRoutes, type RouteState } from './http-routes.js';
import { Hub } from './hub.js';
import { JoinDeadline } from './join-deadline.js';
import { ServerMetrics } from './metrics.js';
import { RateLimits } from './rate-limiter.js';
import { Rejections } from './rejections.js';
import { RELAY_FRAME_MAX } from './relay-flow.js';
import { type GateState, refuseUpgrade, UPGRADE_REFUSALS, upgradeGate } from './upgrade-gate.js';

/**
 * Bounds on what one connection can make `ws` keep, whatever its bytes. Clients send each signaling
 * message in one frame: 16,384 fragments (ws's default) of one byte cost about 1.9 MiB of buffer
 * objects; 64 cost a few KiB. TCP reads waiting to form a frame: a 256 KiB frame arrives in a few
 * hundred reads even on a poor link. Pongs owed to a client that pings and never reads: a handful.
 * A close this server starts (join deadline, rate limit) waits 2 s for the client's answer, not ws's
 * 30: a client stalled in the middle of a large frame would keep it buffered all that time.
 */
const WS_LIMITS = { maxFragments: 64, maxBufferedChunks: 4096, maxPendingAutoPongs: 8, closeTimeout: 2000 } as const;

/**
 * Sockets the HTTP server holds beyond its WebSocket connections (page loads, probes, refusals in
 * flight). Past the total, new TCP connections are dropped at accept, so an address flood can never
 * exhaust the process's file descriptors (an EMFILE at accept would stop it serving anyone).
 */
const HTTP_SOCKET_SLACK = 1024;

/** How long `close()` waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 2000;

/** The settings that belong to whoever listens: a mounted signaling server refuses them. */
const LISTENING_OPTIONS = ['port', 'host'] as const;

/** What `createSignalingServer` takes: any config field but where to listen, and where to log. */
export interface SignalingOptions extends Partial<Omit<ServerConfig, (typeof LISTENING_OPTIONS)[number]>> {
  /** A pino logger for the server's events; none by default (a library stays quiet unless asked). */
  readonly logger?: Logger;
}

/**
 * A signaling server without a port of its own, to mount on a Node HTTP server you run (plain
 * `node:http`, Express, Fastify, behind TLS or not).
 *
 * **Your server owns** the port, listening, TLS, its other routes and its own sockets: the HTTP
 * connections it reads requests on, and their timeouts. **The signaling server owns** what you hand
 * it: each WebSocket connection from the moment you pass its upgrade to {@link handleUpgrade}, its
 * timers (heartbeat, join deadline), the rooms, and the Redis connections of a cluster. {@link close}
 * ends those and leaves your server listening; close your server yourself, after it.
 *
 * The protections `startServer` puts on its own server are yours to put on yours, as it does:
 * create it with {@link serverOptions} (header and request timeouts: slow-loris), set
 * `server.maxConnections = maxSockets` (descriptors can never run out), and call
 * {@link handleConnection} on each `connection` (one address holds only so many sockets).
 */
export interface SignalingServer extends HttpRoutes {
  /** The settings in force: the options given, checked, with every other setting's default. */
  readonly config: ServerConfig;
  /**
   * Takes a WebSocket upgrade from your server's `upgrade` event, as `ws`'s `noServer` mode does:
   * an upgrade of {@link SIGNALING_PATH} that passes every check becomes a signaling connection;
   * any other is answered here, with what `startServer` answers (400 not a URL or not a WebSocket
   * request, 404 another path, 403 an origin not allowed, 503 draining, full or without Redis, 429
   * too many connections from the address), and its socket closed a second later at the latest.
   * Route upgrades of your own paths elsewhere before calling it.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * For your server's `connection` event: counts the TCP socket against its address, and closes it
   * at once when the address already holds its WebSocket connections and 16 sockets more.
   */
  handleConnection(socket: Socket): void;
  /** Options for `http.createServer` / `https.createServer`: the header and request timeouts. */
  readonly serverOptions: Readonly<Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'>>;
  /** A bound for your server's `maxConnections`: the WebSocket connections and room for HTTP beside them. */
  readonly maxSockets: number;
  /**
   * Graceful shutdown: `/readyz` turns 503 and upgrades are refused, every client is told to come
   * back elsewhere (`going-away`), and those still connected after `drainTimeoutMs` are closed as by
   * {@link close}. Your server keeps listening (its probes still answer) until you close it.
   */
  drain(): Promise<void>;
  /** Closes every signaling connection (1001), stops the timers and the hub; resolves when all is closed. */
  close(): Promise<void>;
}

/**
 * Creates a signaling server to mount on your own HTTP server; resolves once its rooms can be
 * served (with `redisUrl`: once Redis answers). Options are checked as `startServer`'s are.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createSignalingServer } from '@icebreaker/server';
 *
 * const signaling = await createSignalingServer({ roomCapacity: 4 });
 * const server = createServer(signaling.serverOptions, async (req, res) => {
 *   if (await signaling.handleRequest(req, res)) return;
 *   res.writeHead(200).end('my own page');
 * });
 * server.on('upgrade', signaling.handleUpgrade);
 * server.listen(8080);
 * ```
 */
export async function createSignalingServer(options: SignalingOptions = {}): Promise<SignalingServer> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object of settings');
  for (const key of LISTENING_OPTIONS) {
    if ((options as Record<string, unknown>)[key] !== undefined) {
      throw new TypeError(`options.${key}: a mounted signaling server does not listen, your server does (startServer listens by itself)`);
    }
  }
  const config = checkOptions(options, ['logger']);
  const { logger } = options;
  if (logger !== undefined && typeof logger?.child !== 'function') throw new TypeError('options.logger: expected a pino logger');
  const log = logger ?? pino({ level: 'silent' });
  const addresses = new AddressBook(config.maxConnectionsPerIp, config.maxConnections);
  let draining = false;

  // The metrics are made before the hub and the connections whose counts they read, at scrape time.
  const metrics: ServerMetrics = new ServerMetrics(() => ({
    connections: open.size,
    rooms: hub.roomCount,
    peers: hub.peerCount,
    parked: hub.parkedCount,
    queuedBytes: hub.queuedBytes,
    relayBufferedBytes: hub.relay.flow.bufferedBytes,
  }));
  const hub = await Hub.open(config, metrics, log, addresses);
  const rejections: Rejections = new Rejections(metrics, log);
  const joinDeadline: JoinDeadline = new JoinDeadline(config.joinDeadlineMs, rejections);
  const open: Connections = new Connections({
    addresses,
    rateLimits: new RateLimits(config.rateMessagesPerSecond, config.rateBytesPerSecond, RATE_BURST_SECONDS),
    maxBufferedBytes: config.maxBufferedBytes,
    hub,
    pipeline: new FramePipeline(config.maxMessageBytes, hub, joinDeadline, rejections),
    joinDeadline,
    rejections,
    metrics,
    log,
  });
  const heartbeat = new Heartbeat(() => open.values(), config.heartbeatIntervalMs);

  // No client tracking: `Connections` is the one list of them (ws would keep a second, with a listener
  // each). ws's other defaults are sized for any WebSocket application; signaling needs far less, and
  // each default is memory an attacker could make us spend per connection (issue "field defects" B6).
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // Relay frames (binary) may be larger than a small --max-message-bytes allows text to be.
    maxPayload: Math.max(config.maxMessageBytes * HARD_FRAME_FACTOR, config.relay === 'off' ? 0 : RELAY_FRAME_MAX),
    ...WS_LIMITS,
  });

  const gate: GateState = {
    get draining() {
      return draining;
    },
    get hubReady() {
      return hub.ready;
    },
    get connections() {
      return open.size;
    },
  };
  const routeState = (): RouteState => ({
    connections: open.size,
    rooms: hub.roomCount,
    // Not ready while draining or full: a load balancer sends new clients to another node.
    readiness: closed
      ? 'closed'
      : draining
        ? 'draining'
        : !hub.ready
          ? 'unavailable'
          : open.size >= config.maxConnections
            ? 'full'
            : 'ready',
  });

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A host that hands the same socket over twice has a bug of its own; ws would throw from inside
    // the host's 'upgrade' listener and end its process. The first call's connection stays.
    if (handedOver.has(socket)) {
      log.error({ event: 'upgrade-twice' }, 'handleUpgrade was called twice with the same socket; the second call is ignored');
      return;
    }
    // Node hands an upgraded socket over with no 'error' listener: a reset (ECONNRESET) while the
    // refusal below is written, or before ws takes over, would be an uncaught exception that ends the
    // process and every room in it. From here on, a socket's error only ever closes that socket.
    socket.on('error', destroySocket);
    const address = req.socket.remoteAddress ?? '';
    const refusal = upgradeGate(req, config, gate, addresses);
    if (refusal) {
      rejections.record(null, refusal, `refused a WebSocket upgrade: ${UPGRADE_REFUSALS[refusal]}`, address);
      refuseUpgrade(socket, refusal);
      return;
    }
    handedOver.add(socket);
    wss.handleUpgrade(req, socket, head, (ws) => open.accept(ws, socket, address));
  }

  // One address may hold only so many sockets that are not WebSockets (page loads, probes, requests
  // being read): past that, a flood of TCP connections from one place is closed at accept. (Node itself
  // answers 408 to a socket that sends nothing, or not enough, within the headers timeout.)
  function handleConnection(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    if (!addresses.socketOpened(address)) {
      socket.destroy();
      return;
    }
    socket.once('close', () => addresses.socketClosed(address));
  }

  async function close(): Promise<void> {
    closed = true;
    heartbeat.stop();
    joinDeadline.stop();
    draining = true;
    await open.closeAll(CLOSE_GRACE_MS);
    await hub.close();
    log.info({ event: 'stopped' }, 'signaling server stopped');
  }

  async function drain(): Promise<void> {
    // From here on /readyz says 503 and upgrades are refused, so a load balancer sends new clients
    // elsewhere; the port stays open for its probes, and the open connections keep relaying.
    draining = true;
    log.info({ event: 'drain', connections: open.size, timeoutMs: config.drainTimeoutMs }, 'draining');
    const told = open.broadcast({ type: 'going-away', reconnectWithinMs: config.drainTimeoutMs });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, config.drainTimeoutMs)));
    // close() during the drain ends the wait: whoever asks to close now is not kept waiting for it.
    const cut = new Promise<void>((resolve) => (endDrain = resolve));
    await Promise.race([allClosed(told.map((connection) => connection.socket)), timeout, cut]);
    clearTimeout(timer);
    await close();
  }

  if (config.authSecret === null) log.warn({ event: 'open-mode' }, 'no auth secret: any client may join any room');
  let closing: Promise<void> | null = null;
  let endDrain: (() => void) | undefined;
  let closed = false;
  /** The sockets already given to ws: a second call for one is the host's bug, not a crash. */
  const handedOver = new WeakSet<Duplex>();
  return {
    config,
    ...httpRoutes(routeState, metrics, config.staticDir === null ? null : resolve(config.staticDir)),
    handleUpgrade,
    handleConnection,
    // A client gets this long to send its request headers (slow-loris), and its whole request; the
    // check runs often enough for short limits to hold.
    serverOptions: {
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpHeadersTimeoutMs * 3,
      connectionsCheckingInterval: Math.min(1000, config.httpHeadersTimeoutMs / 2),
    },
    maxSockets: config.maxConnections + HTTP_SOCKET_SLACK,
    drain: () => (closing ??= drain()),
    close: () => {
      endDrain?.();
      closing ??= close();
      return closing;
    },
  };
}

/** The 'error' listener of a raw socket: whatever went wrong, the socket is done; nothing else is. */
function destroySocket(this: Duplex): void {
  this.destroy();
}
