/**
 * `npm run bench` (second part): the signaling server under load, beside PeerJS's server (npm `peer`)
 * and a bare `ws` forwarder, each in its own process, measured in the same run:
 *
 * - memory per idle connection: N peers connected and in rooms, the server's RSS and JS memory
 *   (heap + external + array buffers) after a full GC, minus the same before they came;
 * - relay: P pairs trading candidate-sized signals through the server as fast as it forwards them (a
 *   window of W in flight per direction); signals per second, and the server's CPU time per signal.
 *
 * A benchmark, not a test: targets are reported, never asserted.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ServerKind } from './load/server.js';

const IDLE = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 5000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 50);
const SIGNALS = Number(process.env.BENCH_SIGNALS_PER_PAIR ?? 2000);
const WINDOW = 32;
const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 3);
/** Which servers run: all, or those named in BENCH_SERVERS (comma-separated), for a quick look. */
const KINDS = (['bare', 'icebreaker', 'peerjs'] as const).filter(
  (k) => !process.env.BENCH_SERVERS || process.env.BENCH_SERVERS.split(',').includes(k),
);
const OUT = join(import.meta.dirname, '..', 'bench-results');
const LABEL: Record<ServerKind, string> = { bare: 'bare ws forwarder', icebreaker: 'Icebreaker', peerjs: 'PeerJS server (peer 1.0.2)' };

const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx raddr 192.168.1.20 rport 61234 generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'f3Kq',
};

interface Measure {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

/** A server process of the benchmark. */
class ServerUnderTest {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(kind: ServerKind): Promise<ServerUnderTest> {
    const child = fork(join(import.meta.dirname, 'load', 'server.ts'), [kind], {
      // BENCH_CPU_PROF=dir writes each server's V8 CPU profile there (open it in Chrome's DevTools).
      execArgv: [
        '--import',
        'tsx',
        '--expose-gc',
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ],
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

/** One client connection speaking the server's own protocol, counting the signals it receives. */
class Client {
  received = 0;
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
        : JSON.stringify({ type: 'signal', data: { kind: 'candidate', candidate: CANDIDATE } });
    const ws = new WebSocket(url);
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
    this.ws.send(this.signal);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await once(this.ws, 'close');
  }
}

/** Opens `count` connections, in pairs sharing a room, a batch at a time (the listen backlog is finite). */
async function connectPairs(kind: ServerKind, port: number, count: number, tag: string): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 200); j += 2) {
      const [a, b] = [`${tag}${j}`, `${tag}${j + 1}`];
      batch.push(
        Client.connect(kind, port, a, `room-${a}`, b).then(async (first) => [first, await Client.connect(kind, port, b, `room-${a}`, a)]),
      );
    }
    for (const pair of await Promise.all(batch)) clients.push(...pair);
  }
  return clients;
}

/** Sends `SIGNALS` signals from `from` to `to`, `WINDOW` at a time. */
async function stream(from: Client, to: Client): Promise<void> {
  const start = to.received;
  for (let sent = 0; sent < SIGNALS; ) {
    const burst = Math.min(WINDOW, SIGNALS - sent);
    for (let i = 0; i < burst; i++) from.send();
    sent += burst;
    await to.until(start + sent);
  }
}

interface Result {
  idleRssBytes: number;
  idleJsBytes: number;
  signalsPerSecond: number;
  cpuMicrosPerSignal: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const jsBytes = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external + m.arrayBuffers;

async function measureKind(kind: ServerKind): Promise<Result> {
  const server = await ServerUnderTest.start(kind);
  try {
    const base = await server.measure();
    const idle = await connectPairs(kind, server.port, IDLE, 'idle');
    const loaded = await server.measure();
    await Promise.all(idle.map((c) => c.close()));

    const pairs = await connectPairs(kind, server.port, PAIRS * 2, 'relay');
    const rates: number[] = [];
    const cpuPerSignal: number[] = [];
    // A first, discarded run warms the JIT of server and driver alike.
    for (let run = -1; run < RUNS; run++) {
      const before = await server.measure();
      const started = performance.now();
      const streams = [];
      for (let i = 0; i < pairs.length; i += 2) {
        const [a, b] = [pairs[i] as Client, pairs[i + 1] as Client];
        streams.push(stream(a, b), stream(b, a));
      }
      await Promise.all(streams);
      const seconds = (performance.now() - started) / 1000;
      const after = await server.measure();
      const signals = PAIRS * 2 * SIGNALS;
      if (run < 0) continue;
      rates.push(signals / seconds);
      cpuPerSignal.push((after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / signals);
    }
    await Promise.all(pairs.map((c) => c.close()));
    return {
      idleRssBytes: (loaded.memory.rss - base.memory.rss) / IDLE,
      idleJsBytes: (jsBytes(loaded.memory) - jsBytes(base.memory)) / IDLE,
      signalsPerSecond: median(rates),
      cpuMicrosPerSignal: median(cpuPerSignal),
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const results = {} as Record<ServerKind, Result>;
  for (const kind of KINDS) {
    results[kind] = await measureKind(kind);
    const r = results[kind];
    console.error(
      `${LABEL[kind]}: ${(r.idleRssBytes / 1024).toFixed(1)} KiB RSS / ${(r.idleJsBytes / 1024).toFixed(1)} KiB JS per idle connection, ` +
        `${Math.round(r.signalsPerSecond)} signals/s, ${r.cpuMicrosPerSignal.toFixed(1)} µs CPU per signal`,
    );
  }
  if (KINDS.length < 3) return;
  const { bare, icebreaker } = results;
  const targets = [
    {
      what: 'server CPU per relayed signal ≤ the bare forwarder',
      ratio: icebreaker.cpuMicrosPerSignal / bare.cpuMicrosPerSignal,
      pass: icebreaker.cpuMicrosPerSignal <= bare.cpuMicrosPerSignal,
    },
    {
      what: 'memory (RSS) per idle connection ≤ 1.2× the bare forwarder',
      ratio: icebreaker.idleRssBytes / bare.idleRssBytes,
      pass: icebreaker.idleRssBytes <= 1.2 * bare.idleRssBytes,
    },
  ];
  const rows = KINDS.map((kind) => {
    const r = results[kind];
    return `| ${LABEL[kind]} | ${(r.idleRssBytes / 1024).toFixed(1)} KiB | ${(r.idleJsBytes / 1024).toFixed(1)} KiB | ${Math.round(r.signalsPerSecond)} | ${r.cpuMicrosPerSignal.toFixed(1)} µs |`;
  });
  const markdown = [
    `Load: ${IDLE} idle connections; ${PAIRS} pairs × 2 × ${SIGNALS} signals (median of ${RUNS}); ${cpus().length} cores`,
    '',
    '| server | RSS per idle connection | JS memory per idle connection | signals/s | server CPU per signal |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...targets.map((t) => `- ${t.pass ? 'met' : 'missed'}: ${t.what} (${t.ratio.toFixed(2)}×)`),
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'load.md'), markdown);
  await writeFile(
    join(OUT, 'load.json'),
    JSON.stringify({ cores: cpus().length, idle: IDLE, pairs: PAIRS, signals: SIGNALS, results, targets }, null, 2),
  );
}

await main();
