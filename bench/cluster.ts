/**
 * `npm run bench` (third part): Icebreaker's cluster mode. Servers run as processes of their own,
 * with a real redis-server; a driver process loads them:
 *
 * - latency: P pairs each sending a signal every I ms both ways (a steady, unsaturated load), the
 *   same load for three setups: one node in memory (no Redis), one cluster node (both peers on it,
 *   through Redis), and two cluster nodes with the two peers of each pair on different nodes. Each
 *   signal's latency is measured from send to receipt by the driver: p50 and p99.
 * - throughput: pairs sending as fast as the server forwards (a window of 32 in flight each way) on
 *   clusters of 1, 2 and 3 nodes, the two peers of a pair on neighbouring nodes; aggregate signals/s.
 *
 * A benchmark, not a test: targets are reported, never asserted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../test/helpers/redis.js';
import { connectPairs, median, ServerUnderTest, streamPairs } from './load/harness.js';

const PAIRS = Number(process.env.BENCH_CLUSTER_PAIRS ?? 20);
/** Each pair sends one signal each way every this many ms: two loads, a light one and a heavy one. */
const INTERVALS_MS = (process.env.BENCH_CLUSTER_INTERVALS_MS ?? '40,10').split(',').map(Number);
const LATENCY_SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 5);
const SIGNALS = Number(process.env.BENCH_CLUSTER_SIGNALS_PER_PAIR ?? 2000);
const OUT = join(import.meta.dirname, '..', 'bench-results');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Starts `count` servers: in-memory when `redis` is null, else nodes of one cluster. */
async function servers(count: number, redis: RedisServer | null): Promise<ServerUnderTest[]> {
  const env: Record<string, string> = redis ? { BENCH_REDIS_URL: redis.url } : {};
  return Promise.all(Array.from({ length: count }, () => ServerUnderTest.start('icebreaker', env)));
}

/** Steady load for LATENCY_SECONDS: every pair sends one signal each way every `intervalMs`. */
async function latency(nodes: ServerUnderTest[], tag: string, intervalMs: number): Promise<{ p50: number; p99: number; signals: number }> {
  const clients = await connectPairs('icebreaker', (n) => (nodes[n % nodes.length] as ServerUnderTest).port, PAIRS * 2, tag);
  // A second of the same load first, to warm up every process; then the measured run.
  for (const measured of [false, true]) {
    for (const c of clients) {
      c.timing = measured;
      c.latencies.length = 0;
    }
    const ticker = setInterval(() => {
      for (const c of clients) c.send();
    }, intervalMs);
    await new Promise((resolve) => setTimeout(resolve, measured ? LATENCY_SECONDS * 1000 : 1000));
    clearInterval(ticker);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const all = clients.flatMap((c) => c.latencies);
  await Promise.all(clients.map((c) => c.close()));
  return { p50: percentile(all, 50), p99: percentile(all, 99), signals: all.length };
}

/** Saturating load: aggregate signals per second, median of 3 runs after a warm-up. */
async function throughput(nodes: ServerUnderTest[], tag: string): Promise<number> {
  const clients = await connectPairs('icebreaker', (n) => (nodes[n % nodes.length] as ServerUnderTest).port, PAIRS * 2, tag);
  const rates: number[] = [];
  for (let run = -1; run < 3; run++) {
    const seconds = await streamPairs(clients, SIGNALS);
    if (run >= 0) rates.push((clients.length * SIGNALS) / seconds);
  }
  await Promise.all(clients.map((c) => c.close()));
  return median(rates);
}

async function main(): Promise<void> {
  const redis = await RedisServer.start();
  const setups = [
    { label: 'one node, in memory', nodes: 1, redis: null },
    { label: 'one cluster node (Redis)', nodes: 1, redis },
    { label: 'two cluster nodes, peers apart', nodes: 2, redis },
  ] as const;
  type Latency = { label: string; load: number; p50: number; p99: number; signals: number };
  const latencies: Latency[] = [];
  const rates: Array<{ label: string; signalsPerSecond: number }> = [];
  try {
    for (const intervalMs of INTERVALS_MS) {
      const load = Math.round((PAIRS * 2 * 1000) / intervalMs);
      for (const setup of setups) {
        const nodes = await servers(setup.nodes, setup.redis);
        try {
          latencies.push({ label: setup.label, load, ...(await latency(nodes, `lat${latencies.length}-`, intervalMs)) });
        } finally {
          await Promise.all(nodes.map((n) => n.stop()));
        }
        const last = latencies.at(-1);
        console.error(
          `${load} signals/s, ${setup.label}: p50 ${last?.p50.toFixed(2)} ms, p99 ${last?.p99.toFixed(2)} ms (${last?.signals} signals)`,
        );
      }
    }
    for (const count of [1, 2, 3]) {
      const nodes = await servers(count, redis);
      try {
        rates.push({ label: `${count} node${count > 1 ? 's' : ''}`, signalsPerSecond: await throughput(nodes, `tp${count}-`) });
      } finally {
        await Promise.all(nodes.map((n) => n.stop()));
      }
      console.error(`cluster of ${count}: ${Math.round(rates.at(-1)?.signalsPerSecond ?? 0)} signals/s`);
    }
    const memory = await servers(1, null);
    try {
      rates.unshift({ label: '1 node, in memory', signalsPerSecond: await throughput(memory, 'tpm-') });
    } finally {
      await Promise.all(memory.map((n) => n.stop()));
    }
  } finally {
    await redis.kill();
  }

  // Per load: in memory, one cluster node, two cluster nodes — in that order.
  const targets = INTERVALS_MS.map((_, i) => {
    const [single, same, cross] = latencies.slice(i * 3, i * 3 + 3) as [Latency, Latency, Latency];
    return {
      what: `at ${single.load} signals/s: cross-node p99 < 2× single-node p99`,
      ratioToMemory: cross.p99 / single.p99,
      ratioToSameNode: cross.p99 / same.p99,
      pass: cross.p99 < 2 * single.p99,
    };
  });
  const markdown = [
    `Cluster: ${PAIRS} pairs; ${cpus().length} cores (Redis, nodes and driver share them)`,
    '',
    '| load | setup | p50 | p99 |',
    '| ---: | --- | ---: | ---: |',
    ...latencies.map((l) => `| ${l.load}/s | ${l.label} | ${l.p50.toFixed(2)} ms | ${l.p99.toFixed(2)} ms |`),
    '',
    '| throughput (saturated) | signals/s |',
    '| --- | ---: |',
    ...rates.map((r) => `| ${r.label} | ${Math.round(r.signalsPerSecond)} |`),
    '',
    ...targets.map(
      (t) =>
        `- ${t.pass ? 'met' : 'missed'}: ${t.what} in memory (${t.ratioToMemory.toFixed(2)}×; ${t.ratioToSameNode.toFixed(2)}× the p99 of one cluster node)`,
    ),
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'cluster.md'), markdown);
  await writeFile(
    join(OUT, 'cluster.json'),
    JSON.stringify({ cores: cpus().length, pairs: PAIRS, intervalsMs: INTERVALS_MS, latencies, rates, targets }, null, 2),
  );
}

await main();
