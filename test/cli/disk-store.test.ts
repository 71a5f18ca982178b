import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransferSink } from '@icebreaker/client';
import { IcebreakerError, type TransferInfo } from '@icebreaker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiskSink } from '../../packages/cli/src/disk-sink.js';
import { type DroppedPartial, diskStore } from '../../packages/cli/src/disk-store.js';
import { decodeManifest, MANIFEST_SUFFIX, PART_SUFFIX } from '../../packages/cli/src/partial-manifest.js';
import { scratch } from '../helpers/files.js';

const CHUNK = 16 * 1024;

/** A file of random bytes cut in chunks of {@link CHUNK}, with each chunk's SHA-256. */
function source(size: number) {
  const bytes = randomBytes(size);
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < size; at += CHUNK) chunks.push(new Uint8Array(bytes.subarray(at, Math.min(size, at + CHUNK))));
  const hashes = chunks.map((chunk) => createHash('sha256').update(chunk).digest('hex'));
  return { bytes, chunks, hashes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const info = (over: Partial<TransferInfo> & { size: number }): TransferInfo => ({
  id: 'id-1',
  name: 'report.bin',
  type: 'application/octet-stream',
  chunk: CHUNK,
  hash: 'sha-256',
  ...over,
});

/** Lets go of a sink's files as a killed process would (their descriptors closed, nothing else done). */
const abandoned: TransferSink[] = [];
const abandon = <T extends TransferSink>(sink: T): T => {
  abandoned.push(sink);
  return sink;
};

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('diskStore: partial files beside the destination', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  let dir: string;
  beforeEach(async () => {
    files = await scratch();
    dir = join(files.dir, 'in');
    await mkdir(dir);
  });
  afterEach(async () => {
    for (const sink of abandoned.splice(0)) await (sink as DiskSink).detach().catch(() => {});
    await files.dispose();
  });

  it('writes chunks into a part file and a hash per line, then saves the file under its name and removes both', async () => {
    const src = source(5 * CHUNK + 100);
    const saved: string[] = [];
    const store = diskStore(dir, { onSaved: (_info, path) => saved.push(path) });
    const sink = await store.open(info({ size: src.bytes.length }));
    expect(sink.stored).toEqual([]);
    for (const [i, chunk] of src.chunks.entries()) await sink.write(i, chunk, src.hashes[i] as string);
    const manifest = await readFile(join(dir, `report.bin${MANIFEST_SUFFIX}`), 'utf8');
    expect(manifest.split('\n').slice(1, -1)).toEqual(src.hashes);
    expect(await sink.close()).toBeNull();
    expect(await readdir(dir)).toEqual(['report.bin']);
    expect(await sha256(join(dir, 'report.bin'))).toBe(src.sha256);
    expect(saved).toEqual([join(dir, 'report.bin')]);
  });

  it('resumes after a restart from the chunks on disk, by id', async () => {
    const src = source(6 * CHUNK);
    const first = abandon(await diskStore(dir).open(info({ size: src.bytes.length })));
    for (let i = 0; i < 4; i++) await first.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    // A new process: a new store over the same folder; the first never closed (kill -9).
    const store = diskStore(dir);
    expect((await store.list()).map(({ info: { id }, chunks, bytes }) => ({ id, chunks, bytes }))).toEqual([
      { id: 'id-1', chunks: 4, bytes: 4 * CHUNK },
    ]);
    const sink = await store.open(info({ size: src.bytes.length }));
    expect(sink.stored).toEqual(src.hashes.slice(0, 4));
    for (let i = 4; i < 6; i++) await sink.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    await sink.close();
    expect(await sha256(join(dir, 'report.bin'))).toBe(src.sha256);
    expect(await readdir(dir)).toEqual(['report.bin']);
  });

  it.each([
    ['a hash line past the bytes (killed before the bytes reached the file: cannot happen, but a disk may lose them)', 4, 2.5 * CHUNK, 2],
    ['bytes past the last hash line (killed between the bytes and their hash)', 2, 4 * CHUNK, 2],
    ['a hash line cut short (killed mid-append)', 3, 3 * CHUNK, 3],
  ])('after a kill that left %s, holds only chunks with both, and cuts the rest off', async (_case, lines, partBytes, stored) => {
    const src = source(6 * CHUNK);
    const first = abandon(await diskStore(dir).open(info({ size: src.bytes.length })));
    for (let i = 0; i < 4; i++) await first.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    const manifestPath = join(dir, `report.bin${MANIFEST_SUFFIX}`);
    const text = await readFile(manifestPath, 'utf8');
    const head = text.split('\n')[0];
    const cut = _case.includes('cut short') ? `${src.hashes[lines]?.slice(0, 20)}` : '';
    await writeFile(manifestPath, `${[head, ...src.hashes.slice(0, lines)].join('\n')}\n${cut}`);
    await truncate(join(dir, `report.bin${PART_SUFFIX}`), partBytes);

    const sink = await diskStore(dir).open(info({ size: src.bytes.length }));
    expect(sink.stored).toEqual(src.hashes.slice(0, stored));
    expect((await stat(join(dir, `report.bin${PART_SUFFIX}`))).size).toBe(stored * CHUNK);
    expect(decodeManifest(await readFile(manifestPath, 'utf8'))).toMatchObject({ hashes: src.hashes.slice(0, stored), ragged: false });
    for (let i = stored; i < 6; i++) await sink.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    await sink.close();
    expect(await sha256(join(dir, 'report.bin'))).toBe(src.sha256);
  });

  it('re-keys a partial of the same name, size and chunk size to a new id (the sender picked the file again)', async () => {
    const src = source(3 * CHUNK);
    const first = abandon(await diskStore(dir).open(info({ size: src.bytes.length })));
    await first.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string);
    const store = diskStore(dir);
    const sink = abandon(await store.open(info({ id: 'id-2', size: src.bytes.length })));
    expect(sink.stored).toEqual(src.hashes.slice(0, 1));
    expect((await store.list()).map((p) => p.info.id)).toEqual(['id-2']);
    // Another size is another file: a new partial, beside the first.
    const other = abandon(await store.open(info({ id: 'id-3', size: 2 * CHUNK })));
    expect(other.stored).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(
      [
        `report (1).bin${MANIFEST_SUFFIX}`,
        `report (1).bin${PART_SUFFIX}`,
        `report.bin${MANIFEST_SUFFIX}`,
        `report.bin${PART_SUFFIX}`,
      ].sort(),
    );
  });

  it('hands a quiet partial being received to the same file under a new id (the sender restarted), the old sink let go', async () => {
    const src = source(3 * CHUNK);
    let clock = 1_000_000;
    const store = diskStore(dir, { now: () => clock });
    const old = await store.open(info({ size: src.bytes.length }));
    await old.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string);
    // Still receiving (a chunk just now): another file of that name and size gets its own partial.
    const beside = abandon(await store.open(info({ id: 'other', size: src.bytes.length })));
    expect(beside.stored).toEqual([]);
    clock += 1000;
    const again = await store.open(info({ id: 'id-2', size: src.bytes.length }));
    expect(again.stored).toEqual(src.hashes.slice(0, 1));
    await expect(old.write(1, src.chunks[1] as Uint8Array<ArrayBuffer>, src.hashes[1] as string)).rejects.toThrow(
      /reopened for another attempt/,
    );
    // The old transfer giving up later deletes nothing: the partial is no longer its.
    await expect(old.discard()).rejects.toThrow(/reopened/);
    for (let i = 1; i < 3; i++) await again.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    await again.close();
    expect(await sha256(join(dir, 'report.bin'))).toBe(src.sha256);
  });

  it('records a new id in the manifest when the transfer goes on under it, so a restart asks for that id', async () => {
    const src = source(2 * CHUNK);
    const store = diskStore(dir);
    const sink = await store.open(info({ size: src.bytes.length }));
    await sink.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string);
    await sink.rekey?.(info({ id: 'id-new', size: src.bytes.length }));
    expect((await store.list()).map((p) => [p.info.id, p.chunks, p.active])).toEqual([['id-new', 1, true]]);
    await sink.write(1, src.chunks[1] as Uint8Array<ArrayBuffer>, src.hashes[1] as string);
    expect(decodeManifest(await readFile(join(dir, `report.bin${MANIFEST_SUFFIX}`), 'utf8'))).toMatchObject({
      info: { id: 'id-new' },
      hashes: src.hashes,
    });
    await sink.close();
    expect(await sha256(join(dir, 'report.bin'))).toBe(src.sha256);
  });

  it('starts over when the same id comes back with another size, and takes back chunks on truncate', async () => {
    const src = source(4 * CHUNK);
    const store = diskStore(dir);
    const sink = abandon(await store.open(info({ size: src.bytes.length })));
    for (let i = 0; i < 3; i++) await sink.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    await sink.truncate(1);
    expect((await store.list())[0]).toMatchObject({ chunks: 1, bytes: CHUNK, active: true });
    expect((await stat(join(dir, `report.bin${PART_SUFFIX}`))).size).toBe(CHUNK);
    const again = abandon(await diskStore(dir).open(info({ size: 4 * CHUNK + 1 })));
    expect(again.stored).toEqual([]);
    expect((await stat(join(dir, `report.bin${PART_SUFFIX}`))).size).toBe(0);
  });

  it('refuses chunks out of order or of the wrong length with a typed error, and a close before the last chunk', async () => {
    const src = source(2 * CHUNK + 1);
    const sink = abandon(await diskStore(dir).open(info({ size: src.bytes.length })));
    await expect(sink.write(1, src.chunks[1] as Uint8Array<ArrayBuffer>, src.hashes[1] as string)).rejects.toMatchObject({
      code: 'transfer-failed',
      message: 'chunk 1 arrived where chunk 0 was due',
    });
    await expect(sink.write(0, src.chunks[2] as Uint8Array<ArrayBuffer>, src.hashes[2] as string)).rejects.toThrow(/1 bytes where 16384/);
    await sink.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string);
    await expect(sink.close()).rejects.toThrow(IcebreakerError);
    await expect(sink.close()).rejects.toThrow(/only 1 of 3 chunks/);
  });

  it('saves an empty file, and a file whose name is taken under a free one', async () => {
    await writeFile(join(dir, 'empty.txt'), 'already here');
    const store = diskStore(dir);
    await (await store.open(info({ id: 'e', name: 'empty.txt', size: 0 }))).close();
    expect(await readFile(join(dir, 'empty (1).txt'), 'utf8')).toBe('');
    expect(await readFile(join(dir, 'empty.txt'), 'utf8')).toBe('already here');
    expect((await readdir(dir)).sort()).toEqual(['empty (1).txt', 'empty.txt']);
  });

  it('keeps two files of one name arriving at once apart', async () => {
    const a = source(2 * CHUNK);
    const b = source(2 * CHUNK);
    const store = diskStore(dir);
    const [sa, sb] = await Promise.all([store.open(info({ id: 'a', size: 2 * CHUNK })), store.open(info({ id: 'b', size: 2 * CHUNK }))]);
    for (let i = 0; i < 2; i++) {
      await sb?.write(i, b.chunks[i] as Uint8Array<ArrayBuffer>, b.hashes[i] as string);
      await sa?.write(i, a.chunks[i] as Uint8Array<ArrayBuffer>, a.hashes[i] as string);
    }
    await sa?.close();
    await sb?.close();
    expect(await sha256(join(dir, 'report.bin'))).toBe(a.sha256);
    expect(await sha256(join(dir, 'report (1).bin'))).toBe(b.sha256);
  });

  it('puts a file of a folder in its folders, which never lead out of the receiving folder', async () => {
    const store = diskStore(dir);
    const save = async (path: string, name = path.split('/').pop() as string) => {
      const sink = await store.open(info({ id: path, name, path, size: 1 }));
      await sink.write(
        0,
        new Uint8Array([7]),
        createHash('sha256')
          .update(new Uint8Array([7]))
          .digest('hex'),
      );
      await sink.close();
    };
    await save('photos/2024/a.jpg');
    await save('../../../escape/b.jpg');
    await save('/etc/cron.d/c');
    await save('..\\..\\win\\d.txt');
    await save('evil\u001b]0;x\u0007/e.txt');
    await save('./././f.txt');
    expect((await readdir(files.dir)).sort()).toEqual(['in']);
    const tree = (await readdir(dir, { recursive: true })).sort();
    expect(tree).toEqual(
      [
        'photos',
        'photos/2024',
        'photos/2024/a.jpg',
        'escape',
        'escape/b.jpg',
        'etc',
        'etc/cron.d',
        'etc/cron.d/c',
        'win',
        'win/d.txt',
        'evil_]0;x_',
        'evil_]0;x_/e.txt',
        'f.txt',
      ].sort(),
    );
    // A folder of that name that is a link to elsewhere is not followed.
    await symlink(files.dir, join(dir, 'out'));
    await expect(store.open(info({ id: 'l', path: 'out/g.txt', name: 'g.txt', size: 1 }))).rejects.toMatchObject({
      code: 'transfer-failed',
      message: 'the folder out leads out of the receiving folder',
    });
    // A file where a folder should be: a typed error, and the store goes on.
    await writeFile(join(dir, 'plain'), 'x');
    await expect(store.open(info({ id: 'p', path: 'plain/h.txt', name: 'h.txt', size: 1 }))).rejects.toMatchObject({
      code: 'transfer-failed',
    });
    await save('photos/i.jpg');
    expect(await readdir(join(dir, 'photos'))).toContain('i.jpg');
  });

  it('drops manifests that cannot be read with a typed error, and keeps the partials that can', async () => {
    const src = source(2 * CHUNK);
    const good = abandon(await diskStore(dir).open(info({ size: src.bytes.length })));
    await good.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string);
    const head = (await readFile(join(dir, `report.bin${MANIFEST_SUFFIX}`), 'utf8')).split('\n')[0] as string;
    const junk: Record<string, string> = {
      empty: '',
      'not-json': 'hello\n',
      'other-format': '{"format":"zip/9","info":{}}\n',
      'bad-info': `${head.replace(`"chunk":${CHUNK}`, '"chunk":1')}\n`,
      'bad-line': `${head}\n${src.hashes[0]}\nnot a hash\n`,
      'too-many': `${head.replace('"id":"id-1"', '"id":"many"')}\n${src.hashes[0]}\n${src.hashes[1]}\n${src.hashes[0]}\n`,
    };
    for (const [name, text] of Object.entries(junk)) {
      await writeFile(join(dir, name + MANIFEST_SUFFIX), text);
      await writeFile(join(dir, name + PART_SUFFIX), 'bytes');
    }
    const dropped: DroppedPartial[] = [];
    const store = diskStore(dir, { onDropped: (d) => dropped.push(d) });
    const list = await store.list();
    expect(list.map((p) => p.info.id).sort()).toEqual(['id-1', 'many']);
    // A manifest with a hash too many is read (the extra is cut off when it reopens): it is not junk.
    expect(dropped.map((d) => [d.manifest.split('/').pop(), d.reason, d.error?.code]).sort()).toEqual(
      ['empty', 'not-json', 'other-format', 'bad-info', 'bad-line']
        .map((name) => [name + MANIFEST_SUFFIX, 'unreadable', 'transfer-failed'])
        .sort(),
    );
    expect(dropped.find((d) => d.manifest.includes('bad-line'))?.error?.message).toMatch(/line 3 is not a SHA-256/);
    expect((await readdir(dir)).sort()).toEqual(
      [`report.bin${MANIFEST_SUFFIX}`, `report.bin${PART_SUFFIX}`, `too-many${MANIFEST_SUFFIX}`, `too-many${PART_SUFFIX}`].sort(),
    );
  });

  it('drops partials not written to within maxAgeMs, and the least recently written past maxBytes', async () => {
    const store = diskStore(dir);
    for (const [id, name, chunks] of [
      ['old', 'old.bin', 3],
      ['mid', 'mid.bin', 2],
      ['new', 'new.bin', 2],
    ] as const) {
      const src = source(4 * CHUNK);
      const sink = abandon(await store.open(info({ id, name, size: 4 * CHUNK })));
      for (let i = 0; i < chunks; i++) await sink.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    }
    const hour = 3_600_000;
    const age = async (name: string, hours: number) => {
      const when = new Date(Date.now() - hours * hour);
      await utimes(join(dir, name + MANIFEST_SUFFIX), when, when);
    };
    await age('old.bin', 30);
    await age('mid.bin', 20);
    await age('new.bin', 1);
    const dropped: DroppedPartial[] = [];
    const onDropped = (d: DroppedPartial) => dropped.push(d);
    // A new process whose sinks are gone: nothing of these is being received.
    expect((await diskStore(dir, { maxAgeMs: 24 * hour, onDropped }).list()).map((p) => p.info.id).sort()).toEqual(['mid', 'new']);
    expect(dropped.map((d) => d.reason)).toEqual(['expired']);
    // 4 chunks held, 3 allowed: the older goes first, and enough goes.
    expect((await diskStore(dir, { maxBytes: 3 * CHUNK, onDropped }).list()).map((p) => p.info.id)).toEqual(['new']);
    expect(dropped.map((d) => d.reason)).toEqual(['expired', 'over-bytes']);
    // A new file makes room for itself, but the one being received is never dropped.
    const bounded = diskStore(dir, { maxBytes: 4 * CHUNK, onDropped });
    const big = await bounded.open(info({ id: 'big', name: 'big.bin', size: 8 * CHUNK }));
    expect((await bounded.list()).map((p) => p.info.id)).toEqual(['big']);
    const src = source(8 * CHUNK);
    for (let i = 0; i < 8; i++) await big.write(i, src.chunks[i] as Uint8Array<ArrayBuffer>, src.hashes[i] as string);
    expect((await bounded.list()).map((p) => [p.info.id, p.chunks])).toEqual([['big', 8]]);
    await big.close();
    expect(await sha256(join(dir, 'big.bin'))).toBe(src.sha256);
  });

  it('discards by id, and removes a manifest left without its part after a finished file was moved', async () => {
    const store = diskStore(dir);
    const src = source(CHUNK);
    const sink = await store.open(info({ size: CHUNK }));
    await sink.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string);
    await store.discard('id-1');
    expect(await readdir(dir)).toEqual([]);
    await expect(sink.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string)).rejects.toThrow(/already discarded/);

    const left = abandon(await diskStore(dir).open(info({ id: 'x', size: CHUNK })));
    await left.write(0, src.chunks[0] as Uint8Array<ArrayBuffer>, src.hashes[0] as string);
    await (await diskStore(dir).open(info({ id: 'x', size: CHUNK }))).close();
    // As if killed between moving the part and removing the manifest.
    await writeFile(
      join(dir, `report.bin${MANIFEST_SUFFIX}`),
      `${JSON.stringify({ format: 'icebreaker-partial/1', info: info({ id: 'x', size: CHUNK }) })}\n${src.hashes[0]}\n`,
    );
    const dropped: DroppedPartial[] = [];
    expect(await diskStore(dir, { onDropped: (d) => dropped.push(d) }).list()).toEqual([]);
    // Removed without a word: nothing was lost.
    expect(dropped).toEqual([]);
    expect(await readdir(dir)).toEqual(['report.bin']);
  });

  it('checks its options', () => {
    expect(() => diskStore(dir, { maxAgeMs: 0 })).toThrow(new TypeError('options.maxAgeMs: expected a whole number from 1, got 0'));
    expect(() => diskStore(dir, { maxBytes: -1 })).toThrow(/options.maxBytes/);
    expect(() => diskStore(dir, { maxBytes: 1.5 })).toThrow(/options.maxBytes/);
    expect(() => diskStore(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
