/**
 * `npm run bench`, last part: the server core's two performance targets side by side, from what the
 * load and cluster parts of this same run wrote to bench-results/ (load.json, cluster.json), and the
 * memory bounds of files of any size (big.json).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const OUT = join(import.meta.dirname, '..', 'bench-results');

interface Target {
  readonly what: string;
  readonly ratio: number;
  readonly pass: boolean;
}

async function read<T>(name: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(join(OUT, name), 'utf8')) as T;
  } catch {
    return null;
  }
}

const load = await read<{ targets: Target[] }>('load.json');
const cluster = await read<{ targets: Array<{ what: string; ratioToMemory: number; pass: boolean }> }>('cluster.json');
const big = await read<{ targets: Target[] }>('big.json');
const rows: Target[] = [
  ...(load?.targets ?? []).filter((t) => t.what.startsWith('server CPU')),
  ...(cluster?.targets ?? []).map((t) => ({ what: `${t.what} in memory`, ratio: t.ratioToMemory, pass: t.pass })),
  ...(big?.targets ?? []),
];
const markdown = [
  'Server core and memory targets (this run)',
  '',
  '| target | ratio | |',
  '| --- | ---: | --- |',
  ...rows.map((t) => `| ${t.what} | ${t.ratio.toFixed(2)}× | ${t.pass ? 'met' : 'missed'} |`),
  '',
].join('\n');
console.log(`\n${markdown}`);
await writeFile(join(OUT, 'targets.md'), markdown);
