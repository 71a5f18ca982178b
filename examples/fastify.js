// The signaling server mounted on a Fastify 5 application that has a route of its own (/hello).
// Run it: `npm run build && node examples/fastify.js` (PORT=0 picks a free port), then open the
// address it prints in two tabs. SIGTERM drains; Ctrl+C closes at once.
import { createServer } from 'node:http';
import { createSignalingServer, TEACHING_PAGE_DIR } from '@icebreaker/server';
import Fastify from 'fastify';

const signaling = await createSignalingServer({ staticDir: TEACHING_PAGE_DIR, iceServers: [] });

const app = Fastify({
  // Fastify lets the application make its server: one with the signaling server's timeouts and
  // bounds, whose upgrades go to it (Fastify itself takes none without a WebSocket plugin).
  serverFactory: (handler) => {
    const server = createServer(signaling.serverOptions, handler);
    server.maxConnections = signaling.maxSockets;
    server.on('connection', signaling.handleConnection);
    server.on('upgrade', signaling.handleUpgrade);
    return server;
  },
});
app.get('/hello', async () => 'hello from Fastify\n');
// Requests no route took: the signaling server's probes and page answer them on the raw response.
app.setNotFoundHandler(async (request, reply) => {
  reply.hijack();
  if (!(await signaling.handleRequest(request.raw, reply.raw))) {
    reply.raw.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Fastify has no such route\n');
  }
});
// `app.close()` waits for every socket of its server: the signaling connections must end first.
app.addHook('preClose', () => signaling.close());

const address = await app.listen({ port: Number(process.env.PORT ?? 8080), host: '127.0.0.1' });
console.log(`listening on ${address}/`);

// A drain ends with the signaling server closed; the hook above then finds it closed already.
process.once('SIGTERM', () => signaling.drain().then(() => app.close()));
process.once('SIGINT', () => app.close());
