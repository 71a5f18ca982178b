import { once } from 'node:events';
import { type Socket, connect as tcpConnect } from 'node:net';

/** An Origin the raw-socket tests' servers allow. */
export const ORIGIN = 'http://allowed.example';
/** RFC 6455 §1.3's sample key: any well-formed key does. */
export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** An upgrade request to `target` with whatever extra header lines a test adds. */
export function upgrade(target: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
}

/** A raw TCP connection to the server that records every byte it is sent and when it closes. */
export async function raw(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  const socket = tcpConnect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'connect');
  return { socket, text: () => text, closed };
}

/** Sends `request` and resolves with the status line the server answered, once the whole answer's head is in. */
export async function statusOf(port: number, request: string): Promise<string> {
  const client = await raw(port);
  client.socket.write(request);
  while (!client.text().includes('\r\n\r\n') && !client.socket.destroyed) await Promise.race([once(client.socket, 'data'), client.closed]);
  client.socket.destroy();
  return client.text().split('\r\n')[0] ?? '';
}
