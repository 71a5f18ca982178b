// The signaling server mounted on a plain node:http server that has a route of its own (/hello).
// Run it: `npm run build && node examples/plain-http.js` (PORT=0 picks a free port), then open the
// address it prints in two tabs. SIGTERM drains (clients are told to reconnect elsewhere); Ctrl+C
// closes at once.
import { createServer } from 'node:http';
import { createSignalingServer, TEACHING_PAGE_DIR } from '@icebreaker/server';

// Two tabs on one machine need no STUN server; list yours in iceServers for peers on other networks.
const signaling = await createSignalingServer({ staticDir: TEACHING_PAGE_DIR, iceServers: [] });

// The header and request timeouts the signaling server asks of its host (slow clients cannot hold
// sockets for ever).
const server = createServer(signaling.serverOptions, async (req, res) => {
  if (req.url === '/hello') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('hello from the host\n');
    return;
  }
  // /healthz, /readyz, /metrics and the teaching page; anything else is left to the host.
  if (await signaling.handleRequest(req, res)) return;
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('the host has no such page\n');
});
// Bounds on sockets, in all and per address, so that a flood cannot run the process out of descriptors.
server.maxConnections = signaling.maxSockets;
server.on('connection', signaling.handleConnection);
// Upgrades of /ws become signaling connections; the signaling server refuses every other upgrade.
server.on('upgrade', signaling.handleUpgrade);

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});

// The signaling server ends its connections; the host then stops listening, and the process exits.
process.once('SIGTERM', () => signaling.drain().then(() => server.close()));
process.once('SIGINT', () => signaling.close().then(() => server.close()));
