/**
 * `npm run bench`: Icebreaker against a bare RTCDataChannel (the ceiling for throughput, the floor for
 * setup time) and PeerJS 1.5.5 with its `peer` server, all measured in the same run between two
 * Chromium tabs on this machine. Prints a table and writes JSON, Markdown and a chart under
 * bench-results/. A benchmark, not a test: targets are reported, never asserted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@icebreaker/server';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.js';
import { ServerUnderTest } from './load/harness.js';

const MiB = 1024 * 1024;
const SETUP_RUNS = Number(process.env.BENCH_SETUP_RUNS ?? 20);
const TRANSFER_RUNS = Number(process.env.BENCH_TRANSFER_RUNS ?? 3);
const TRANSFER_BYTES = Number(process.env.BENCH_TRANSFER_MIB ?? 64) * MiB;
const OUT = join(import.meta.dirname, '..', 'bench-results');
const IMPLS = ['bare', 'library', 'messages', 'peerjs'] as const;
type ImplName = (typeof IMPLS)[number];
const LABEL: Record<ImplName, string> = {
  bare: 'bare RTCDataChannel',
  library: 'Icebreaker sendFile',
  messages: 'Icebreaker send',
  peerjs: 'PeerJS 1.5.5',
};
/** Which implementations run: all, or those named in BENCH_ONLY (comma-separated), for a quick look. */
const ONLY = process.env.BENCH_ONLY?.split(',');

type BenchApi = {
  use(name: ImplName, port?: number): void;
  begin(role: 'wait' | 'join', room: string): Promise<void>;
  finish(): Promise<number>;
  beginReceive(bytes: number): void;
  send(bytes: number): Promise<number>;
  close(): void;
};
const api = (page: Page) => ({
  use: (name: ImplName, port: number) =>
    page.evaluate(([n, p]) => (globalThis as unknown as { bench: BenchApi }).bench.use(n, p), [name, port] as const),
  begin: (role: 'wait' | 'join', room: string) =>
    page.evaluate(([r, m]) => (globalThis as unknown as { bench: BenchApi }).bench.begin(r, m), [role, room] as const),
  finish: () => page.evaluate(() => (globalThis as unknown as { bench: BenchApi }).bench.finish()),
  beginReceive: (bytes: number) => page.evaluate((b) => (globalThis as unknown as { bench: BenchApi }).bench.beginReceive(b), bytes),
  send: (bytes: number) => page.evaluate((b) => (globalThis as unknown as { bench: BenchApi }).bench.send(b), bytes),
  close: () => page.evaluate(() => (globalThis as unknown as { bench: BenchApi }).bench.close()),
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const server = await startServer({ port: 0, staticDir: 'dist/bench', iceServers: [] });
  // PeerJS's server re-arms two timers forever (its message expiry and broken-connection checks) and
  // has no way to stop them: in this process it kept `npm run bench` from ever reaching load.ts. In a
  // process of its own, it ends when told to.
  const peerServer = await ServerUnderTest.start('peerjs');
  const peerPort = peerServer.port;
  const browser = await launchChromium();
  // One context: BroadcastChannel (the bare baseline's signaling) works between its tabs.
  const context = await browser.newContext();
  const [waiter, joiner] = [await context.newPage(), await context.newPage()];
  for (const page of [waiter, joiner]) await page.goto(server.url);
  const [a, b] = [api(waiter), api(joiner)];

  const results: Record<ImplName, { setupMs: number; setupRuns: number[]; mibPerSecond: number; transferRuns: number[] }> = {} as never;
  try {
    for (const impl of IMPLS.filter((name) => !ONLY || ONLY.includes(name))) {
      const setupRuns: number[] = [];
      for (let i = 0; i < SETUP_RUNS; i++) {
        const room = `${impl}-${i}-${Date.now().toString(36)}`;
        await a.use(impl, peerPort);
        await b.use(impl, peerPort);
        await a.begin('wait', room);
        await b.begin('join', room);
        setupRuns.push(await b.finish());
        await a.finish();
        if (i < SETUP_RUNS - 1) {
          await a.close();
          await b.close();
        }
      }
      // Throughput over the last connection: the waiting tab receives, the joining tab sends.
      // A first, discarded run warms up every party (JIT, SCTP's congestion window, the sender's file).
      const transferRuns: number[] = [];
      for (let i = -1; i < TRANSFER_RUNS; i++) {
        await a.beginReceive(TRANSFER_BYTES);
        const started = performance.now();
        await b.send(TRANSFER_BYTES);
        await a.finish();
        if (i >= 0) transferRuns.push(TRANSFER_BYTES / MiB / ((performance.now() - started) / 1000));
      }
      await a.close();
      await b.close();
      results[impl] = { setupMs: median(setupRuns), setupRuns, mibPerSecond: median(transferRuns), transferRuns };
      console.error(`${LABEL[impl]}: setup ${median(setupRuns).toFixed(0)} ms, ${median(transferRuns).toFixed(1)} MiB/s`);
    }
    if (!ONLY) await report(results, context);
  } finally {
    await browser.close();
    await server.close();
    await peerServer.stop();
  }
}

async function report(
  results: Record<ImplName, { setupMs: number; mibPerSecond: number }>,
  context: import('playwright-core').BrowserContext,
): Promise<void> {
  const { bare, library, messages, peerjs } = results;
  const targets = [
    {
      what: 'send() throughput ≥ 90% of the bare channel (no file read, no SHA-256: the library alone)',
      ratio: messages.mibPerSecond / bare.mibPerSecond,
      pass: messages.mibPerSecond >= 0.9 * bare.mibPerSecond,
    },
    {
      what: 'sendFile throughput ≥ 90% of the bare channel',
      ratio: library.mibPerSecond / bare.mibPerSecond,
      pass: library.mibPerSecond >= 0.9 * bare.mibPerSecond,
    },
    {
      what: 'sendFile throughput ≥ 2× PeerJS',
      ratio: library.mibPerSecond / peerjs.mibPerSecond,
      pass: library.mibPerSecond >= 2 * peerjs.mibPerSecond,
    },
    { what: 'setup ≤ 1.3× the BroadcastChannel floor', ratio: library.setupMs / bare.setupMs, pass: library.setupMs <= 1.3 * bare.setupMs },
    { what: 'setup faster than PeerJS', ratio: library.setupMs / peerjs.setupMs, pass: library.setupMs < peerjs.setupMs },
  ];
  const rows = IMPLS.map((impl) => `| ${LABEL[impl]} | ${results[impl].mibPerSecond.toFixed(1)} | ${results[impl].setupMs.toFixed(0)} |`);
  const markdown = [
    `# Icebreaker benchmark (${new Date().toISOString()})`,
    '',
    `Chromium, two tabs, loopback; ${cpus().length} cores. Throughput: median of ${TRANSFER_RUNS} × ${TRANSFER_BYTES / MiB} MiB. Setup: median of ${SETUP_RUNS}, start → channel open on the joining side.`,
    '',
    '| implementation | throughput (MiB/s) | setup (ms) |',
    '| --- | ---: | ---: |',
    ...rows,
    '',
    '| target | ratio | met |',
    '| --- | ---: | :---: |',
    ...targets.map((t) => `| ${t.what} | ${t.ratio.toFixed(2)} | ${t.pass ? 'yes' : 'no'} |`),
    '',
  ].join('\n');
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'results.md'), markdown);
  await writeFile(join(OUT, 'results.json'), JSON.stringify({ cores: cpus().length, results, targets }, null, 2));
  const page = await context.newPage();
  await page.setViewportSize({ width: 900, height: 420 });
  await page.setContent(chart(results));
  await page.screenshot({ path: join(OUT, 'chart.png') });
  console.log(markdown);
  console.log(`Written to ${OUT}/ (results.md, results.json, chart.png)`);
}

function chart(results: Record<ImplName, { setupMs: number; mibPerSecond: number }>): string {
  const bars = (metric: 'mibPerSecond' | 'setupMs', unit: string, x: number) => {
    const max = Math.max(...IMPLS.map((i) => results[i][metric]));
    return IMPLS.map((impl, n) => {
      const value = results[impl][metric];
      const h = (value / max) * 260;
      return `<rect x="${x + n * 100}" y="${330 - h}" width="80" height="${h}" fill="${['#8a8f98', '#0b5fff', '#6b9bff', '#b4530b'][n]}"/>
        <text x="${x + n * 100 + 40}" y="${320 - h}" text-anchor="middle">${value.toFixed(metric === 'setupMs' ? 0 : 1)} ${unit}</text>
        <text x="${x + n * 100 + 40}" y="350" text-anchor="middle" font-size="11">${LABEL[impl]}</text>`;
    }).join('');
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="420" font-family="sans-serif" font-size="14">
    <rect width="900" height="420" fill="#fff"/>
    <text x="40" y="30" font-size="18" font-weight="bold">File throughput (higher is better)</text>${bars('mibPerSecond', 'MiB/s', 40)}
    <text x="480" y="30" font-size="18" font-weight="bold">Connection setup (lower is better)</text>${bars('setupMs', 'ms', 480)}
  </svg>`;
}

await main();
