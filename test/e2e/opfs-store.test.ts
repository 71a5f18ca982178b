import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TransferInfo } from '@icebreaker/client';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { scratch } from '../helpers/files.js';
import { Firefox } from '../helpers/firefox.js';
import { buildOpfsPage, chromiumTab, firefoxTab, layOutDistPage, type Tab } from '../helpers/opfs-page.js';
import type { OpfsPage } from './opfs-page/main.js';

const MiB = 1024 * 1024;
const TIMEOUT = 120_000;

/** The page's helpers, as a function run in the page sees them. */
declare const icebreakerOpfs: OpfsPage;

function info(id: string, size: number, chunk = MiB, name = `${id}.bin`): TransferInfo {
  return { id, name, size, type: 'application/x-test', chunk, hash: 'sha-256' };
}

/**
 * The OPFS store alone, in real Chromium and Firefox ESR pages: what it keeps across a reload, what
 * it resolves when a file is whole, its bounds, and its answers to bad calls. Each test keeps its
 * files in a store folder of its own (a Firefox profile's tabs share one OPFS).
 */
describe('the OPFS store in the browser', () => {
  let server: IcebreakerServer;
  let chromium: Browser;
  let firefox: Firefox;
  let files: Awaited<ReturnType<typeof scratch>>;
  let url = '';

  beforeAll(async () => {
    files = await scratch();
    await buildOpfsPage(files.dir);
    await layOutDistPage(join(files.dir, 'dist'));
    server = await startServer({ port: 0, staticDir: files.dir, iceServers: [] });
    url = `${server.url}index.html`;
    [chromium, firefox] = await Promise.all([launchChromium(), Firefox.launch()]);
  }, TIMEOUT);

  afterAll(async () => {
    await chromium?.close();
    await firefox?.close();
    await server?.close();
    await files?.dispose();
  });

  async function tab(browser: 'chromium' | 'firefox', page = url): Promise<Tab> {
    return browser === 'chromium' ? chromiumTab(chromium, page) : firefoxTab(firefox, page);
  }

  describe.each(['chromium', 'firefox'] as const)('in %s', (browser) => {
    it(
      'keeps what was written across a reload mid-write, resumes from there, and closes to a File on disk with the right SHA-256',
      async () => {
        const page = await tab(browser);
        // Large enough that the writer is still going when the reload comes (about a second after chunk 6).
        const file = info(`reload-${browser}`, 64 * MiB + 12_345);
        const directory = `reload-${browser}`;
        try {
          // Writes every chunk in turn, and keeps going until the reload stops it mid-write.
          await page.run(
            ({ file, directory }) => {
              const { opfsStore, chunk, hashOf } = icebreakerOpfs;
              const state = { written: 0, hashes: [] as string[] };
              Object.assign(globalThis, { writing: state });
              void (async () => {
                const sink = await opfsStore({ directory }).open(file);
                for (let i = 0; i * file.chunk < file.size; i++) {
                  const bytes = chunk(1, i, Math.min(file.chunk, file.size - i * file.chunk));
                  const hash = await hashOf(bytes);
                  state.hashes.push(hash);
                  await sink.write(i, bytes, hash);
                  state.written = i + 1;
                }
              })();
            },
            { file, directory },
          );
          await page.waitFor('globalThis.writing?.written >= 6', 'six chunks written');
          await page.reload();

          const after = await page.run(
            async ({ file, directory }) => {
              const { opfsStore, chunk, hashOf, blobSha, fileSha, folders } = icebreakerOpfs;
              const store = opfsStore({ directory });
              const listed = await store.list();
              const sink = await store.open(file);
              const stored = [...sink.stored];
              const expected: string[] = [];
              for (let i = 0; i * file.chunk < file.size; i++)
                expected.push(await hashOf(chunk(1, i, Math.min(file.chunk, file.size - i * file.chunk))));
              for (let i = stored.length; i < expected.length; i++) {
                await sink.write(i, chunk(1, i, Math.min(file.chunk, file.size - i * file.chunk)), expected[i] as string);
              }
              const done = (await sink.close()) as File;
              return {
                listed: listed.map((p) => ({ id: p.info.id, chunks: p.chunks, bytes: p.bytes })),
                stored,
                expected,
                name: done.name,
                type: done.type,
                size: done.size,
                isFile: done instanceof File,
                sha: await blobSha(done),
                source: fileSha(1, file.size, file.chunk),
                listedAfter: (await store.list()).length,
                folders: (await folders(directory)).length,
              };
            },
            { file, directory },
          );
          // At least the six chunks seen written are kept, and only chunks that were written whole.
          expect(after.stored.length).toBeGreaterThanOrEqual(6);
          expect(after.stored.length).toBeLessThan(after.expected.length);
          expect(after.stored).toEqual(after.expected.slice(0, after.stored.length));
          expect(after.listed).toEqual([
            { id: file.id, chunks: after.stored.length, bytes: Math.min(file.size, after.stored.length * file.chunk) },
          ]);
          expect(after).toMatchObject({ name: file.name, type: file.type, size: file.size, isFile: true, listedAfter: 0, folders: 1 });
          expect(after.sha).toBe(after.source);
        } finally {
          await page.close();
        }
      },
      TIMEOUT,
    );

    it('runs from the published files with no bundler (dist/, an import map), its worker loaded as it is', async () => {
      const page = await tab(browser, `${server.url}dist/index.html`);
      try {
        await page.waitFor('globalThis.opfsDist', 'dist/opfs.js to load');
        const result = await page.run(
          async ({ file }) => {
            const { opfsStore } = (globalThis as unknown as { opfsDist: { opfsStore: OpfsPage['opfsStore'] } }).opfsDist;
            const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
            const bytes = new Uint8Array(file.size);
            for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536));
            const sink = await opfsStore({ directory: file.id }).open(file);
            for (let i = 0; i * file.chunk < file.size; i++) {
              const part = bytes.slice(i * file.chunk, (i + 1) * file.chunk);
              await sink.write(i, part, hex(await crypto.subtle.digest('SHA-256', part)));
            }
            const done = (await sink.close()) as Blob;
            return {
              sha: hex(await crypto.subtle.digest('SHA-256', await done.arrayBuffer())),
              source: hex(await crypto.subtle.digest('SHA-256', bytes)),
            };
          },
          { file: info(`dist-${browser}`, 3 * 65_536 + 7, 65_536) },
        );
        expect(result.sha).toBe(result.source);
      } finally {
        await page.close();
      }
    });

    it('re-keys a partial to the new id of the same file, truncates, and discards', async () => {
      const page = await tab(browser);
      const directory = `rekey-${browser}`;
      const first = info(`first-${browser}`, 6 * 65_536 + 100, 65_536, 'same.bin');
      const again = info(`again-${browser}`, 6 * 65_536 + 100, 65_536, 'same.bin');
      const other = info(`other-${browser}`, 2 * 65_536, 65_536, 'other.bin');
      try {
        await page.run(
          async ({ first, other, directory }) => {
            const { store, chunk, hashOf } = icebreakerOpfs;
            const sink = await store(directory).open(first);
            for (let i = 0; i < 4; i++) await sink.write(i, chunk(2, i, first.chunk), await hashOf(chunk(2, i, first.chunk)));
            const otherSink = await store(directory).open(other);
            await otherSink.write(0, chunk(3, 0, other.chunk), await hashOf(chunk(3, 0, other.chunk)));
          },
          { first, other, directory },
        );
        await page.reload();
        const result = await page.run(
          async ({ again, other, directory }) => {
            const { store, chunk, hashOf, blobSha, folders, failure } = icebreakerOpfs;
            const part = (i: number, seed: number) => chunk(seed, i, Math.min(again.chunk, again.size - i * again.chunk));
            // The sender reloaded and picked the same file: a new id, the same name, size and chunk.
            const reopened = await store(directory).open(again);
            const carried = reopened.stored.length;
            const rekeyed = (await store(directory).list()).map((p) => p.info.id).sort();

            // The sender's file differs after chunk 2: keep two, write the rest anew with other bytes.
            await reopened.truncate(2);
            const kept = (await store(directory).list()).find((p) => p.info.id === again.id)?.chunks;
            const total = Math.ceil(again.size / again.chunk);
            for (let i = 2; i < total; i++) await reopened.write(i, part(i, 4), await hashOf(part(i, 4)));
            const done = (await reopened.close()) as Blob;
            const whole = new Uint8Array(again.size);
            for (let i = 0; i < total; i++) whole.set(part(i, i < 2 ? 2 : 4), i * again.chunk);

            // Read before discard(again.id): the File is the file on disk, which discard deletes.
            const sha = await blobSha(done);
            const otherSink = await store(directory).open(other);
            const foldersBefore = (await folders(directory)).length;
            await store(directory).discard(other.id);
            const otherWrite = await failure(() => otherSink.write(1, chunk(3, 1, other.chunk), '0'.repeat(64)));
            await store(directory).discard(again.id);
            return {
              carried,
              rekeyed,
              kept,
              sha,
              expected: await blobSha(new Blob([whole])),
              foldersBefore,
              foldersAfter: (await folders(directory)).length,
              listedAfter: (await store(directory).list()).length,
              otherWrite,
            };
          },
          { again, other, directory },
        );
        expect(result.carried).toBe(4);
        expect(result.rekeyed).toEqual([again.id, other.id].sort());
        expect(result.kept).toBe(2);
        expect(result.sha).toBe(result.expected);
        expect(result.foldersBefore).toBe(2);
        expect(result.foldersAfter).toBe(0);
        expect(result.listedAfter).toBe(0);
        expect(result.otherWrite).toMatchObject({ name: 'IcebreakerError', code: 'transfer-failed' });
      } finally {
        await page.close();
      }
    });

    it('answers bad calls with typed errors and leaves the other partials as they were', async () => {
      const page = await tab(browser);
      const directory = `bad-${browser}`;
      try {
        const result = await page.run(
          async ({ good, directory }) => {
            const { opfsStore, store, chunk, hashOf, failure } = icebreakerOpfs;
            const sink = await store(directory).open(good);
            const first = chunk(5, 0, good.chunk);
            await sink.write(0, first, await hashOf(first));
            const bystander = await store(directory).open({ ...good, id: 'bystander', name: 'bystander.bin' });
            await bystander.write(0, first, await hashOf(first));
            const second = chunk(5, 1, good.chunk);
            const errors = {
              outOfOrder: await failure(() => sink.write(2, second, '0'.repeat(64))),
              rewritten: await failure(() => sink.write(0, first, '0'.repeat(64))),
              shortChunk: await failure(() => sink.write(1, second.subarray(0, 100) as Uint8Array<ArrayBuffer>, '0'.repeat(64))),
              badHash: await failure(() => sink.write(1, second, 'not-a-hash')),
              pastTheEnd: await failure(() => sink.truncate(5)),
              notWhole: await failure(() => sink.close()),
              badHead: await failure(() => store(directory).open({ ...good, chunk: 1 })),
              tooBig: await failure(() => opfsStore({ directory: `${directory}-small`, maxBytes: 1000 }).open({ ...good, id: 'huge' })),
              badAge: await failure(() => opfsStore({ maxAgeMs: -1 })),
              badBytes: await failure(() => opfsStore({ maxBytes: 1.5 })),
              badFolder: await failure(() => opfsStore({ directory: '../x' })),
              unknownOption: await failure(() => opfsStore({ maxAge: 5 } as never)),
              deadWorker: await failure(() =>
                opfsStore({ directory: `${directory}-dead`, worker: () => new Worker('./no-such-worker.js', { type: 'module' }) }).list(),
              ),
            };
            // The sink still takes the right chunk after every refusal, and the other partial is as it was.
            await sink.write(1, second, await hashOf(second));
            const listed = (await store(directory).list()).map((p) => [p.info.id, p.chunks]).sort();
            // The same transfer opened again in the page (a resume): the new sink has what the old one
            // wrote, and the old one takes no more calls.
            const reopened = await store(directory).open(good);
            const carried = reopened.stored.length;
            const stale = await failure(() => sink.close());
            const closed = await reopened.close().then(async () => failure(() => reopened.write(2, second, '0'.repeat(64))));
            return { errors, listed, carried, stale, closed };
          },
          { good: info(`good-${browser}`, 2 * 65_536, 65_536), directory },
        );
        for (const key of ['outOfOrder', 'rewritten', 'shortChunk', 'badHash', 'pastTheEnd', 'notWhole', 'tooBig', 'deadWorker'] as const)
          expect(result.errors[key], key).toMatchObject({ name: 'IcebreakerError', code: 'transfer-failed' });
        expect(result.errors.outOfOrder?.message).toMatch(/chunk 2 came out of order.*takes chunk 1 next/);
        expect(result.errors.tooBig?.message).toMatch(/larger than this store may keep \(1000 bytes\)/);
        expect(result.errors.deadWorker?.message).toMatch(/worker failed/);
        expect(result.errors.badHead).toMatchObject({ name: 'IcebreakerError', code: 'invalid-message' });
        for (const key of ['badAge', 'badBytes', 'badFolder', 'unknownOption'] as const)
          expect(result.errors[key], key).toMatchObject({ name: 'TypeError' });
        expect(result.errors.badAge?.message).toMatch(/maxAgeMs/);
        expect(result.listed).toEqual([
          ['bystander', 1],
          [`good-${browser}`, 2],
        ]);
        expect(result.carried).toBe(2);
        expect(result.stale).toMatchObject({ code: 'transfer-failed', message: expect.stringMatching(/took over/) });
        expect(result.closed).toMatchObject({ code: 'transfer-failed', message: expect.stringMatching(/finished/) });
      } finally {
        await page.close();
      }
    });

    it('drops partials past maxAgeMs, the oldest past maxBytes, and never more than the quota allows', async () => {
      const page = await tab(browser);
      const directory = `bounds-${browser}`;
      const chunkBytes = 65_536;
      const file = (id: string): TransferInfo => info(id, 4 * chunkBytes, chunkBytes);
      try {
        // The page's clock is moved forward instead of waiting a day: the store reads Date.now.
        const afterADay = await page.run(
          async ({ directory, files }) => {
            const { store, chunk, hashOf, folders, OPFS_MAX_AGE_MS } = icebreakerOpfs;
            const realNow = Date.now;
            let offset = 0;
            Date.now = () => realNow() + offset;
            const write = async (index: number, chunks: number) => {
              const sink = await store(directory).open(files[index] as TransferInfo);
              for (let i = 0; i < chunks; i++) await sink.write(i, chunk(7, i, 65_536), await hashOf(chunk(7, i, 65_536)));
            };
            await write(0, 2);
            offset = OPFS_MAX_AGE_MS / 2;
            await write(1, 1);
            offset = OPFS_MAX_AGE_MS + 60_000;
            const listed = (await store(directory).list()).map((p) => p.info.id);
            const left = (await folders(directory)).length;
            await write(2, 2);
            offset += 1000;
            await write(3, 2);
            return { listed, left, offset };
          },
          { directory, files: [file('old'), file('younger'), file('a'), file('b')] },
        );
        expect(afterADay.listed).toEqual(['younger']);
        expect(afterADay.left).toBe(1);

        await page.reload();
        const result = await page.run(
          async ({ directory, offset, c, q }) => {
            const { opfsStore, failure } = icebreakerOpfs;
            const realNow = Date.now;
            Date.now = () => realNow() + offset + 1000;
            // 5 chunks are kept (younger 1, a 2, b 2); a file of 4 under a limit of 6 leaves room for 2:
            // the oldest go, younger then a.
            const small = opfsStore({ directory, maxBytes: 6 * c.chunk });
            await small.open(c);
            const afterBytes = (await small.list()).map((p) => p.info.id).sort();
            // The origin's quota, as the browser reports it, caps maxBytes.
            navigator.storage.estimate = async () => ({ quota: 3 * c.chunk, usage: 0 });
            const overQuota = await failure(() => opfsStore({ directory: `${directory}-quota` }).open(q));
            return { afterBytes, overQuota };
          },
          { directory, offset: afterADay.offset, c: file('c'), q: file('q') },
        );
        expect(result.afterBytes).toEqual(['b', 'c']);
        expect(result.overQuota).toMatchObject({
          code: 'transfer-failed',
          message: expect.stringMatching(/larger than this store may keep \(196608 bytes\)/),
        });
      } finally {
        await page.close();
      }
    });
  });

  it('holds a bounded amount of memory in the renderer while 1 GiB goes to disk, and closes to a File of the same bytes', async () => {
    const page = await chromiumTab(chromium, url);
    const cdp = await chromium.newBrowserCDPSession();
    const file = info('gigabyte', 1024 * MiB);
    try {
      // The renderers' resident memory, from /proc: what the page, its worker and Blink hold, ArrayBuffers included.
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number }> };
      const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
      const rss = () => renderers.reduce((sum, pid) => sum + residentBytes(pid), 0);
      const start = rss();
      let peak = start;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rss());
      }, 50);
      const written = await page
        .run(
          async ({ file }) => {
            const { store, chunk, hashOf } = icebreakerOpfs;
            const started = performance.now();
            const sink = await store('gigabyte').open(file);
            // One buffer for every chunk: the page's own garbage is not what this test measures.
            const buffer = new ArrayBuffer(file.chunk);
            for (let i = 0; i * file.chunk < file.size; i++) {
              const bytes = chunk(9, i, file.chunk, buffer);
              await sink.write(i, bytes, await hashOf(bytes));
            }
            const done = (await sink.close()) as File;
            Object.assign(globalThis, { gigabyte: done });
            return { size: done.size, seconds: (performance.now() - started) / 1000, isFile: done instanceof File };
          },
          { file },
        )
        .finally(() => clearInterval(sampler));
      const growth = peak - start;
      console.log(
        `OPFS store, 1 GiB in 1 MiB chunks (Chromium): ${(1024 / written.seconds).toFixed(1)} MiB/s written, renderer RSS ${(start / MiB).toFixed(0)} MiB at start, peak growth ${(growth / MiB).toFixed(1)} MiB`,
      );
      expect(written).toMatchObject({ size: file.size, isFile: true });
      // Every MiB of the File read back from disk has the SHA-256 of the MiB that went in (WebCrypto
      // hashes a slice at once; a whole-file SHA-256 of 1 GiB in JavaScript takes minutes here).
      const mismatches = await page.run(
        async ({ file }) => {
          const { store, chunk, hashOf } = icebreakerOpfs;
          const done = (globalThis as unknown as { gigabyte: File }).gigabyte;
          const buffer = new ArrayBuffer(file.chunk);
          const wrong: number[] = [];
          for (let i = 0; i * file.chunk < file.size; i++) {
            const read = new Uint8Array(await done.slice(i * file.chunk, (i + 1) * file.chunk).arrayBuffer());
            if ((await hashOf(read)) !== (await hashOf(chunk(9, i, file.chunk, buffer)))) wrong.push(i);
          }
          await store('gigabyte').discard(file.id);
          return wrong;
        },
        { file },
      );
      expect(mismatches).toEqual([]);
      expect(growth).toBeLessThan(MEMORY_BOUND);
    } finally {
      await cdp.detach();
      await page.close();
    }
  }, 300_000);
});

/** Growth of the renderers' resident memory allowed while the store writes 1 GiB (README: "The OPFS store"). */
const MEMORY_BOUND = 128 * MiB;

/** A process's resident set size in bytes (0 once it has gone). */
function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
