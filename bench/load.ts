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
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { connectPairs, median, type ServerKind, ServerUnderTest, streamPairs } from './load/harness.js';

const IDLE = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 5000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 50);
const SIGNALS = Number(process.env.BENCH_SIGNALS_PER_PAIR ?? 2000);
const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 3);
/** Which servers run: all, or those named in BENCH_SERVERS (comma-separated), for a quick look. */
const KINDS = (['bare', 'icebreaker', 'peerjs'] as const).filter(
  (k) => !process.env.BENCH_SERVERS || process.env.BENCH_SERVERS.split(',').includes(k),
);
const OUT = join(import.meta.dirname, '..', 'bench-results');
const LABEL: Record<ServerKind, string> = { bare: 'bare ws forwarder', icebreaker: 'Icebreaker', peerjs: 'PeerJS server (peer 1.0.2)' };

interface Result {
  idleRssBytes: number;
  idleJsBytes: number;
  signalsPerSecond: number;
  cpuMicrosPerSignal: number;
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
      const seconds = await streamPairs(pairs, SIGNALS);
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
