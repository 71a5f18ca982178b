/**
 * `npm run bench`: Icebreaker against a bare RTCDataChannel (the ceiling for throughput, the floor for
 * setup time) and PeerJS 1.5.5 with its `peer` server, all measured in the same run between two
 * Chromium tabs on this machine, and bare against Icebreaker between Firefox and Chromium. Prints a
 * table and writes JSON, Markdown and a chart under bench-results/. A benchmark, not a test: targets
 * are reported, never asserted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@icebreaker/server';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.js';
import { Firefox, type FirefoxTab } from '../test/helpers/firefox.js';
import { ServerUnderTest } from './load/harness.js';
import { startSignalRelay } from './signal-relay.js';
import { TabProfiler } from './tab-profile.js';

const MiB = 1024 * 1024;
const SETUP_RUNS = Number(process.env.BENCH_SETUP_RUNS ?? 20);
const TRANSFER_RUNS = Number(process.env.BENCH_TRANSFER_RUNS ?? 5);
const TRANSFER_BYTES = Number(process.env.BENCH_TRANSFER_MIB ?? 64) * MiB;
const OUT = join(import.meta.dirname, '..', 'bench-results');
const IMPLS = ['bare', 'library', 'messages', 'large', 'peerjs'] as const;
type ImplName = (typeof IMPLS)[number];
/** Whose setup is measured (large messages connect as `messages` do). */
const SETUP_IMPLS = ['bare', 'library', 'messages', 'peerjs'] as const;
const LABEL: Record<ImplName, string> = {
  bare: 'bare RTCDataChannel',
  library: 'Icebreaker sendFile',
  messages: 'Icebreaker send, 64 KiB messages',
  large: 'Icebreaker send, 16 MiB messages',
  peerjs: 'PeerJS 1.5.5',
};
/**
 * Which parts run: all, or those named in BENCH_ONLY (comma-separated: implementations, and `firefox`
 * for the Firefox ↔ Chromium rows), for a quick look; a partial run writes nothing.
 */
const ONLY = process.env.BENCH_ONLY?.split(',');
const namesImpl = ONLY?.some((name) => (IMPLS as readonly string[]).includes(name)) ?? false;
const wanted = (impl: ImplName) => !ONLY || !namesImpl || ONLY.includes(impl);
/**
 * BENCH_TUNE=1: instead of the comparison, the bare channel between the two Chromium tabs with other
 * message sizes and buffer thresholds, against the library's choices (the first row); writes nothing.
 */
const TUNE = Boolean(process.env.BENCH_TUNE);
const WITH_FIREFOX = !TUNE && (!ONLY || ONLY.includes('firefox'));
const SLOT = 'main';
/** BENCH_CPU_PROF=dir: each Chromium tab's CPU profile during each row's first measured transfer. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

/** A benchmark tab, in either browser: calls a function of its `bench` object (bench/web/bench.ts). */
interface Tab {
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** Chromium's tabs: the CPU profiler of `BENCH_CPU_PROF`. */
  profiler?: TabProfiler;
  name: string;
}

function chromiumTab(page: Page, name: string, profiler?: TabProfiler): Tab {
  return {
    name,
    ...(profiler ? { profiler } : {}),
    call: <T>(method: string, ...args: unknown[]) =>
      page.evaluate(
        ([m, a]) =>
          (globalThis as unknown as { bench: Record<string, (...args: unknown[]) => unknown> }).bench[m as string]?.(...(a as unknown[])),
        [method, args] as const,
      ) as Promise<T>,
  };
}

function firefoxTab(tab: FirefoxTab): Tab {
  return {
    name: 'firefox',
    call: <T>(method: string, ...args: unknown[]) => tab.evaluate<T>(`globalThis.bench.${method}(...${JSON.stringify(args)})`),
  };
}

/** One setup's steps in both tabs, in ms since the joining tab's start (the tabs share one clock). */
type Steps = { join: Record<string, number>; wait: Record<string, number> };

/** The first time each step happened, relative to `start`. */
function firstOf(marks: Array<[string, number]>, start: number): Record<string, number> {
  const steps: Record<string, number> = {};
  for (const [what, at] of marks) if (!(what in steps) && what !== 'start') steps[what] = at - start;
  return steps;
}

/** A setup's result and the medians of its steps. */
interface SetupResult {
  /** Cold: the signaling connection opens inside the timed window. */
  setupMs: number;
  setupRuns: number[];
  /** Warm: it was opened before (Icebreaker's `prepare`, PeerJS's `new Peer()` on load). */
  setupWarmMs: number;
  setupWarmRuns: number[];
  /** Median time of each step (warm runs), in each tab, since the joining tab's start. */
  steps: Array<{ step: string; join?: number; wait?: number }>;
}

/** One row of the throughput table: an implementation between two tabs, and what it measured. */
interface Row {
  pair: 'Chromium ↔ Chromium' | 'Firefox → Chromium';
  impl: ImplName;
  sender: Tab;
  receiver: Tab;
  slot: string;
  /** BENCH_TUNE: how this bare channel sends, and its label. */
  tuning?: { chunk: number; highWater: number; lowThreshold: number };
  label?: string;
  /** MiB/s of each round, in order. */
  runs: number[];
  mibPerSecond: number;
  /** This row over the bare channel of its pair in the same round; the median of those ratios. */
  ratioToBare: number;
}

/** The median of each step over the runs where it happened, in order of the joining tab's medians. */
function profile(runs: Steps[]): SetupResult['steps'] {
  const names = new Set(runs.flatMap((r) => [...Object.keys(r.join), ...Object.keys(r.wait)]));
  const at = (side: 'join' | 'wait', name: string) => {
    const values = runs.map((r) => r[side][name]).filter((v): v is number => v !== undefined);
    return values.length > runs.length / 2 ? median(values) : undefined;
  };
  const steps = [...names].map((step) => ({ step, ...defined('join', at('join', step)), ...defined('wait', at('wait', step)) }));
  return steps.sort((x, y) => Math.min(x.join ?? Infinity, x.wait ?? Infinity) - Math.min(y.join ?? Infinity, y.wait ?? Infinity));
}

function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function profileTable(steps: SetupResult['steps']): string {
  const ms = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1));
  return [
    '| step | joining tab (ms) | waiting tab (ms) |',
    '| --- | ---: | ---: |',
    ...steps.map((s) => `| ${s.step} | ${ms(s.join)} | ${ms(s.wait)} |`),
  ].join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const labelOf = (row: Row) => row.label ?? LABEL[row.impl];

/** BENCH_TUNE's rows: the library's choices first (64 KiB, 1 MiB, a quarter of it), then the others. */
function tuningRows(receiver: Tab, sender: Tab): Row[] {
  const KiB = 1024;
  const grid = [
    [64 * KiB, MiB, MiB / 4],
    [16 * KiB, MiB, MiB / 4],
    [256 * KiB, MiB, MiB / 4],
    [64 * KiB, 256 * KiB, 64 * KiB],
    [64 * KiB, 4 * MiB, MiB],
    [256 * KiB, 4 * MiB, MiB],
    // Not 16 MiB: Chromium refuses a send past 16 MiB queued ("send queue is full").
    [64 * KiB, 8 * MiB, 2 * MiB],
    [64 * KiB, MiB, 0],
  ] as const;
  return grid.map(([chunk, highWater, lowThreshold], n) => ({
    pair: 'Chromium ↔ Chromium',
    impl: 'bare',
    sender,
    receiver,
    slot: `tune-${n}`,
    tuning: { chunk, highWater, lowThreshold },
    label: `bare, ${chunk / KiB} KiB messages, wait above ${highWater / KiB} KiB until ${lowThreshold / KiB} KiB`,
    runs: [],
    mibPerSecond: 0,
    ratioToBare: 0,
  }));
}

/** Connects `receiver` (waiting) and `sender` (joining) with `impl` in `slot` of both tabs. */
async function connectSlot(row: Row, peerPort: number, relay?: string): Promise<void> {
  const { receiver, sender, impl, slot } = row;
  const room = `${slot}-${Date.now().toString(36)}`;
  await receiver.call('use', impl, peerPort, slot, relay ?? null, row.tuning);
  await sender.call('use', impl, peerPort, slot, relay ?? null, row.tuning);
  await receiver.call('begin', 'wait', room, true, slot);
  await sender.call('begin', 'join', room, true, slot);
  await sender.call('finish', slot);
  await receiver.call('finish', slot);
}

/** Connection setup, `SETUP_RUNS` times cold and warm, between the two Chromium tabs. */
async function measureSetup(a: Tab, b: Tab, impl: ImplName, peerPort: number): Promise<SetupResult> {
  // The floor has no signaling connection to open early: its cold and warm setups are one.
  const variants = impl === 'bare' ? [false] : [false, true];
  const setup = { cold: [] as number[], warm: [] as number[], steps: [] as Steps[] };
  for (const warm of variants) {
    for (let i = 0; i < SETUP_RUNS; i++) {
      const room = `${impl}-${warm ? 'w' : 'c'}${i}-${Date.now().toString(36)}`;
      await a.call('use', impl, peerPort, SLOT);
      await b.call('use', impl, peerPort, SLOT);
      await a.call('begin', 'wait', room, warm, SLOT);
      await b.call('begin', 'join', room, warm, SLOT);
      (warm ? setup.warm : setup.cold).push(await b.call<number>('finish', SLOT));
      await a.call('finish', SLOT);
      const [joinMarks, waitMarks] = [await b.call<Array<[string, number]>>('marks'), await a.call<Array<[string, number]>>('marks')];
      const start = joinMarks[0]?.[1] ?? 0;
      if (warm || impl === 'bare') setup.steps.push({ join: firstOf(joinMarks, start), wait: firstOf(waitMarks, start) });
      await a.call('close', SLOT);
      await b.call('close', SLOT);
    }
  }
  if (impl === 'bare') setup.warm = setup.cold;
  return {
    setupMs: median(setup.cold),
    setupRuns: setup.cold,
    setupWarmMs: median(setup.warm),
    setupWarmRuns: setup.warm,
    steps: profile(setup.steps),
  };
}

/**
 * Throughput of every row, all connected at once, in rounds: each round sends `TRANSFER_BYTES` once
 * through every row, starting one row later each round, so that a slow patch of this shared 2-core
 * machine falls on every row alike rather than on one. A first, discarded round warms up every party
 * (JIT, SCTP's congestion window, the sender's file). Each row's ratio to the bare channel is taken
 * within a round, then the median over rounds: a paired comparison, robust to drift between rounds.
 */
async function measureThroughput(rows: Row[]): Promise<void> {
  for (let round = -1; round < TRANSFER_RUNS; round++) {
    const turn = ((round % rows.length) + rows.length) % rows.length;
    for (const row of [...rows.slice(turn), ...rows.slice(0, turn)]) {
      await row.receiver.call('beginReceive', TRANSFER_BYTES, row.slot);
      const profiled = PROFILE_DIR && round === 0 ? [row.sender, row.receiver].filter((tab) => tab.profiler) : [];
      for (const tab of profiled) await tab.profiler?.start();
      const started = performance.now();
      await row.sender.call('send', TRANSFER_BYTES, row.slot);
      await row.receiver.call('finish', row.slot);
      const rate = TRANSFER_BYTES / MiB / ((performance.now() - started) / 1000);
      for (const tab of profiled) {
        const summary = await tab.profiler?.stop(PROFILE_DIR as string, `${row.slot}-${tab.name}`);
        console.error(`  profile ${row.pair}, ${labelOf(row)}, ${tab === row.sender ? 'sender' : 'receiver'}: ${summary}`);
      }
      if (round >= 0) row.runs.push(rate);
      if (process.env.BENCH_PROFILE) console.error(`  round ${round}: ${row.pair}, ${labelOf(row)}: ${rate.toFixed(1)} MiB/s`);
    }
  }
  for (const row of rows) {
    row.mibPerSecond = median(row.runs);
    const bare = rows.find((r) => r.pair === row.pair && r.impl === 'bare');
    row.ratioToBare = bare ? median(row.runs.map((rate, i) => rate / (bare.runs[i] as number))) : Number.NaN;
  }
}

async function main(): Promise<void> {
  const server = await startServer({ port: 0, staticDir: 'dist/bench', iceServers: [] });
  // PeerJS's server re-arms two timers forever (its message expiry and broken-connection checks) and
  // has no way to stop them: in this process it kept `npm run bench` from ever reaching load.ts. In a
  // process of its own, it ends when told to.
  const peerServer = await ServerUnderTest.start('peerjs');
  const peerPort = peerServer.port;
  // Firefox and Chromium share no BroadcastChannel: their bare channel signals through this relay.
  const relay = WITH_FIREFOX ? await startSignalRelay() : null;
  const browser = await launchChromium();
  const firefox = WITH_FIREFOX ? await Firefox.launch() : null;
  try {
    // One context: BroadcastChannel (the bare baseline's signaling) works between its tabs.
    const context = await browser.newContext();
    const [waiter, joiner] = [await context.newPage(), await context.newPage()];
    for (const page of [waiter, joiner]) await page.goto(server.url);
    if (PROFILE_DIR) await mkdir(PROFILE_DIR, { recursive: true });
    const profilerOf = (page: Page) => (PROFILE_DIR ? TabProfiler.attach(page) : Promise.resolve(undefined));
    const [a, b] = [chromiumTab(waiter, 'waiter', await profilerOf(waiter)), chromiumTab(joiner, 'joiner', await profilerOf(joiner))];

    const setups = {} as Record<ImplName, SetupResult>;
    if (SETUP_RUNS > 0 && !TUNE) {
      for (const impl of SETUP_IMPLS.filter(wanted)) {
        setups[impl] = await measureSetup(a, b, impl, peerPort);
        console.error(`${LABEL[impl]}: setup ${setups[impl].setupMs.toFixed(0)} ms (warm ${setups[impl].setupWarmMs.toFixed(0)} ms)`);
        if (process.env.BENCH_PROFILE) console.error(profileTable(setups[impl].steps));
      }
    }

    // The waiting Chromium tab receives; the joining tab, or Firefox, sends.
    const rows: Row[] = IMPLS.filter(wanted).map((impl) => ({
      pair: 'Chromium ↔ Chromium',
      impl,
      sender: b,
      receiver: a,
      slot: `cc-${impl}`,
      runs: [],
      mibPerSecond: 0,
      ratioToBare: 0,
    }));
    if (firefox && relay) {
      const tab = firefoxTab(await firefox.open(server.url));
      for (const impl of (['bare', 'messages', 'library'] as const).filter(wanted))
        rows.push({
          pair: 'Firefox → Chromium',
          impl,
          sender: tab,
          receiver: a,
          slot: `fc-${impl}`,
          runs: [],
          mibPerSecond: 0,
          ratioToBare: 0,
        });
    }
    if (TUNE) rows.splice(0, rows.length, ...tuningRows(a, b));
    for (const row of rows) await connectSlot(row, peerPort, row.pair === 'Firefox → Chromium' ? relay?.url : undefined);
    await measureThroughput(rows);
    for (const row of rows)
      console.error(
        `${row.pair}, ${labelOf(row)}: ${row.mibPerSecond.toFixed(1)} MiB/s (${row.ratioToBare.toFixed(2)}× bare; runs ${row.runs.map((r) => r.toFixed(1)).join(', ')})`,
      );
    for (const row of rows) {
      await row.sender.call('close', row.slot);
      await row.receiver.call('close', row.slot);
    }
    if (!ONLY && !TUNE) await report(setups, rows, context);
  } finally {
    await firefox?.close();
    await browser.close();
    await server.close();
    await relay?.close();
    await peerServer.stop();
  }
}

/** The throughput targets of issue 12 §3 (and PeerJS, issue 11), each as a ratio met or missed. */
function throughputTargets(rows: Row[]): Array<{ what: string; ratio: number; pass: boolean }> {
  const row = (pair: Row['pair'], impl: ImplName) => rows.find((r) => r.pair === pair && r.impl === impl) as Row;
  const chromium = (impl: ImplName, min: number, what: string) => {
    const ratio = row('Chromium ↔ Chromium', impl).ratioToBare;
    return { what: `${what} ≥ ${min}× the bare channel, Chromium ↔ Chromium`, ratio, pass: ratio >= min };
  };
  const firefox = (impl: ImplName, min: number, what: string) => {
    const ratio = row('Firefox → Chromium', impl).ratioToBare;
    return { what: `${what} ≥ ${min}× the bare channel, Firefox → Chromium`, ratio, pass: ratio >= min };
  };
  const peerjs = row('Chromium ↔ Chromium', 'library').mibPerSecond / row('Chromium ↔ Chromium', 'peerjs').mibPerSecond;
  return [
    chromium('messages', 0.95, 'send() of 64 KiB messages'),
    chromium('large', 0.95, 'send() of 16 MiB messages'),
    chromium('library', 0.9, 'sendFile (SHA-256 both ends)'),
    firefox('messages', 0.95, 'send() of 64 KiB messages'),
    firefox('library', 0.9, 'sendFile (SHA-256 both ends)'),
    { what: 'sendFile ≥ 2× PeerJS, Chromium ↔ Chromium', ratio: peerjs, pass: peerjs >= 2 },
  ];
}

async function report(
  setups: Record<ImplName, SetupResult>,
  rows: Row[],
  context: import('playwright-core').BrowserContext,
): Promise<void> {
  const { bare, library, peerjs } = setups;
  const targets = [
    ...throughputTargets(rows),
    // Issue 11 §3. Warm: each signaling connection opened before the start, as the issue asks
    // (`prepare`; PeerJS gets the same with `new Peer()`); cold: opened inside the window, as before.
    ...(['warm', 'cold'] as const).flatMap((kind) => {
      const ours = kind === 'warm' ? library.setupWarmMs : library.setupMs;
      const theirs = kind === 'warm' ? peerjs.setupWarmMs : peerjs.setupMs;
      return [
        { what: `setup (${kind}) ≤ 1.3× the BroadcastChannel floor`, ratio: ours / bare.setupMs, pass: ours <= 1.3 * bare.setupMs },
        { what: `setup (${kind}) ≥ 25 % faster than PeerJS (${kind})`, ratio: ours / theirs, pass: ours <= 0.75 * theirs },
      ];
    }),
  ];
  const markdown = [
    `# Icebreaker benchmark (${new Date().toISOString()})`,
    '',
    `Loopback, ${cpus().length} cores. Throughput: ${TRANSFER_BYTES / MiB} MiB per transfer, ${TRANSFER_RUNS} rounds after a discarded one, every row once a round (its median; × bare: the median of its ratio to the bare channel of the same round).`,
    '',
    '| browsers | implementation | throughput (MiB/s) | × bare | rounds (MiB/s) |',
    '| --- | --- | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.pair} | ${LABEL[r.impl]} | ${r.mibPerSecond.toFixed(1)} | ${r.ratioToBare.toFixed(2)} | ${r.runs.map((v) => v.toFixed(1)).join(', ')} |`,
    ),
    '',
    `Setup, two Chromium tabs: median of ${SETUP_RUNS} (each way), start → channel open on the joining side. Warm: the signaling connection was opened before the start (Icebreaker \`prepare(url)\`, PeerJS \`new Peer()\`); cold: inside the timed window.`,
    '',
    '| implementation | setup, cold (ms) | setup, warm (ms) |',
    '| --- | ---: | ---: |',
    ...SETUP_IMPLS.map(
      (impl) => `| ${LABEL[impl]} | ${setups[impl].setupMs.toFixed(0)} | ${impl === 'bare' ? '' : setups[impl].setupWarmMs.toFixed(0)} |`,
    ),
    '',
    `Where the time goes (medians of the warm runs, ms since the joining tab's start; the waiting tab's steps before 0 happened while it waited):`,
    '',
    '**Icebreaker**',
    '',
    profileTable(library.steps),
    '',
    '**Floor**',
    '',
    profileTable(bare.steps),
    '',
    '| target | ratio | met |',
    '| --- | ---: | :---: |',
    ...targets.map((t) => `| ${t.what} | ${t.ratio.toFixed(2)} | ${t.pass ? 'yes' : 'no'} |`),
    '',
  ].join('\n');
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'results.md'), markdown);
  const throughput = rows.map(({ pair, impl, runs, mibPerSecond, ratioToBare }) => ({ pair, impl, runs, mibPerSecond, ratioToBare }));
  await writeFile(join(OUT, 'results.json'), JSON.stringify({ cores: cpus().length, setups, throughput, targets }, null, 2));
  const page = await context.newPage();
  await page.setViewportSize({ width: 900, height: 420 });
  await page.setContent(chart(setups, rows));
  await page.screenshot({ path: join(OUT, 'chart.png') });
  console.log(markdown);
  console.log(`Written to ${OUT}/ (results.md, results.json, chart.png)`);
}

function chart(setups: Record<ImplName, SetupResult>, rows: Row[]): string {
  const colors = ['#8a8f98', '#0b5fff', '#6b9bff', '#3d7bff', '#b4530b'];
  const bars = (values: Array<{ label: string; value: number }>, unit: string, x: number, digits: number) => {
    const max = Math.max(...values.map((v) => v.value));
    const width = 400 / values.length;
    return values
      .map(({ label, value }, n) => {
        const h = (value / max) * 260;
        return `<rect x="${x + n * width}" y="${330 - h}" width="${width - 16}" height="${h}" fill="${colors[n % colors.length]}"/>
        <text x="${x + n * width + width / 2 - 8}" y="${320 - h}" text-anchor="middle" font-size="12">${value.toFixed(digits)} ${unit}</text>
        <text x="${x + n * width + width / 2 - 8}" y="350" text-anchor="middle" font-size="10">${label.replace('Icebreaker ', '').replace(', ', ' ')}</text>`;
      })
      .join('');
  };
  const throughput = rows.filter((r) => r.pair === 'Chromium ↔ Chromium').map((r) => ({ label: LABEL[r.impl], value: r.mibPerSecond }));
  const setup = SETUP_IMPLS.map((impl) => ({ label: LABEL[impl], value: setups[impl].setupWarmMs }));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="420" font-family="sans-serif" font-size="14">
    <rect width="900" height="420" fill="#fff"/>
    <text x="40" y="30" font-size="18" font-weight="bold">Throughput, two Chromium tabs (higher is better)</text>${bars(throughput, 'MiB/s', 20, 1)}
    <text x="480" y="30" font-size="18" font-weight="bold">Connection setup, warm (lower is better)</text>${bars(setup, 'ms', 470, 0)}
  </svg>`;
}

await main();
