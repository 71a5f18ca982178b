import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { log } from './log.js';

/**
 * Opens the upstream WebSocket for one client's upgrade, on the same path, with its `Origin`, and
 * calls `accepted` once it is open; the client's upgrade is only accepted then, so its first frame
 * (its `join`) has somewhere to go. An upgrade the server refuses (403 origin, 429, 503) is refused
 * to the client with the same status.
 */
export function openUpstream(upstream: URL, req: IncomingMessage, socket: Duplex, accepted: (remote: WebSocket) => void): void {
  const url = new URL(req.url ?? '/', upstream);
  url.protocol = upstream.protocol === 'https:' ? 'wss:' : 'ws:';
  const origin = req.headers.origin;
  const remote = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024, ...(origin ? { origin } : {}) });
  let opened = false;
  remote.once('open', () => {
    opened = true;
    accepted(remote);
  });
  remote.once('unexpected-response', (_request, response) => {
    log({ refused: response.statusCode });
    socket.end(`HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    response.resume();
    remote.terminate();
  });
  remote.on('error', (error) => {
    if (opened) return;
    log({ error: `upstream WebSocket: ${error.message}` });
    socket.destroy();
  });
}

/** Closes each socket when the other closes, with the same code where the protocol lets one be sent. */
export function linkCloses(client: WebSocket, remote: WebSocket): void {
  client.on('close', (code, reason) => remote.close(sendable(code), reason));
  remote.on('close', (code, reason) => {
    log({ upstreamClosed: code });
    client.close(sendable(code), reason);
  });
  client.on('error', () => client.terminate());
  remote.on('error', () => client.terminate());
}

/**
 * The code to pass on: those RFC 6455 §7.4 lets an endpoint send (1005 "no code", 1006 "abnormal" and
 * 1015 "TLS" only describe a close, and ws refuses them), else 1000.
 */
function sendable(code: number): number {
  const valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  return valid ? code : 1000;
}
