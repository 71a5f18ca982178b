/**
 * `npm run bench`, files of any size: one file of BENCH_BIG_GIB GiB (default 4) and one of
 * BENCH_BIG_SMALL_MIB MiB (default 256), each sent between two Chromium tabs (the receiver keeping it
 * in `opfsStore()`, on disk) and from `icebreaker peer --send` to `icebreaker peer --receive`, with
 * the peak memory of every process involved sampled every 250 ms, and the SHA-256 of what landed
 * checked against the source's. Equal peaks at both sizes show that memory does not grow with the
 * file. Writes bench-results/big.md and big.json. A benchmark: the bounds are asserted by
 * test/e2e/big-transfer.test.ts and test/cli/peer-memory.test.ts, at 512 MiB.
 *
 * BENCH_ONLY (as in bench/run.ts, comma-separated): `tabs` and/or `cli` run those parts alone, and
 * write nothing; a BENCH_ONLY naming neither skips this script (it is someone's quick look elsewhere).
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliTransferResult, cliTransfer } from '../test/helpers/cli-transfer.js';
import { randomFile } from '../test/helpers/files.js';
import { MEMORY_BOUNDS } from '../test/helpers/memory-bounds.js';
import type { MemoryPeak } from '../test/helpers/process-memory.js';
import { type TabTransferResult, tabTransfer } from '../test/helpers/tab-transfer.js';

const MiB = 1024 * 1024;
const OUT = join(import.meta.dirname, '..', 'bench-results');
const LARGE = Math.round(Number(process.env.BENCH_BIG_GIB ?? 4) * 1024 * MiB);
const SMALL = Math.round(Number(process.env.BENCH_BIG_SMALL_MIB ?? 256) * MiB);
const PARTS = ['tabs', 'cli'] as const;
type Part = (typeof PARTS)[number];
const ONLY = process.env.BENCH_ONLY?.split(',');
const wanted = PARTS.filter((part) => !ONLY || ONLY.includes(part));

/** One run: a part at a size, and what it measured. */
interface Run {
  part: Part;
  bytes: number;
  seconds: number;
  mibPerSecond: number;
  sha256Matches: boolean;
  peaks: Record<string, MemoryPeak>;
  /** The tabs: each one's JS heap in use after the transfer and a garbage collection. */
  heapAfterGc?: TabTransferResult['heapAfterGc'];
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '' : (bytes / MiB).toFixed(0));
const sizeText = (bytes: number) =>
  bytes >= 1024 * MiB ? `${(bytes / 1024 / MiB).toFixed(bytes % (1024 * MiB) ? 2 : 0)} GiB` : `${mib(bytes)} MiB`;
/** A process's peak as the table shows it: high-water RSS, and the peak PSS beside it. */
const peakText = (peak: MemoryPeak | undefined) => (peak ? `${mib(peak.hwm)} (${mib(peak.pss)})` : '');

let scratchDir: string | null = null;
/** Removes the scratch folder at once (source files, received files, Chromium's profile and its OPFS). */
function removeScratch(): void {
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  scratchDir = null;
}
// Interrupted (Ctrl+C, a CI timeout): 4 GiB files must not stay behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    removeScratch();
    process.exit(130);
  });

async function main(): Promise<void> {
  if (wanted.length === 0) {
    console.error(`bench/big.ts: skipped (BENCH_ONLY=${process.env.BENCH_ONLY} names neither ${PARTS.join(' nor ')})`);
    return;
  }
  scratchDir = await mkdtemp(join(tmpdir(), 'icebreaker-big-'));
  const runs: Run[] = [];
  try {
    for (const size of [SMALL, LARGE]) {
      const dir = join(scratchDir, `${size}`);
      await mkdir(dir);
      const source = join(dir, 'big.bin');
      const digest = await randomFile(source, size);
      for (const part of wanted) {
        const partDir = join(dir, part);
        await mkdir(partDir);
        console.error(`${part}: ${sizeText(size)}…`);
        const result: TabTransferResult | CliTransferResult =
          part === 'tabs' ? await tabTransfer(source, size, partDir) : await cliTransfer(source, size, partDir);
        const run: Run = {
          part,
          bytes: size,
          seconds: result.seconds,
          mibPerSecond: size / MiB / result.seconds,
          sha256Matches: result.sha256 === digest,
          peaks: result.peaks,
          ...('heapAfterGc' in result ? { heapAfterGc: (result as TabTransferResult).heapAfterGc } : {}),
        };
        runs.push(run);
        // Each part's files go as soon as it is done: at most the source and one copy on disk at a time.
        await rm(partDir, { recursive: true, force: true });
        console.error(
          `${part}: ${sizeText(size)} in ${run.seconds.toFixed(1)} s (${run.mibPerSecond.toFixed(1)} MiB/s), SHA-256 ${run.sha256Matches ? 'matches' : 'DIFFERS'}; peaks (MiB, high-water RSS (PSS)): ${Object.entries(
            run.peaks,
          )
            .map(([name, peak]) => `${name} ${peakText(peak)}`)
            .join(
              ', ',
            )}${run.heapAfterGc ? `; JS heap after GC (MiB): receiver ${(run.heapAfterGc.receiver / MiB).toFixed(1)}, sender ${(run.heapAfterGc.sender / MiB).toFixed(1)}` : ''}`,
        );
        if (!run.sha256Matches) throw new Error(`${part}: the received file's SHA-256 differs from the source's`);
      }
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    removeScratch();
  }
  if (!ONLY) await report(runs);
}

/** Each receiver's peak at the large size against the small one, and against its stated bound. */
function targets(runs: Run[]): Array<{ what: string; ratio: number; pass: boolean }> {
  const peak = (part: Part, bytes: number, who: string) =>
    runs.find((r) => r.part === part && r.bytes === bytes)?.peaks[who]?.hwm ?? Number.NaN;
  const rows: Array<[Part, string, string, number]> = [
    ['tabs', 'receiver', 'receiving tab’s renderer', MEMORY_BOUNDS.receivingRenderer],
    ['cli', 'receiver', 'icebreaker peer --receive', MEMORY_BOUNDS.cliReceiver],
  ];
  return rows.flatMap(([part, who, what, bound]) => {
    const large = peak(part, LARGE, who);
    const small = peak(part, SMALL, who);
    return [
      { what: `peak RSS of the ${what}, ${sizeText(LARGE)} ≤ 1.1× ${sizeText(SMALL)}`, ratio: large / small, pass: large <= 1.1 * small },
      { what: `peak RSS of the ${what} at ${sizeText(LARGE)} < ${mib(bound)} MiB`, ratio: large / bound, pass: large < bound },
    ];
  });
}

async function report(runs: Run[]): Promise<void> {
  const found = targets(runs);
  const row = (r: Run) =>
    `| ${r.part === 'tabs' ? 'Chromium → Chromium (OPFS)' : 'CLI → CLI (folder)'} | ${sizeText(r.bytes)} | ${r.seconds.toFixed(1)} | ${r.mibPerSecond.toFixed(1)} | ${peakText(r.peaks.receiver)} | ${peakText(r.peaks.sender)} | ${peakText(r.peaks.browser)} | ${r.peaks.chromium ? mib(r.peaks.chromium.pss) : ''} | ${peakText(r.peaks.server)} | ${r.heapAfterGc ? `${mib(r.heapAfterGc.receiver)} / ${mib(r.heapAfterGc.sender)}` : ''} | ${r.sha256Matches ? 'yes' : 'no'} |`;
  const markdown = [
    `# Files of any size, bounded memory (${new Date().toISOString()})`,
    '',
    `Loopback, ${cpus().length} cores. One file each way: from a Chromium tab to another (receiver: \`opfsStore()\`, persistent profile on disk; sender: the file picked with setInputFiles) and from \`icebreaker peer --send\` to \`icebreaker peer --receive\`. Time: from sending to the receiver's file whole and checked. Memory in MiB, sampled every 250 ms: high-water resident set (VmHWM) with the peak PSS in brackets; "all Chromium": the sum of every Chromium process's peak PSS. Server: the signaling server's Node process. JS heap: each tab's heap in use after the transfer and a forced garbage collection (what the page still holds).`,
    '',
    '| pair | size | time (s) | MiB/s | receiver | sender | browser process | all Chromium (PSS) | server | JS heap after GC, receiver / sender | SHA-256 matches |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...runs.map(row),
    '',
    '| target | ratio | met |',
    '| --- | ---: | :---: |',
    ...found.map((t) => `| ${t.what} | ${t.ratio.toFixed(2)} | ${t.pass ? 'yes' : 'no'} |`),
    '',
  ].join('\n');
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'big.md'), markdown);
  await writeFile(join(OUT, 'big.json'), JSON.stringify({ cores: cpus().length, bounds: MEMORY_BOUNDS, runs, targets: found }, null, 2));
  console.log(markdown);
  console.log(`Written to ${OUT}/ (big.md, big.json)`);
}

await main();
