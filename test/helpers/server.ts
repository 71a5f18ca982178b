import { type IcebreakerServer, type StartOptions, startServer } from '@icebreaker/server';
import { type Logger, pino } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ClientOptions } from 'ws';
import { RedisServer } from './redis.js';
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
export async function startHarness(options: StartOptions = {}): Promise<Harness> {
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

/** A logger that keeps every line it is given, parsed, for tests that assert on the log. */
export function captureLog(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** The value of one sample of the server's /metrics, e.g. `icebreaker_errors_total{code="bad-json"}`; 0 when absent. */
export async function metric(server: IcebreakerServer, sample: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** Where rooms can live, for `describe.each`: this process's memory, or a real redis-server. */
export const STORES = [
  ['in memory', false],
  ['on Redis', true],
] as const;

/**
 * The servers of a `describe` on one store: `start` starts a test's server (with `defaults`, and the
 * describe's redis-server when `onRedis`); it is closed after the test, the redis-server after the
 * describe. With `emptyEachTest`, Redis starts each test empty, so no test sees what another left.
 */
export function serverOnStore(
  onRedis: boolean,
  defaults: StartOptions,
  emptyEachTest = false,
): { start(options?: StartOptions): Promise<Harness> } {
  let redis: RedisServer | null = null;
  let current: Harness | null = null;
  beforeAll(async () => {
    if (onRedis) redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.kill();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
    if (redis && emptyEachTest) {
      await redis.kill();
      await redis.launch();
    }
  });
  return {
    async start(options = {}) {
      current = await startHarness({ ...defaults, ...(redis ? { redisUrl: redis.url } : {}), ...options });
      return current;
    },
  };
}
