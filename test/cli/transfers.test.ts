import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransferSink } from '@icebreaker/client';
import type { TransferInfo } from '@icebreaker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiskSink } from '../../packages/cli/src/disk-sink.js';
import { diskStore } from '../../packages/cli/src/disk-store.js';
import { MANIFEST_SUFFIX, PART_SUFFIX } from '../../packages/cli/src/partial-manifest.js';
import { transfers } from '../../packages/cli/src/transfers.js';
import { scratch } from '../helpers/files.js';

const CHUNK = 16 * 1024;

function io() {
  let out = '';
  let err = '';
  const stream = (add: (s: string) => void) =>
    ({
      write: (s: string) => {
        add(s);
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  return {
    out: stream((s) => {
      out += s;
    }),
    err: stream((s) => {
      err += s;
    }),
    text: () => ({ out, err }),
  };
}

describe('icebreaker transfers list|discard <dir>', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  let dir: string;
  const sinks: TransferSink[] = [];
  beforeEach(async () => {
    files = await scratch();
    dir = join(files.dir, 'in');
    await mkdir(dir);
    // Two partials a killed receiver left: one in a folder, with a name a peer chose.
    const store = diskStore(dir);
    for (const info of [
      { id: 'alpha', name: 'a.bin', path: 'pics/a.bin', size: 4 * CHUNK },
      { id: 'beta', name: 'evil\u001b[31m.bin', size: 2 * CHUNK },
    ]) {
      const sink = await store.open({ ...info, type: '', chunk: CHUNK, hash: 'sha-256' } as TransferInfo);
      const bytes = new Uint8Array(CHUNK).fill(1);
      await sink.write(0, bytes, createHash('sha256').update(bytes).digest('hex'));
      sinks.push(sink);
    }
  });
  afterEach(async () => {
    for (const sink of sinks.splice(0)) await (sink as DiskSink).detach();
    await files.dispose();
  });

  it('lists the unfinished files, names escaped, and as JSON', async () => {
    const run = io();
    expect(await transfers(['list', dir], run)).toBe(0);
    const lines = run.text().out.trim().split('\n').sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^alpha {2}pics\/a\.bin {2}25% 0\.0\/0\.1 MiB, written \d{4}-/);
    expect(lines[1]).toMatch(/^beta {2}evil_\[31m\.bin {2}50% /);
    const json = io();
    expect(await transfers(['list', dir, '--json'], json)).toBe(0);
    const listed = JSON.parse(json.text().out) as Array<Record<string, unknown>>;
    expect(listed.find((p) => p.id === 'alpha')).toMatchObject({
      name: 'a.bin',
      path: 'pics/a.bin',
      target: 'pics/a.bin',
      size: 4 * CHUNK,
      bytes: CHUNK,
      chunks: 1,
      active: false,
    });
  });

  it('discards by id or all, says which id is not there, and deletes unreadable manifests on the way', async () => {
    await writeFile(join(dir, `junk${MANIFEST_SUFFIX}`), 'not json\n');
    const one = io();
    expect(await transfers(['discard', dir, 'alpha', 'gamma'], one)).toBe(1);
    expect(one.text().out).toBe('discarded alpha pics/a.bin\n');
    expect(one.text().err).toMatch(/deleted .*junk\.icebreaker-manifest: not a partial transfer's manifest: its first line is not JSON/);
    expect(one.text().err).toMatch(/no unfinished file of id gamma/);
    expect(await readdir(join(dir, 'pics'))).toEqual([]);
    const all = io();
    expect(await transfers(['discard', dir, '--all'], all)).toBe(0);
    expect(await readdir(dir)).toEqual(['pics']);
    expect(all.text().out).toMatch(/^discarded beta /);
  });

  it.each([
    [['list'], /no folder at \(none given\)/],
    [['show', '.'], /say list or discard/],
    [['discard', '.'], /discard takes the ids of the files to delete, or --all/],
    [['list', '.', '--partial-max-age', 'soon'], /--partial-max-age: "soon" is not valid: expected a duration from 1m to 8760h/],
    [['list', '.', '--partial-max-bytes', '2TB'], /--partial-max-bytes: "2TB" is not valid: expected a size from 0 to 1048576GiB/],
    [['list', '.', '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 for bad usage %j', async (args, message) => {
    const run = io();
    expect(await transfers(args, run)).toBe(2);
    expect(run.text().err).toMatch(message);
  });

  it('keeps the part file of a listed partial beside its destination', async () => {
    expect((await readdir(join(dir, 'pics'))).sort()).toEqual([`a.bin${MANIFEST_SUFFIX}`, `a.bin${PART_SUFFIX}`]);
  });
});
