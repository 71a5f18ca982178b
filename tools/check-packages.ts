/**
 * `npm run check:package`: each published package as npm would pack it, checked by publint (its
 * manifest: exports, files, types) and are-the-types-wrong (its types resolve under every ESM
 * resolution mode: node16, bundler). ESM only: Icebreaker ships no CommonJS, so the `require` and node10
 * resolutions attw also knows are not claimed and not checked.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'node_modules', '.bin');
/**
 * The packages published to npm, and whether each is a library (types to check) or a command only: the
 * `icebreaker` CLI has a `bin` and no importable entry. The page's package is private: it ships inside the server's.
 */
const PUBLISHED = { protocol: 'library', client: 'library', server: 'library', cli: 'command' } as const;

let failed = false;
for (const [name, kind] of Object.entries(PUBLISHED)) {
  const dir = join(ROOT, 'packages', name);
  const checks: Array<readonly [string, readonly string[]]> = [['publint', ['--strict']]];
  if (kind === 'library') checks.push(['attw', ['--pack', '.', '--profile', 'esm-only']]);
  for (const [tool, args] of checks) {
    try {
      await promisify(execFile)(join(BIN, tool), [...args], { cwd: dir });
      console.log(`ok   ${tool} packages/${name}`);
    } catch (error) {
      failed = true;
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      console.error(`FAIL ${tool} packages/${name}\n${stdout}${stderr}`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
