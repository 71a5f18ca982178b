// The signaling server mounted on an Express 5 application that has a route of its own (/hello).
// Run it: `npm run build && node examples/express.js` (PORT=0 picks a free port), then open the
// address it prints in two tabs. SIGTERM drains; Ctrl+C closes at once.
import { createServer } from 'node:http';
import { createSignalingServer, TEACHING_PAGE_DIR } from '@icebreaker/server';
import express from 'express';

const signaling = await createSignalingServer({ staticDir: TEACHING_PAGE_DIR, iceServers: [] });

const app = express();
app.get('/hello', (_req, res) => {
  res.type('text/plain').send('hello from Express\n');
});
// Requests no route of the application took: the signaling server's probes and page, else Express's 404.
app.use(async (req, res, next) => {
  if (!(await signaling.handleRequest(req, res))) next();
});

// Express makes no server of its own until `app.listen`; one made here takes the signaling server's
// timeouts and bounds, and its upgrades (Express never sees them).
const server = createServer(signaling.serverOptions, app);
server.maxConnections = signaling.maxSockets;
server.on('connection', signaling.handleConnection);
server.on('upgrade', signaling.handleUpgrade);

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});

process.once('SIGTERM', () => signaling.drain().then(() => server.close()));
process.once('SIGINT', () => signaling.close().then(() => server.close()));
