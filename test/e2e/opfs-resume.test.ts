import { join } from 'node:path';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { randomFile, scratch } from '../helpers/files.js';
import { buildOpfsPage, chromiumTab } from '../helpers/opfs-page.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;

interface Status {
  id?: string;
  state?: string;
  bytes: number;
  resumedFrom?: number;
  resumed: Array<{ at: number; chunk: number; reason: string }>;
  size?: number;
  isFile?: boolean;
  sha?: string;
  error?: string;
}

/**
 * Issue 12, §1: a reload of the receiving tab. One Chromium tab sends 200 MiB (a file on disk, picked
 * in the page) to another that stores it with `opfsStore()`; the receiver reloads mid-transfer, joins
 * again, finds the partial file in its OPFS, asks the sender to resume it, and ends with the source's
 * SHA-256, computed in Node.
 */
describe('a transfer into the OPFS store survives a reload of the receiving tab', () => {
  let server: IcebreakerServer;
  let chromium: Browser;
  let files: Awaited<ReturnType<typeof scratch>>;

  beforeAll(async () => {
    files = await scratch();
    await buildOpfsPage(join(files.dir, 'page'));
    // Room for three: the reloaded tab's old peer keeps its place for --resume-grace (the page never
    // said leave), and the reloaded tab joins beside it as a new peer.
    server = await startServer({ port: 0, staticDir: join(files.dir, 'page'), iceServers: [], roomCapacity: 3 });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await files?.dispose();
  });

  it('resumes 200 MiB from the chunks on disk after the reload, with the SHA-256 of the source', async () => {
    const path = join(files.dir, 'big.bin');
    const source = await randomFile(path, SIZE);
    const page = `${server.url}index.html?room=opfs-reload`;
    const sender = await chromiumTab(chromium, `${page}&role=send`);
    // The sender sends when the receiver's channel opens: the file is picked before the receiver joins.
    await sender.page.setInputFiles('#file', path);
    const receiver = await chromiumTab(chromium, `${page}&role=receive`);
    try {
      await receiver.waitFor(`globalThis.transferStatus?.bytes >= ${60 * MiB}`, '60 MiB received', 120_000);
      const before = await receiver.run(() => (globalThis as unknown as { transferStatus: Status }).transferStatus, null);
      await receiver.reload();
      await receiver.waitFor('globalThis.transferStatus?.sha || globalThis.transferStatus?.error', 'the file to complete', 240_000);
      await sender.waitFor("globalThis.transferStatus?.state === 'done' || globalThis.transferStatus?.error", "the sender's end", 30_000);
      const after = await receiver.run(() => (globalThis as unknown as { transferStatus: Status }).transferStatus, null);
      const sent = await sender.run(() => (globalThis as unknown as { transferStatus: Status }).transferStatus, null);

      expect(after.error).toBeUndefined();
      expect(after).toMatchObject({ id: before.id, size: SIZE, isFile: true, sha: source });
      // It went on from what the first page had stored (at least what it had reported), not from 0.
      expect(after.resumedFrom).toBeGreaterThanOrEqual(before.bytes);
      expect(after.resumedFrom).toBeLessThan(SIZE);
      expect(after.resumed[0]).toMatchObject({ at: after.resumedFrom });
      expect(sent).toMatchObject({ id: before.id, state: 'done' });
      expect(sent.error).toBeUndefined();
    } finally {
      await sender.close();
      await receiver.close();
    }
  }, 400_000);
});
