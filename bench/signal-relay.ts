/**
 * The bare channel's signaling between two browsers (Firefox and Chromium share no BroadcastChannel):
 * a WebSocket server on an ephemeral port that passes each message to the other sockets of the same
 * path. Nothing of Icebreaker's: the ceiling must not lean on the library it is the ceiling of.
 */
import { once } from 'node:events';
import { type WebSocket, WebSocketServer } from 'ws';

/** A running relay: `url` plus a room path is where a tab connects. */
export interface SignalRelay {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the relay on 127.0.0.1 and an ephemeral port. */
export async function startSignalRelay(): Promise<SignalRelay> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const rooms = new Map<string, Set<WebSocket>>();
  server.on('connection', (socket, request) => {
    const room = request.url ?? '/';
    const members = rooms.get(room) ?? new Set<WebSocket>();
    rooms.set(room, members);
    members.add(socket);
    socket.on('message', (data, isBinary) => {
      for (const other of members) if (other !== socket) other.send(data, { binary: isBinary });
    });
    socket.on('close', () => {
      members.delete(socket);
      if (members.size === 0) rooms.delete(room);
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    async close() {
      for (const socket of server.clients) socket.terminate();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
