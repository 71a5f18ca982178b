import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { decodeClientMessage } from '@icebreaker/protocol';
import { type Logger, pino } from 'pino';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { AddressBook } from './address-book.js';
import { checkConfig, checkOptions, DEFAULT_CONFIG, RATE_BURST_SECONDS, type ServerConfig } from './config.js';
// One WebSocket connection; still called a session inside this file until its split (issue 10 §2).
import { Connection as Session, type ConnectionObserver as SessionObserver } from './connection.js';
import { Hub } from './hub.js';
import { type RejectionReason, ServerMetrics } from './metrics.js';
import { RateLimits } from './rate-limiter.js';
import { serveStatic } from './static-files.js';

/** The path of the WebSocket endpoint; everything else on the port is plain HTTP. */
export const SIGNALING_PATH = '/ws';

/**
 * Frames larger than this many times `maxMessageBytes` are refused by the WebSocket layer itself
 * (close 1009) before they are buffered; frames in between are read and answered with
 * `message-too-large`, so an honest client with an oversized SDP learns why and keeps its connection.
 */
const HARD_FRAME_FACTOR = 4;

/** The HTTP answer to an upgrade refused for each reason. */
const UPGRADE_REFUSALS = {
  'bad-request': '400 Bad Request',
  'not-found': '404 Not Found',
  origin: '403 Forbidden',
  draining: '503 Service Unavailable',
  unavailable: '503 Service Unavailable',
  capacity: '503 Service Unavailable',
  'per-ip': '429 Too Many Requests',
} as const satisfies Partial<Record<RejectionReason, string>>;

const RATE_LIMITED_NOTICE =
  'too many messages or bytes: messages are dropped from here until you slow down; keep on and the connection is closed';

/**
 * Bounds on what one connection can make `ws` keep, whatever its bytes. Clients send each signaling
 * message in one frame: 16,384 fragments (ws's default) of one byte cost about 1.9 MiB of buffer
 * objects; 64 cost a few KiB. TCP reads waiting to form a frame: a 256 KiB frame arrives in a few
 * hundred reads even on a poor link. Pongs owed to a client that pings and never reads: a handful.
 * A close this server starts (join deadline, rate limit) waits 2 s for the client's answer, not ws's
 * 30: a client stalled in the middle of a large frame would keep it buffered all that time.
 */
const WS_LIMITS = { maxFragments: 64, maxBufferedChunks: 4096, maxPendingAutoPongs: 8, closeTimeout: 2000 } as const;

/** Messages kept while a join's token is checked (a few milliseconds); more are refused, not queued. */
const MAX_BACKLOG = 32;

/** How long a refused upgrade's socket stays open for its client to read the answer. */
const REFUSAL_LINGER_MS = 1000;

/**
 * Sockets the HTTP server holds beyond its WebSocket connections (page loads, probes, refusals in
 * flight). Past the total, new TCP connections are dropped at accept, so an address flood can never
 * exhaust the process's file descriptors (an EMFILE at accept would stop it serving anyone).
 */
const HTTP_SOCKET_SLACK = 1024;

/** How long `close()` waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 2000;

/** A running signaling server. */
export interface IcebreakerServer {
  /** The page's address, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The signaling endpoint, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly signalingUrl: string;
  readonly port: number;
  readonly config: ServerConfig;
  /**
   * Graceful shutdown (what SIGTERM does): stops accepting, tells every client to reconnect elsewhere
   * (`going-away`), waits up to `drainTimeoutMs` for them to go, then closes the rest like `close()`.
   */
  drain(): Promise<void>;
  /** Closes every connection (code 1001) and stops listening; resolves when all is closed. */
  close(): Promise<void>;
}

/** What `startServer` takes: any config field, and where to log. */
export interface StartOptions extends Partial<ServerConfig> {
  /** A pino logger for the server's events; none by default (a library stays quiet unless asked). */
  readonly logger?: Logger;
}

/**
 * Starts the HTTP + WebSocket signaling server and resolves once it is listening.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0, staticDir: 'dist/web' });
 * console.log(`open ${server.url}`);
 * await server.close();
 * ```
 */
export async function startServer(options: StartOptions = {}): Promise<IcebreakerServer> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object of settings');
  checkOptions(options as Readonly<Record<string, unknown>>, ['logger']);
  const { logger, ...settings } = options;
  if (logger !== undefined && typeof logger?.child !== 'function') throw new TypeError('options.logger: expected a pino logger');
  const config = checkConfig({ ...DEFAULT_CONFIG, ...settings });
  const log = logger ?? pino({ level: 'silent' });
  const staticDir = config.staticDir === null ? null : resolve(config.staticDir);
  /** Every open connection, by its socket. */
  const sessions = new Map<WebSocket, Session>();
  /** Each remote address's connections, parked places and spent rate limits. */
  const addresses = new AddressBook(config.maxConnectionsPerIp, config.maxConnections);
  let draining = false;
  const metrics = new ServerMetrics(() => ({
    connections: sessions.size,
    rooms: hub.roomCount,
    peers: hub.peerCount,
    parked: hub.parkedCount,
    queuedBytes: hub.queuedBytes,
  }));
  const hub = await Hub.open(config, metrics, log, addresses);
  const rateLimits = new RateLimits(config.rateMessagesPerSecond, config.rateBytesPerSecond, RATE_BURST_SECONDS);
  // No client tracking: `sessions` is the one list of connections (ws would keep a second, with a listener each).
  // ws's other defaults are sized for any WebSocket application; signaling needs far less, and each
  // default is memory an attacker could make us spend per connection (issue "field defects" B6).
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: config.maxMessageBytes * HARD_FRAME_FACTOR,
    ...WS_LIMITS,
  });

  const observer: SessionObserver = {
    errorSent: (code) => metrics.errorSent(code),
    slowConsumer: (session) => reject(session, 'slow-consumer', 'disconnected a client that does not read its messages'),
  };

  function reject(session: Session | null, reason: RejectionReason, why: string, address = session?.address): void {
    metrics.rejected(reason);
    // Refusals an attacker can cause by the thousand (upgrades, idle sockets) are counted, and logged
    // only at debug: a flood must not become a flood of log lines.
    const level = session === null || reason === 'join-deadline' ? 'debug' : 'warn';
    log[level]({ event: 'rejected', reason, address, peer: session?.peerId }, why);
  }

  // A client gets this long to send its request headers (slow-loris), and its whole request; the
  // check runs often enough for short limits to hold.
  const timeouts = {
    headersTimeout: config.httpHeadersTimeoutMs,
    requestTimeout: config.httpHeadersTimeoutMs * 3,
    connectionsCheckingInterval: Math.min(1000, config.httpHeadersTimeoutMs / 2),
  };
  const http = createServer(timeouts, (req, res) => {
    handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  http.maxConnections = config.maxConnections + HTTP_SOCKET_SLACK;
  // One address may hold only so many sockets that are not WebSockets (page loads, probes, requests
  // being read): past that, a flood of TCP connections from one place is closed at accept. (Node itself
  // answers 408 to a socket that sends nothing, or not enough, within the headers timeout.)
  http.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (!addresses.socketOpened(address)) {
      socket.destroy();
      return;
    }
    socket.once('close', () => addresses.socketClosed(address));
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = pathOf(req);
    if (pathname === null) {
      res.writeHead(400, { connection: 'close' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    switch (pathname) {
      case '/healthz':
        json(200, { status: 'ok', connections: sessions.size, rooms: hub.roomCount });
        return;
      case '/readyz': {
        // Not ready while draining or full: a load balancer sends new clients to another node.
        const status = draining ? 'draining' : !hub.ready ? 'unavailable' : sessions.size >= config.maxConnections ? 'full' : 'ready';
        json(status === 'ready' ? 200 : 503, { status });
        return;
      }
      case '/metrics': {
        const { text, contentType } = await metrics.scrape();
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(text);
        return;
      }
    }
    if (staticDir === null) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('no page is served here\n');
      return;
    }
    await serveStatic(staticDir, pathname, req, res);
  }

  http.on('upgrade', (req, socket, head) => {
    // Node hands an upgraded socket over with no 'error' listener: a reset (ECONNRESET) while the
    // refusal below is written, or before ws takes over, would be an uncaught exception that ends the
    // process and every room in it. From here on, a socket's error only ever closes that socket.
    socket.on('error', destroySocket);
    const pathname = pathOf(req);
    const address = req.socket.remoteAddress ?? '';
    const refusal: keyof typeof UPGRADE_REFUSALS | null =
      pathname === null
        ? 'bad-request'
        : pathname !== SIGNALING_PATH
          ? 'not-found'
          : !originAllowed(req, config.allowedOrigins)
            ? 'origin'
            : draining
              ? 'draining'
              : !hub.ready
                ? 'unavailable'
                : sessions.size >= config.maxConnections
                  ? 'capacity'
                  : addresses.full(address)
                    ? 'per-ip'
                    : null;
    if (refusal) {
      reject(null, refusal, `refused a WebSocket upgrade: ${UPGRADE_REFUSALS[refusal]}`, address);
      // The HTTP server keeps sockets half-open: a client that never closes its side after a refusal
      // would hold a descriptor the connection limits never count. It gets a moment to read the answer.
      (socket as Socket).setTimeout(REFUSAL_LINGER_MS, () => socket.destroy());
      socket.end(`HTTP/1.1 ${UPGRADE_REFUSALS[refusal]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, socket, address));
  });

  function accept(ws: WebSocket, transport: Duplex, address: string): void {
    const limiter = addresses.limiter(address, rateLimits, performance.now());
    const session = new Session(ws, transport, address, limiter, config.maxBufferedBytes, observer);
    sessions.set(ws, session);
    addresses.connected(address);
    log.debug({ event: 'connect', address }, 'connection opened');
    unjoined.set(session, performance.now());
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  // The socket handlers are shared by all connections (ws calls them with the socket as `this`): a
  // set of closures per connection would cost more memory than the connection's own state.
  function onPong(this: WebSocket): void {
    const session = sessions.get(this);
    if (session) session.answeredPing = true;
  }

  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const session = sessions.get(this);
    if (session) handleFrame(session, data, isBinary);
  }

  /** A protocol violation (a frame over maxPayload) is reported here; ws closes the socket itself (1009). */
  function onError(this: WebSocket, error: Error & { code?: string }): void {
    const session = sessions.get(this);
    if (session && error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
      reject(session, 'frame-too-large', 'closed a connection that sent a huge frame');
  }

  function onClose(this: WebSocket, code: number): void {
    const session = sessions.get(this);
    if (!session) return;
    unjoined.delete(session);
    sessions.delete(this);
    const { address } = session;
    addresses.closed(address, session.limiter, performance.now());
    log.debug({ event: 'disconnect', address, peer: session.peerId, code }, 'connection closed');
    addresses.disconnected(address);
    hub.detach(session, session.closeReason);
  }

  function handleFrame(session: Session, data: RawData, isBinary: boolean): void {
    // Frames read before a close this server started (rate limit, slow consumer) are not acted on.
    if (!session.isOpen) return;
    const receivedAt = performance.now();
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    // Charged before anything else is spent on the frame: decoding a flood is what a flood wants.
    const verdict = session.limiter.take(bytes, receivedAt);
    if (verdict === 'abusive') {
      reject(session, 'rate-limit', 'closed a connection that kept sending past its rate limit');
      session.socket.close(1008, 'rate limit exceeded');
      return;
    }
    if (verdict === 'limited') {
      // One notice per episode: answering every dropped message would let a flood double as output.
      if (!session.rateLimited) session.sendError('rate-limited', undefined, RATE_LIMITED_NOTICE);
      session.rateLimited = true;
      return;
    }
    session.rateLimited = false;
    if (bytes > config.maxMessageBytes) {
      session.sendError('message-too-large', undefined, `messages are limited to ${config.maxMessageBytes} bytes; this one had ${bytes}`);
      return;
    }
    const result = decodeClientMessage(isBinary ? data : data.toString());
    if (!result.ok) {
      session.sendError(result.error.code, result.error.re, result.error.message);
      return;
    }
    const message = result.message;
    if (!session.backlog) {
      hub.dispatch(session, message, receivedAt);
      if (session.peerId !== undefined) unjoined.delete(session);
    } else if (session.backlog.length < MAX_BACKLOG) session.backlog.push(() => hub.dispatch(session, message, receivedAt));
    else session.sendError('rate-limited', 'id' in message ? message.id : undefined, 'too many messages while the join is being checked');
  }

  // A socket that never joins holds memory and a file descriptor for nothing. One sweep over the
  // connections not yet in a room (in the order they opened) enforces the deadline: no timer per
  // connection, which at ten thousand connections is memory that counts.
  const unjoined = new Map<Session, number>();
  const joinSweep = setInterval(
    () => {
      const cutoff = performance.now() - config.joinDeadlineMs;
      for (const [session, openedAt] of unjoined) {
        if (openedAt > cutoff) break;
        unjoined.delete(session);
        if (session.peerId !== undefined) continue;
        reject(session, 'join-deadline', 'closed a connection that did not join in time');
        session.socket.close(1008, 'no join in time');
      }
    },
    Math.max(20, Math.min(1000, config.joinDeadlineMs / 4)),
  );
  joinSweep.unref();

  // Heartbeat: a peer whose network vanished never sends a close frame, so we ask every interval and
  // drop whoever did not answer the previous question (detected within two intervals).
  const heartbeat = setInterval(() => {
    for (const session of sessions.values()) {
      if (!session.answeredPing) {
        session.closeReason = 'timeout';
        session.socket.terminate();
        continue;
      }
      session.answeredPing = false;
      session.socket.ping();
    }
  }, config.heartbeatIntervalMs);
  heartbeat.unref();

  http.listen(config.port, config.host);
  await Promise.race([once(http, 'listening'), once(http, 'error').then(([error]) => Promise.reject(error))]);
  // Once listening, a server error is an accept that failed (EMFILE, ENFILE): logged, never fatal;
  // libuv keeps accepting when descriptors free up.
  http.on('error', (error) => log.error({ event: 'accept-error', error: error.message }, 'could not accept a connection'));
  const { port } = http.address() as AddressInfo;
  const shownHost =
    config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  log.info(
    { event: 'listening', host: config.host, port, auth: config.authSecret !== null, turn: config.turnUrls.length > 0 },
    'signaling server listening',
  );
  if (config.authSecret === null) log.warn({ event: 'open-mode' }, 'no auth secret: any client may join any room');

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    clearInterval(heartbeat);
    clearInterval(joinSweep);
    draining = true;
    const closed = http.listening ? once(http, 'close') : Promise.resolve();
    http.close();
    const sockets = [...sessions.keys()];
    for (const socket of sockets) socket.close(1001, 'server shutting down');
    const cutoff = setTimeout(() => {
      for (const socket of sockets) socket.terminate();
    }, CLOSE_GRACE_MS);
    await Promise.all(sockets.map((socket) => (socket.readyState === socket.CLOSED ? undefined : once(socket, 'close'))));
    clearTimeout(cutoff);
    await hub.close();
    http.closeAllConnections();
    await closed;
    log.info({ event: 'stopped' }, 'signaling server stopped');
  }

  async function drain(): Promise<void> {
    // From here on /readyz says 503 and upgrades are refused, so a load balancer sends new clients
    // elsewhere; the port stays open for its probes, and the open connections keep relaying.
    draining = true;
    const open = [...sessions.values()];
    log.info({ event: 'drain', connections: open.length, timeoutMs: config.drainTimeoutMs }, 'draining');
    for (const session of open) session.send({ type: 'going-away', reconnectWithinMs: config.drainTimeoutMs });
    const allGone = Promise.all(open.map((s) => (s.socket.readyState === s.socket.CLOSED ? undefined : once(s.socket, 'close'))));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([allGone, new Promise((resolve) => (timer = setTimeout(resolve, config.drainTimeoutMs)))]);
    clearTimeout(timer);
    await close();
  }

  return {
    url: `http://${shownHost}:${port}/`,
    signalingUrl: `ws://${shownHost}:${port}${SIGNALING_PATH}`,
    port,
    config,
    drain: () => (closing ??= drain()),
    close: () => (closing ??= close()),
  };
}

/**
 * The path a request asks for, or null when its target is not a URL at all (`//[`, `http://x:99999/`):
 * such a request is answered 400, never thrown at the server's event handlers.
 */
function pathOf(req: IncomingMessage): string | null {
  return URL.parse(req.url ?? '/', 'http://localhost')?.pathname ?? null;
}

/** The 'error' listener of a raw socket: whatever went wrong, the socket is done; nothing else is. */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * Whether a WebSocket upgrade may proceed: any origin when none is listed, else a listed one or no
 * Origin at all. The server's own host is not let in by itself: a DNS-rebinding page names that host too.
 */
function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}
