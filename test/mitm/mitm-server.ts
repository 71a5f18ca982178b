/**
 * A malicious (or, in `honest` mode, faithful) signaling server for tests (issue 13, part 3): a real
 * process in front of a real Icebreaker server that proxies its HTTP (the page, `/ice-servers`, …) and
 * gives every WebSocket client its own WebSocket to the server. In `swap` mode it terminates each
 * pair's signaling and DTLS with node-datachannel peers of its own (see `swapper.ts`) and reads every
 * message.
 *
 *   tsx test/mitm/mitm-server.ts --upstream http://127.0.0.1:PORT --mode honest|swap [--port 0]
 *
 * Its first stdout line is `{"listening":port}`; then one JSON line per thing it did or saw.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { type WebSocket, WebSocketServer } from 'ws';
import { log } from './log.js';
import { Swapper } from './swapper.js';
import { linkCloses, openUpstream } from './upstream.js';

const { values } = parseArgs({
  options: {
    upstream: { type: 'string' },
    mode: { type: 'string', default: 'honest' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (values.upstream === undefined || (values.mode !== 'honest' && values.mode !== 'swap')) {
  process.stderr.write('usage: mitm-server.ts --upstream http://127.0.0.1:PORT --mode honest|swap [--port N] [--host H]\n');
  process.exit(2);
}
const upstream = new URL(values.upstream);
const swapper = values.mode === 'swap' ? new Swapper() : null;

// A harness that dies on one bad frame would hide what the test is about: it says so and carries on.
process.on('uncaughtException', (error) => log({ error: String(error?.stack ?? error) }));
process.on('unhandledRejection', (error) => log({ error: String((error as Error)?.stack ?? error) }));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

const server = createServer((req, res) => {
  // Plain HTTP goes through untouched, so a browser loads the page from here and opens `/ws` here.
  const forward = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on('error', (error) => {
    log({ error: `upstream HTTP: ${error.message}` });
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(forward);
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
server.on('upgrade', (req, socket, head) => {
  openUpstream(upstream, req, socket, (remote) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      log({ connected: req.url ?? '/' });
      if (swapper) swapper.attach(client, remote);
      else honest(client, remote);
    });
  });
});

server.listen(Number(values.port), values.host, () => {
  log({ listening: (server.address() as AddressInfo).port, mode: values.mode });
});

/** Every frame both ways as it came, text as text and binary as binary; a close on one side closes the other. */
function honest(client: WebSocket, remote: WebSocket): void {
  client.on('message', (data, isBinary) => remote.send(data, { binary: isBinary }));
  remote.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
  linkCloses(client, remote);
}
