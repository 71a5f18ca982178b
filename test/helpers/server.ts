import type { ClientOptions } from 'ws';
import { type IcebreakerServer, type ServerConfig, startServer } from '../../src/server/index.js';
import { TestSocket } from './socket.js';

/** A real server on an ephemeral port of 127.0.0.1, and the sockets a test opened on it. */
export interface Harness {
  readonly server: IcebreakerServer;
  socket(options?: ClientOptions): Promise<TestSocket>;
  /** Opens a socket and joins `room`; returns the socket and its peer id. */
  peer(room: string, extra?: object): Promise<{ socket: TestSocket; id: string; welcome: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts a server for a test. A dropped peer leaves at once unless the test sets a resume grace. */
export async function startHarness(options: Partial<ServerConfig> = {}): Promise<Harness> {
  const server = await startServer({ port: 0, host: '127.0.0.1', iceServers: [], resumeGraceMs: 0, ...options });
  const sockets: TestSocket[] = [];
  const socket: Harness['socket'] = async (wsOptions) => {
    const s = await TestSocket.open(server.signalingUrl, wsOptions ?? {});
    sockets.push(s);
    return s;
  };
  return {
    server,
    socket,
    async peer(room, extra = {}) {
      const s = await socket();
      const welcome = await s.join(room, extra);
      return { socket: s, id: welcome.peerId as string, welcome };
    },
    async close() {
      await Promise.all(sockets.map((s) => s.close()));
      await server.close();
    },
  };
}
