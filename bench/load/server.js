// Plain JavaScript, run by node itself: a server under test runs without a TypeScript loader (tsx's
// transform and its loader thread cost CPU per call, which would be charged to the server measured).

/**
 * One signaling server of the load benchmark, in a process of its own so that its memory and CPU can
 * be measured alone: `icebreaker`, `peerjs` (npm `peer`, PeerJS's server) or `bare` (the least a
 * forwarder can do: pair sockets by room, pass every frame on untouched). It reports its port, then
 * answers "measure" with its memory after a full GC and its CPU time so far.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { PeerServer } from 'peer';
import { WebSocket, WebSocketServer } from 'ws';

/** Set for Icebreaker: closed on SIGTERM, so that a cluster node leaves Redis tidy for the next setup. */
/** @type {{ close(): Promise<void> } | null} */
let icebreaker = null;

/** @param {'icebreaker' | 'peerjs' | 'bare'} kind @returns {Promise<number>} */
async function start(kind) {
  switch (kind) {
    case 'icebreaker': {
      // The built server, as `icebreaker serve` runs it (npm run bench builds first), not its sources
      // through tsx: the two other servers run their published JavaScript too.
      const built = new URL('../../packages/server/dist/index.js', import.meta.url).href;
      const { startServer } = await import(built);
      // Every limit stays on (their cost is part of the server) but set past what the load needs.
      const server = await startServer({
        port: 0,
        iceServers: [],
        maxConnections: 100_000,
        maxConnectionsPerIp: 0,
        rateMessagesPerSecond: 1_000_000,
        rateBytesPerSecond: 1024 ** 3,
        redisUrl: process.env.BENCH_REDIS_URL ?? null,
      });
      icebreaker = server;
      return server.port;
    }
    case 'peerjs': {
      const http = await new Promise((resolve) => {
        PeerServer({ port: 0, host: '127.0.0.1', path: '/', concurrent_limit: 100_000 }, resolve);
      });
      return /** @type {import('node:net').AddressInfo} */ (http.address()).port;
    }
    case 'bare':
      return startBareForwarder();
  }
}

/** Pairs the sockets that name the same room in their first frame, then forwards every frame raw. */
/** @returns {Promise<number>} */
async function startBareForwarder() {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, maxPayload: 256 * 1024 });
  /** @type {Map<string, WebSocket>} */
  const waiting = new Map();
  wss.on('connection', (ws) => {
    /** @type {WebSocket | undefined} */
    let partner;
    ws.once('message', (first) => {
      const room = String(first);
      const other = waiting.get(room);
      if (other) {
        waiting.delete(room);
        partner = other;
        other.emit('partner', ws);
      } else {
        waiting.set(room, ws);
        ws.once('partner', (p) => {
          partner = p;
        });
      }
      ws.send('joined');
      ws.on('message', (data, isBinary) => {
        if (partner?.readyState === WebSocket.OPEN) partner.send(data, { binary: isBinary });
      });
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return /** @type {import('node:net').AddressInfo} */ (http.address()).port;
}

const kind = /** @type {'icebreaker' | 'peerjs' | 'bare'} */ (process.argv[2]);
const port = await start(kind);
process.on('message', async (request) => {
  if (request !== 'measure') return;
  // CPU first: the GCs that settle the memory figure are the measurement's cost, not the server's.
  const cpu = process.cpuUsage();
  const gc = globalThis.gc;
  // Two full collections a moment apart, so that V8 has handed back what it no longer uses.
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc?.();
  process.send?.({ memory: process.memoryUsage(), cpu });
});
// An orderly exit, so that a --cpu-prof profile gets written.
process.on('SIGTERM', () => {
  void (icebreaker?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
process.send?.({ port });
