/**
 * `npm run size`: the size budgets of `.size-limit.json`, measured by size-limit's own plugins (rolldown,
 * minified and tree-shaken, then gzip). Only the config loading is ours: size-limit 14's command line
 * needs Node 22 (`fs.glob`), and Icebreaker supports Node 20, while its programmatic API runs on both.
 * The file keeps size-limit's format, so `npx size-limit` reads it as is on Node 22.
 *
 * The measured size is what a browser loads before any user code runs: the entry chunk and the chunks
 * it imports statically. Chunks behind `import()` (loaded when a transfer starts) are not counted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import preset from '@size-limit/preset-small-lib';
import sizeLimit from 'size-limit';

interface Budget {
  readonly name: string;
  readonly path: string;
  readonly import: string;
  readonly gzip: boolean;
  readonly limit: string;
}

const ROOT = join(import.meta.dirname, '..');
const budgets = JSON.parse(readFileSync(join(ROOT, '.size-limit.json'), 'utf8')) as Budget[];

/** "15 kB" → 15000, "15 KiB" → 15360: size-limit's units. */
function bytes(limit: string): number {
  const match = /^(\d+(?:\.\d+)?) *(k|M)?(i)?B$/.exec(limit.trim());
  if (match === null) throw new TypeError(`.size-limit.json: limit ${JSON.stringify(limit)} is not like "15 kB"`);
  const [, number = '0', prefix, binary] = match;
  return Math.floor(Number(number) * (binary ? 1024 : 1000) ** (prefix === undefined ? 0 : prefix === 'k' ? 1 : 2));
}

let failed = false;
for (const budget of budgets) {
  const file = join(ROOT, budget.path);
  const results = (await sizeLimit(preset, {
    cwd: ROOT,
    // `entry: ['index']` (the loader size-limit writes for `import`) counts the entry chunk and what it
    // imports statically; without it, size-limit's rolldown plugin counts every chunk, lazy ones too.
    checks: [{ name: budget.name, files: [file], import: { [file]: budget.import }, gzip: budget.gzip, entry: ['index'] }],
  })) as Array<{ size: number }>;
  const size = results[0]?.size ?? Number.NaN;
  const limit = bytes(budget.limit);
  // NaN (nothing measured) fails too.
  const ok = size <= limit;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${budget.name}: ${(size / 1000).toFixed(2)} kB gzip (limit ${budget.limit})`);
}
if (failed) {
  console.error(
    'size budget exceeded: see what a bundle pulls in with `npx vite build` of a one-line import, or ask size-limit --why on Node 22',
  );
  process.exitCode = 1;
}
