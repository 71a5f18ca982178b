import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** How long a shortened script may take; `npm run bench` hung for ever after the browser part (issue 9, item 16). */
const DEADLINE_MS = 90_000;

const running = new Set<ChildProcess>();

/**
 * Runs a bench script with `env`; resolves with its exit code, or 'still running' once the deadline has
 * passed. `onStderr` gets what it printed (its progress), once it ended.
 */
function runScript(script: string, env: Record<string, string>, onStderr?: (text: string) => void): Promise<number | string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    const deadline = setTimeout(() => resolve(`still running after ${DEADLINE_MS} ms; stderr:\n${stderr}`), DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      onStderr?.(stderr);
      running.delete(child);
      resolve(code ?? `killed; stderr:\n${stderr}`);
    });
  });
}

describe('the benchmark scripts end on their own (npm run bench runs them one after the other)', () => {
  beforeAll(async () => {
    // The benchmark tabs are built by `npm run bench` only, not by `npm run build`.
    await build({ configFile: join(ROOT, 'bench', 'vite.config.ts'), root: join(ROOT, 'bench', 'web'), logLevel: 'error' });
  }, 60_000);
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  });

  it('bench/run.ts exits once its browser part is done (PeerJS server included)', async () => {
    // BENCH_ONLY writes no results; PeerJS is the part whose server used to keep the process alive.
    const code = await runScript('run.ts', {
      BENCH_ONLY: 'peerjs,library',
      BENCH_SETUP_RUNS: '1',
      BENCH_TRANSFER_RUNS: '1',
      BENCH_TRANSFER_MIB: '1',
    });
    expect(code).toBe(0);
  }, 120_000);

  it('bench/run.ts measures bare and Icebreaker between Firefox and Chromium, and exits', async () => {
    let printed = '';
    const code = await runScript(
      'run.ts',
      { BENCH_ONLY: 'firefox,bare,messages', BENCH_SETUP_RUNS: '0', BENCH_TRANSFER_RUNS: '1', BENCH_TRANSFER_MIB: '1' },
      (text) => {
        printed = text;
      },
    );
    expect(code).toBe(0);
    for (const row of ['Firefox → Chromium, bare RTCDataChannel', 'Firefox → Chromium, Icebreaker send, 64 KiB messages'])
      expect(printed).toMatch(new RegExp(`${row}: \\d+\\.\\d MiB/s`));
  }, 120_000);

  it('bench/load.ts exits once its servers are measured', async () => {
    // Fewer than all three servers: nothing is written to bench-results/.
    const code = await runScript('load.ts', {
      BENCH_SERVERS: 'icebreaker,peerjs',
      BENCH_IDLE_CONNECTIONS: '20',
      BENCH_PAIRS: '2',
      BENCH_SIGNALS_PER_PAIR: '50',
      BENCH_LOAD_RUNS: '1',
    });
    expect(code).toBe(0);
  }, 120_000);

  it('bench/big.ts sends its files both ways (tabs, CLI), checks their SHA-256, exits, and leaves no file behind', async () => {
    const ours = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('icebreaker-big-'));
    const before = new Set(await ours());
    let printed = '';
    // Both parts named: a partial run, which writes nothing to bench-results/; small files, the same code.
    const code = await runScript(
      'big.ts',
      { BENCH_ONLY: 'tabs,cli', BENCH_BIG_GIB: String(24 / 1024), BENCH_BIG_SMALL_MIB: '8' },
      (text) => {
        printed = text;
      },
    );
    expect(code).toBe(0);
    for (const run of ['tabs: 8 MiB', 'tabs: 24 MiB', 'cli: 8 MiB', 'cli: 24 MiB'])
      expect(printed).toMatch(
        new RegExp(`${run} in [\\d.]+ s \\([\\d.]+ MiB/s\\), SHA-256 matches; peaks \\(MiB[^)]*\\)\\): receiver \\d+`),
      );
    expect((await ours()).filter((name) => !before.has(name))).toEqual([]);
  }, 120_000);
});
