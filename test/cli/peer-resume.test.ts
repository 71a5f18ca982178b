import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomFile, sha256OfFile } from '../helpers/files.js';
import { CLI } from '../helpers/server-process.js';
import { type Cli, cli, cliSuite, waitFor } from './peer-process.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;

/** The JSON lines a `--json` peer wrote on stderr. */
const events = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, number | string>);

/** Resolves once the receiver reports at least `bytes` of its file. */
function received(peer: Cli, bytes: number): Promise<void> {
  const reached = () => (events(peer.stderr()).some((e) => e.event === 'progress' && (e.bytes as number) >= bytes) ? 'reached' : '');
  return waitFor(reached, /reached/, peer.child, 120_000);
}

async function transfersList(dir: string): Promise<Array<Record<string, unknown>>> {
  const child = spawn(process.execPath, [CLI, 'transfers', 'list', dir, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
  return JSON.parse(out) as Array<Record<string, unknown>>;
}

describe('icebreaker peer --receive resumes after kill -9', () => {
  const t = cliSuite();

  it('completes a 200 MiB file with the source SHA-256 after the receiver is killed twice at random points', {
    timeout: 300_000,
  }, async () => {
    const source = join(t.files.dir, 'big.bin');
    const digest = await randomFile(source, SIZE);
    const inbox = join(t.files.dir, 'inbox');
    await mkdir(inbox);
    const receive = () => cli([t.h.server.url, '--room', 'resume', '--receive', inbox, '--json'], 'ignore');
    let receiver = receive();
    await waitFor(receiver.stderr, /joined room/, receiver.child);
    const sender = cli([t.h.server.url, '--room', 'resume', '--send', source], 'ignore');
    const cuts = [0.1 + Math.random() * 0.35, 0.5 + Math.random() * 0.35].map((f) => Math.floor(f * SIZE));
    let held = 0;
    for (const cut of cuts) {
      await received(receiver, cut);
      receiver.child.kill('SIGKILL');
      expect(await receiver.exit).toBeNull();
      // What the killed receiver left: a part file and a manifest, beside the destination.
      expect((await readdir(inbox)).sort()).toEqual(['big.bin.icebreaker-manifest', 'big.bin.icebreaker-part']);
      const [partial] = await transfersList(inbox);
      expect(partial).toMatchObject({ name: 'big.bin', size: SIZE, active: false });
      expect(partial?.bytes as number).toBeGreaterThanOrEqual(held);
      held = partial?.bytes as number;
      receiver = receive();
      // It picks up from its disk: not from zero, and not past what it held.
      await waitFor(receiver.stderr, /"event":"resumed"/, receiver.child, 60_000);
      const resumed = events(receiver.stderr()).find((e) => e.event === 'resumed');
      expect(resumed?.at).toBe(held);
      expect(held).toBeGreaterThan(0);
    }
    expect(await sender.exit).toBe(0);
    await waitFor(receiver.stderr, /"event":"saved"/, receiver.child, 60_000);
    expect(await readdir(inbox)).toEqual(['big.bin']);
    expect(await sha256OfFile(join(inbox, 'big.bin'))).toBe(digest);
    receiver.child.kill('SIGTERM');
    expect(await receiver.exit).toBe(0);
  });
});
