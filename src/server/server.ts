import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type ClientMessage, decodeClientMessage, type JoinMessage, PROTOCOL_VERSION, type SignalRequest } from '../protocol/index.js';
import { DEFAULT_CONFIG, type ServerConfig } from './config.js';
import { Member } from './member.js';
import { ResumeTokens } from './resume-token.js';
import { Room } from './room.js';
import { Session } from './session.js';
import { serveStatic } from './static-files.js';

/** The path of the WebSocket endpoint; everything else on the port is plain HTTP. */
export const SIGNALING_PATH = '/ws';

/**
 * Frames larger than this many times `maxMessageBytes` are refused by the WebSocket layer itself
 * (close 1009) before they are buffered; frames in between are read and answered with
 * `message-too-large`, so an honest client with an oversized SDP learns why and keeps its connection.
 */
const HARD_FRAME_FACTOR = 4;

/** A resume token stays valid this long; every welcome issues a fresh one. */
const RESUME_TOKEN_TTL_MS = 24 * 3_600_000;

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
  /** Closes every connection (code 1001) and stops listening; resolves when all is closed. */
  close(): Promise<void>;
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
export async function startServer(options: Partial<ServerConfig> = {}): Promise<IcebreakerServer> {
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...options };
  const staticDir = config.staticDir === null ? null : resolve(config.staticDir);
  const rooms = new Map<string, Room>();
  const sessions = new Set<Session>();
  const tokens = new ResumeTokens(config.resumeSecret, RESUME_TOKEN_TTL_MS);
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes * HARD_FRAME_FACTOR });

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

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: 'ok', connections: sessions.size, rooms: rooms.size }));
      return;
    }
    if (staticDir === null) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('no page is served here\n');
      return;
    }
    await serveStatic(staticDir, pathname, req, res);
  }

  http.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const address = req.socket.remoteAddress ?? '';
    const refusal =
      pathname !== SIGNALING_PATH
        ? '404 Not Found'
        : !originAllowed(req, config.allowedOrigins)
          ? '403 Forbidden'
          : sessions.size >= config.maxConnections
            ? '503 Service Unavailable'
            : config.maxConnectionsPerIp > 0 && (perAddress.get(address) ?? 0) >= config.maxConnectionsPerIp
              ? '429 Too Many Requests'
              : null;
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, address));
  });

  /** Open connections by remote address, for the per-address limit. */
  const perAddress = new Map<string, number>();

  function accept(ws: WebSocket, address: string): void {
    const session = new Session(ws);
    sessions.add(session);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    // A socket that never joins holds memory and a file descriptor for nothing.
    const joinDeadline = setTimeout(() => {
      if (!session.member) ws.close(1008, 'no join in time');
    }, config.joinDeadlineMs);
    ws.on('pong', () => {
      session.answeredPing = true;
    });
    ws.on('message', (data, isBinary) => handleFrame(session, data, isBinary));
    // A protocol violation (e.g. a frame over maxPayload) is reported here; ws closes the socket itself.
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(joinDeadline);
      sessions.delete(session);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
      detach(session, session.closeReason);
    });
  }

  function handleFrame(session: Session, data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (bytes > config.maxMessageBytes) {
      session.sendError('message-too-large', undefined, `messages are limited to ${config.maxMessageBytes} bytes; this one had ${bytes}`);
      return;
    }
    const result = decodeClientMessage(isBinary ? data : data.toString());
    if (!result.ok) {
      session.sendError(result.error.code, result.error.re, result.error.message);
      return;
    }
    dispatch(session, result.message);
  }

  function dispatch(session: Session, message: ClientMessage): void {
    switch (message.type) {
      case 'join':
        join(session, message);
        return;
      case 'signal':
        signal(session, message);
        return;
      case 'leave':
        if (!session.member) {
          session.sendError('not-joined', message.id);
          return;
        }
        detach(session, 'left');
        return;
    }
  }

  function join(session: Session, message: JoinMessage): void {
    if (session.member) {
      session.sendError('already-joined', message.id);
      return;
    }
    if (message.protocol !== PROTOCOL_VERSION) {
      session.sendError('unsupported-version', message.id, `this server speaks protocol ${PROTOCOL_VERSION}, not ${message.protocol}`);
      return;
    }
    if (message.resume !== undefined) {
      resume(session, message, message.resume);
      return;
    }
    const room = rooms.get(message.room) ?? new Room(message.room, holdLimits(config));
    if (room.size >= config.roomCapacity) {
      session.sendError('room-full', message.id, `room "${message.room}" already has ${room.size} peers, its capacity`);
      return;
    }
    admit(session, room, new Member(newPeerId(), room, session, message.name), false);
  }

  /** Takes back a peer id: the parked member if it is still here, else (after a restart) a new place under that id. */
  function resume(session: Session, message: JoinMessage, token: string): void {
    const claim = tokens.verify(token);
    if (!claim || claim.room !== message.room) {
      session.sendError('resume-failed', message.id);
      return;
    }
    const room = rooms.get(message.room) ?? new Room(message.room, holdLimits(config));
    const member = room.get(claim.peerId);
    if (member) {
      // A connection that is still attached (its drop not yet noticed) is replaced by the new one.
      const previous = member.session;
      if (previous) {
        previous.member = null;
        previous.socket.close(4000, 'resumed elsewhere');
      }
      session.member = member;
      sendWelcome(session, room, member, true);
      member.resume(session);
      return;
    }
    if (room.size >= config.roomCapacity) {
      session.sendError('room-full', message.id, `room "${message.room}" is full; peer "${claim.peerId}" cannot come back`);
      return;
    }
    admit(session, room, new Member(claim.peerId, room, session, message.name), true);
  }

  function admit(session: Session, room: Room, member: Member, resumed: boolean): void {
    rooms.set(room.name, room);
    session.member = member;
    sendWelcome(session, room, member, resumed);
    room.add(member);
  }

  function sendWelcome(session: Session, room: Room, member: Member, resumed: boolean): void {
    session.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      peerId: member.id,
      room: room.name,
      peers: room.peerInfos(member),
      iceServers: [...config.iceServers],
      resumeToken: tokens.issue(room.name, member.id),
      resumed,
    });
  }

  function signal(session: Session, message: SignalRequest): void {
    const member = session.member;
    if (!member) {
      session.sendError('not-joined', message.id);
      return;
    }
    const outcome = member.room.relay(member, message.to, message.seq, message.data, message.id);
    if (outcome === 'unknown-peer') {
      session.sendError('unknown-peer', message.id, `no other peer "${message.to}" in room "${member.room.name}"`);
    } else if (outcome === 'target-required' || outcome === 'hold-full' || outcome === 'queue-full') {
      session.sendError(outcome, message.id);
    }
  }

  /** Ends a member's place at once (`leave`) or, for a dropped connection, after the grace period. */
  function detach(session: Session, reason: 'left' | 'closed' | 'timeout'): void {
    const member = session.member;
    if (!member) return;
    session.member = null;
    if (reason === 'left' || config.resumeGraceMs === 0) {
      removeMember(member, reason);
      return;
    }
    member.park(config.resumeGraceMs, reason, (why) => removeMember(member, why));
  }

  function removeMember(member: Member, reason: 'left' | 'closed' | 'timeout'): void {
    member.room.remove(member, reason);
    if (member.room.size === 0) {
      member.room.dispose();
      rooms.delete(member.room.name);
    }
  }

  // Heartbeat: a peer whose network vanished never sends a close frame, so we ask every interval and
  // drop whoever did not answer the previous question (detected within two intervals).
  const heartbeat = setInterval(() => {
    for (const session of sessions) {
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
  const { port } = http.address() as AddressInfo;
  const shownHost =
    config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${shownHost}:${port}/`,
    signalingUrl: `ws://${shownHost}:${port}${SIGNALING_PATH}`,
    port,
    config,
    close: () => shutdown(http, sessions, rooms, heartbeat),
  };
}

async function shutdown(
  http: Server,
  sessions: Set<Session>,
  rooms: Map<string, Room>,
  heartbeat: ReturnType<typeof setInterval>,
): Promise<void> {
  clearInterval(heartbeat);
  const closed = once(http, 'close');
  http.close();
  const sockets = [...sessions].map((session) => session.socket);
  for (const socket of sockets) socket.close(1001, 'server shutting down');
  const cutoff = setTimeout(() => {
    for (const socket of sockets) socket.terminate();
  }, CLOSE_GRACE_MS);
  await Promise.all(sockets.map((socket) => (socket.readyState === socket.CLOSED ? undefined : once(socket, 'close'))));
  clearTimeout(cutoff);
  for (const room of rooms.values()) room.dispose();
  http.closeAllConnections();
  await closed;
}

function holdLimits(config: ServerConfig) {
  return { ttlMs: config.holdTtlMs, maxSignals: config.holdMaxSignals, maxBytes: config.holdMaxBytes };
}

function newPeerId(): string {
  // 96 random bits: ids are public, but guessing one must not be practical.
  return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
}

/**
 * Whether a WebSocket upgrade may proceed: any origin when none is listed, else a listed one or no
 * Origin at all. The server's own host is not let in by itself: a DNS-rebinding page names that host too.
 */
function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}
