/**
 * What the load benchmarks share: server processes measured alone, and client connections that
 * speak each server's protocol and time what they receive.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import WebSocket from 'ws';

/** The servers the load benchmark compares (bench/load/server.js starts one). */
export type ServerKind = 'icebreaker' | 'peerjs' | 'bare';

/** Signals a direction may have in flight when a benchmark saturates the server. */
export const WINDOW = 32;

export const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx raddr 192.168.1.20 rport 61234 generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'f3Kq',
};

export interface Measure {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

/** A server process of the benchmark. */
export class ServerUnderTest {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts a server; `env` reaches it (BENCH_REDIS_URL makes an Icebreaker node of a cluster). */
  static async start(kind: ServerKind, env: Record<string, string> = {}): Promise<ServerUnderTest> {
    const child = fork(join(import.meta.dirname, 'server.js'), [kind], {
      env: { ...process.env, ...env },
      // BENCH_CPU_PROF=dir writes each server's V8 CPU profile there (open it in Chrome's DevTools).
      execArgv: ['--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const [message] = (await once(child, 'message')) as [{ port: number }];
    return new ServerUnderTest(child, message.port);
  }

  async measure(): Promise<Measure> {
    const answer = once(this.child, 'message');
    this.child.send('measure');
    return (await answer)[0] as Measure;
  }

  async stop(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/**
 * One client connection speaking the server's own protocol, counting the signals it receives. With
 * Icebreaker and the bare forwarder each signal carries its send time (in `seq`, microseconds), so the
 * receiver knows each one's latency through the server.
 */
export class Client {
  received = 0;
  /** Milliseconds from send to receipt of each signal received, when `timing` is on. */
  readonly latencies: number[] = [];
  timing = false;
  private waiter: { count: number; resolve: () => void } | null = null;
  private constructor(
    readonly ws: WebSocket,
    private readonly signal: string,
  ) {}

  /** Connects as `id` into `room` (a pair shares one) and resolves once the server has admitted it. */
  static async connect(kind: ServerKind, port: number, id: string, room: string, partner: string): Promise<Client> {
    const url =
      kind === 'icebreaker'
        ? `ws://127.0.0.1:${port}/ws`
        : kind === 'peerjs'
          ? `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=t${id}`
          : `ws://127.0.0.1:${port}/`;
    const signal =
      kind === 'peerjs'
        ? JSON.stringify({ type: 'CANDIDATE', dst: partner, payload: { candidate: CANDIDATE, type: 'data', connectionId: 'dc_1' } })
        : `{"type":"signal","seq":SEQ,"data":${JSON.stringify({ kind: 'candidate', candidate: CANDIDATE })}}`;
    const ws = new WebSocket(url);
    // A reset while a server stops is not the benchmark's business.
    ws.on('error', () => {});
    const client = new Client(ws, signal);
    const admitted = new Promise<void>((resolve, reject) => {
      ws.once('message', (first) => {
        const text = String(first);
        if (text === 'joined' || text.startsWith('{"type":"welcome"') || text === '{"type":"OPEN"}') resolve();
        else reject(new Error(`${kind}: not admitted: ${text.slice(0, 120)}`));
        ws.on('message', (data) => client.count(String(data)));
      });
      ws.once('error', reject);
    });
    await once(ws, 'open');
    if (kind === 'icebreaker') ws.send(JSON.stringify({ type: 'join', protocol: 1, room }));
    if (kind === 'bare') ws.send(room);
    await admitted;
    return client;
  }

  private count(text: string): void {
    if (!text.includes('candidate:842163049')) return;
    this.received++;
    if (this.timing) {
      const sentAt = /"seq":(\d+)/.exec(text)?.[1];
      if (sentAt !== undefined) this.latencies.push(performance.now() - Number(sentAt) / 1000);
    }
    if (this.waiter && this.received >= this.waiter.count) {
      this.waiter.resolve();
      this.waiter = null;
    }
  }

  until(count: number): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = { count, resolve };
    });
  }

  send(): void {
    this.ws.send(this.signal.replace('SEQ', String(Math.round(performance.now() * 1000))));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    // Not once(): it rejects on an 'error' (a reset), which a close may bring; 'close' always follows.
    const closed = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await closed;
  }
}

/**
 * Opens `count` connections, in pairs sharing a room, a batch at a time (the listen backlog is finite).
 * `port` is the server's, or for a cluster the node of the n-th connection.
 */
export async function connectPairs(
  kind: ServerKind,
  port: number | ((n: number) => number),
  count: number,
  tag: string,
): Promise<Client[]> {
  const portOf = typeof port === 'number' ? () => port : port;
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 200); j += 2) {
      const [a, b] = [`${tag}${j}`, `${tag}${j + 1}`];
      batch.push(
        Client.connect(kind, portOf(j), a, `room-${a}`, b).then(async (first) => [
          first,
          await Client.connect(kind, portOf(j + 1), b, `room-${a}`, a),
        ]),
      );
    }
    for (const pair of await Promise.all(batch)) clients.push(...pair);
  }
  return clients;
}

/**
 * Every pair of `clients` (as `connectPairs` made them) trades `signals` signals each way at once, as
 * fast as the server forwards them; resolves with the seconds it took.
 */
export async function streamPairs(clients: readonly Client[], signals: number): Promise<number> {
  const started = performance.now();
  const streams = [];
  for (let i = 0; i + 1 < clients.length; i += 2) {
    const [a, b] = [clients[i] as Client, clients[i + 1] as Client];
    streams.push(stream(a, b, signals), stream(b, a, signals));
  }
  await Promise.all(streams);
  return (performance.now() - started) / 1000;
}

/** Sends `signals` signals from `from` to `to`, `WINDOW` at a time. */
async function stream(from: Client, to: Client, signals: number): Promise<void> {
  const start = to.received;
  for (let sent = 0; sent < signals; ) {
    const burst = Math.min(WINDOW, signals - sent);
    for (let i = 0; i < burst; i++) from.send();
    sent += burst;
    await to.until(start + sent);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
