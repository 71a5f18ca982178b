import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AddressBook } from './address-book.js';
import type { ServerConfig } from './config.js';
import type { RejectionReason } from './metrics.js';
import { requestPath } from './request-path.js';

/** The path of the WebSocket endpoint; everything else on the port is plain HTTP. */
export const SIGNALING_PATH = '/ws';

/** The HTTP answer to an upgrade refused for each reason. */
export const UPGRADE_REFUSALS = {
  'bad-request': '400 Bad Request',
  'not-found': '404 Not Found',
  origin: '403 Forbidden',
  draining: '503 Service Unavailable',
  unavailable: '503 Service Unavailable',
  capacity: '503 Service Unavailable',
  'per-ip': '429 Too Many Requests',
} as const satisfies Partial<Record<RejectionReason, string>>;

/** Why an upgrade is refused before it becomes a WebSocket. */
export type UpgradeRefusal = keyof typeof UPGRADE_REFUSALS;

/** How long a refused upgrade's socket stays open for its client to read the answer. */
const REFUSAL_LINGER_MS = 1000;

/** What the gate reads from the live server at each upgrade. */
export interface GateState {
  readonly draining: boolean;
  /** Whether the hub can take new peers (a cluster node that lost Redis cannot). */
  readonly hubReady: boolean;
  readonly connections: number;
}

/**
 * The admission checks of a WebSocket upgrade, cheapest and least revealing first: whether the
 * request is well formed and for this endpoint, whether its page may connect, whether this server can
 * take anyone, then whether this address may. Returns the first that fails, or null to accept.
 */
export function upgradeGate(req: IncomingMessage, config: ServerConfig, state: GateState, addresses: AddressBook): UpgradeRefusal | null {
  const pathname = requestPath(req);
  if (pathname === null) return 'bad-request';
  if (pathname !== SIGNALING_PATH) return 'not-found';
  if (!originAllowed(req, config.allowedOrigins)) return 'origin';
  if (state.draining) return 'draining';
  if (!state.hubReady) return 'unavailable';
  if (state.connections >= config.maxConnections) return 'capacity';
  if (addresses.full(req.socket.remoteAddress ?? '')) return 'per-ip';
  return null;
}

/** Answers a refused upgrade with its HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal): void {
  // The HTTP server keeps sockets half-open: a client that never closes its side after a refusal
  // would hold a descriptor the connection limits never count. It gets a moment to read the answer.
  (socket as Socket).setTimeout(REFUSAL_LINGER_MS, () => socket.destroy());
  socket.end(`HTTP/1.1 ${UPGRADE_REFUSALS[refusal]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Whether a WebSocket upgrade may proceed: any origin when none is listed, else a listed one or no
 * Origin at all. The server's own host is not let in by itself: a DNS-rebinding page names that host too.
 */
function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}
