import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, pageSuite, SCREENSHOT_DIR } from '../helpers/browser.js';
import { randomFile, sha256OfFile } from '../helpers/files.js';
import { Firefox } from '../helpers/firefox.js';

const TIMEOUT = 60_000;
const MiB = 1024 * 1024;

async function connected(page: Page): Promise<void> {
  await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
}

/** Clicks a received file's Save link and returns the SHA-256 of what the browser downloads. */
async function downloaded(page: Page, link: Locator, path: string): Promise<string> {
  const download = page.waitForEvent('download', { timeout: TIMEOUT });
  await link.click();
  await (await download).saveAs(path);
  return sha256OfFile(path);
}

/** Saves a picture of the page's files panel (test-results/screenshots). */
async function panelShot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.locator('#extras').screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Bytes the receiver's bar shows for its (single) incoming transfer. */
function received(page: Page): Promise<number> {
  return page.locator('.transfer-in:not([data-state="failed"]) progress').evaluate((bar: HTMLProgressElement) => bar.value);
}

describe('files in the page: folders, one combined progress, disk-backed receiving that survives a reload', () => {
  const t = pageSuite();

  it('sends a folder and a multiple pick between two tabs: one progress reaching 100 % on both sides, every SHA-256 right', async () => {
    const url = `${t.server.url}?room=folder&mode=auto`;
    const sender = await openPage(t.browser, url);
    const receiver = await openPage(t.browser, url);
    try {
      await connected(sender);
      await connected(receiver);
      // A folder with a subfolder: a file on disk in the receiver (≥ 1 MiB) and small ones in memory.
      const folder = join(t.files.dir, 'album');
      await mkdir(join(folder, 'day 2'), { recursive: true });
      const files: Record<string, string> = {
        'album/cover.bin': await randomFile(join(folder, 'cover.bin'), 3 * MiB + 17),
        'album/day 2/notes.bin': await randomFile(join(folder, 'day 2', 'notes.bin'), 200 * 1024),
        'album/day 2/video.bin': await randomFile(join(folder, 'day 2', 'video.bin'), 5 * MiB),
      };
      await sender.setInputFiles('#folder-input', folder);
      for (const [page, side] of [
        [sender, 'out'],
        [receiver, 'in'],
      ] as const) {
        const batch = page.locator(`.batch-${side}[data-state="done"]`);
        await batch.waitFor({ timeout: TIMEOUT });
        expect(await batch.getAttribute('data-percent')).toBe('100');
        expect(await batch.getAttribute('data-files-done')).toBe('3');
        expect(await batch.getAttribute('data-bytes')).toBe(String(8 * MiB + 200 * 1024 + 17));
        await expect(batch.locator('.batch-status').textContent()).resolves.toContain('3 of 3 files');
      }
      await panelShot(receiver, 'page-folder-received');
      await panelShot(sender, 'page-folder-sent');
      for (const [path, digest] of Object.entries(files)) {
        const link = receiver.locator(`.batch-in .transfer[data-name="${path}"] a.download`);
        expect(await downloaded(receiver, link, join(t.files.dir, `got-${path.replaceAll('/', '_')}`)), path).toBe(digest);
      }

      // "Save as…" streams the disk-backed file into the file the user picks. Only the picker's dialog
      // is replaced: it hands back a real file handle (in this origin's private file system).
      const savedAs = await receiver.evaluate(() => {
        (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) =>
          (await navigator.storage.getDirectory()).getFileHandle(`picked-${suggestedName}`, { create: true });
        return typeof (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker;
      });
      expect(savedAs).toBe('function');
      const saveAs = receiver.locator('.batch-in .transfer[data-name="album/cover.bin"] button.save-as');
      await saveAs.click();
      await receiver.locator('.batch-in .transfer[data-name="album/cover.bin"] button.save-as[data-saved]').waitFor({ timeout: TIMEOUT });
      const pickedDigest = await receiver.evaluate(async () => {
        const file = await (await (await navigator.storage.getDirectory()).getFileHandle('picked-album_cover.bin')).getFile();
        const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
        return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
      });
      expect(pickedDigest).toBe(files['album/cover.bin']);

      // Several files picked at once: a batch too, without folders.
      const a = join(t.files.dir, 'a.bin');
      const b = join(t.files.dir, 'b.bin');
      const picked = { 'a.bin': await randomFile(a, 2 * MiB), 'b.bin': await randomFile(b, 1536 * 1024) };
      await sender.setInputFiles('#file-input', [a, b]);
      const batch = receiver.locator('.batch-in[data-files="2"][data-state="done"]');
      await batch.waitFor({ timeout: TIMEOUT });
      expect(await batch.getAttribute('data-percent')).toBe('100');
      for (const [name, digest] of Object.entries(picked)) {
        const link = batch.locator(`.transfer[data-name="${name}"] a.download`);
        expect(await downloaded(receiver, link, join(t.files.dir, `got-${name}`))).toBe(digest);
      }
      expect((sender as Page & { errors: string[] }).errors).toEqual([]);
      expect((receiver as Page & { errors: string[] }).errors).toEqual([]);
    } finally {
      await sender.context().close();
      await receiver.context().close();
    }
  }, 120_000);

  it('finishes 200 MiB with the right SHA-256 after the RECEIVING tab reloads mid-way, and says where it resumed', async () => {
    const url = `${t.server.url}?room=receiver-reload&mode=auto`;
    const sender = await openPage(t.browser, url);
    const receiver = await openPage(t.browser, url);
    try {
      await connected(sender);
      await connected(receiver);
      const path = join(t.files.dir, 'big-receiver.bin');
      const digest = await randomFile(path, 200 * MiB);
      await sender.setInputFiles('#file-input', path);
      // The teaching view shows the sender's queue against its marks while the file goes.
      await sender.locator('#flow[data-state="sending"] .flow-figures').waitFor({ timeout: TIMEOUT });
      await expect(sender.locator('#flow .flow-figures').textContent()).resolves.toMatch(/Chunk1\.0 MiB.*Frame.*maxMessageSize/s);
      await panelShot(sender, 'page-flow-sending');
      await expect.poll(() => received(receiver), { timeout: TIMEOUT, interval: 100 }).toBeGreaterThan(40 * MiB);
      const before = await received(receiver);
      await receiver.reload();
      await connected(receiver);
      const item = receiver.locator('.transfer-in[data-name="big-receiver.bin"]');
      await item.locator('.transfer-resumed').waitFor({ timeout: TIMEOUT });
      const note = (await item.locator('.transfer-resumed').textContent()) ?? '';
      expect(note).toMatch(/^Resumed at \d+\.\d MiB \(chunk \d+\): a partial file was kept/);
      // It picked up no earlier than what the bar showed before the reload, less the chunks in the window.
      const resumedAt = Number(/chunk (\d+)/.exec(note)?.[1]);
      expect(resumedAt).toBeGreaterThan(0);
      expect(resumedAt * MiB).toBeGreaterThanOrEqual(before - 8 * MiB);
      await receiver.locator('.transfer-in[data-name="big-receiver.bin"][data-state="done"]').waitFor({ timeout: 120_000 });
      await sender.locator('.transfer-out[data-name="big-receiver.bin"][data-state="done"]').waitFor({ timeout: TIMEOUT });
      await expect(sender.locator('.transfer-out .transfer-resumed').textContent()).resolves.toContain('Resumed at');
      await panelShot(receiver, 'page-receiver-reload-resumed');
      expect(await downloaded(receiver, item.locator('a.download'), join(t.files.dir, 'got-big-receiver.bin'))).toBe(digest);
    } finally {
      await sender.context().close();
      await receiver.context().close();
    }
  }, 240_000);

  it('finishes 200 MiB after the SENDING tab reloads and its user picks the same file again: the receiver’s partial is matched', async () => {
    const url = `${t.server.url}?room=sender-reload&mode=auto`;
    const sender = await openPage(t.browser, url);
    const receiver = await openPage(t.browser, url);
    try {
      await connected(sender);
      await connected(receiver);
      const path = join(t.files.dir, 'big-sender.bin');
      const digest = await randomFile(path, 200 * MiB);
      await sender.setInputFiles('#file-input', path);
      await expect.poll(() => received(receiver), { timeout: TIMEOUT, interval: 100 }).toBeGreaterThan(40 * MiB);
      await sender.reload();
      await connected(sender);
      await connected(receiver);
      await receiver.locator('.transfer-in[data-state="interrupted"]').waitFor({ timeout: TIMEOUT });
      await sender.setInputFiles('#file-input', path);
      // The receiver's transfer goes on under the new id: the same item, from the first chunk it lacks.
      const item = receiver.locator('.transfer-in[data-name="big-sender.bin"]');
      expect(await item.count()).toBe(1);
      await expect
        .poll(() => item.locator('.transfer-resumed').textContent(), { timeout: TIMEOUT })
        .toMatch(/^Resumed at \d+\.\d MiB \(chunk [1-9]\d*\): the sender picked the same file again/);
      await expect
        .poll(() => sender.locator('.transfer-out .transfer-resumed').textContent(), { timeout: TIMEOUT })
        .toMatch(/^Resumed at .*: the receiver holds the chunks before it/);
      await receiver.locator('.transfer-in[data-name="big-sender.bin"][data-state="done"]').waitFor({ timeout: 120_000 });
      await panelShot(receiver, 'page-sender-reload-resumed');
      expect(await downloaded(receiver, item.locator('a.download'), join(t.files.dir, 'got-big-sender.bin'))).toBe(digest);
    } finally {
      await sender.context().close();
      await receiver.context().close();
    }
  }, 240_000);
});

describe('files between Firefox and Chromium', () => {
  const t = pageSuite();
  let firefox: Firefox;
  beforeAll(async () => {
    firefox = await Firefox.launch();
  });
  afterAll(async () => {
    await firefox?.close();
  });

  it('Firefox sends a folder to Chromium and Chromium a file to Firefox, on disk, with one progress and every SHA-256 right', async () => {
    const url = `${t.server.url}?room=ff-files&mode=auto`;
    const chromium = await openPage(t.browser, url);
    await chromium.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const tab = await firefox.open(url);
    try {
      await tab.waitFor(`document.querySelector('.banner-connected')`, 'the connected banner', TIMEOUT);
      await connected(chromium);
      // Firefox makes the folder's files in the page (there is no file picker to drive) and sends them
      // through the page's own sending path; it returns each file's SHA-256.
      const sent = await tab.evaluate<Record<string, string>>(`(async () => {
        const sizes = { 'trip/one.bin': 3 * 1048576 + 5, 'trip/sub/two.bin': 2 * 1048576, 'trip/sub/three.bin': 1000 };
        const items = [];
        const digests = {};
        for (const [path, size] of Object.entries(sizes)) {
          const bytes = new Uint8Array(size);
          for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
          const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          digests[path] = Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
          items.push({ file: new File([bytes], path.split('/').pop()), path });
        }
        globalThis.icebreaker.lesson.sendFiles(items);
        return digests;
      })()`);
      const batch = chromium.locator('.batch-in[data-state="done"]');
      await batch.waitFor({ timeout: TIMEOUT });
      expect(await batch.getAttribute('data-percent')).toBe('100');
      expect(await batch.getAttribute('data-files-done')).toBe('3');
      for (const [path, digest] of Object.entries(sent)) {
        const link = batch.locator(`.transfer[data-name="${path}"] a.download`);
        expect(await downloaded(chromium, link, join(t.files.dir, `ff-${path.replaceAll('/', '_')}`)), path).toBe(digest);
      }
      await tab.waitFor(`document.querySelector('.batch-out[data-state="done"]')?.dataset.percent === '100'`, 'Firefox’s batch done');

      // Chromium → Firefox: one file of 6 MiB, which Firefox writes to its OPFS and hashes from there.
      const path = join(t.files.dir, 'to-firefox.bin');
      const digest = await randomFile(path, 6 * MiB);
      await chromium.setInputFiles('#file-input', path);
      await tab.waitFor(
        `document.querySelector('.transfer-in[data-name="to-firefox.bin"][data-state="done"] a.download')`,
        'the file in Firefox',
        TIMEOUT,
      );
      const got = await tab.evaluate<string>(`(async () => {
        const link = document.querySelector('.transfer-in[data-name="to-firefox.bin"] a.download');
        const bytes = await (await fetch(link.href)).arrayBuffer();
        return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
      })()`);
      expect(got).toBe(digest);
      const where = await tab.evaluate<string>(`document.querySelector('.transfer-in[data-name="to-firefox.bin"] .save').textContent`);
      expect(where).toContain('private disk (OPFS)');
    } finally {
      await chromium.context().close();
    }
  }, 120_000);

  it('Firefox sends 96 MiB to Chromium; Chromium’s peer connection is closed mid-file; a new one resumes it and the SHA-256 is right', async () => {
    const url = `${t.server.url}?room=ff-cut&mode=auto`;
    const chromium = await openPage(t.browser, url);
    await chromium.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const tab = await firefox.open(url);
    try {
      await tab.waitFor(`document.querySelector('.banner-connected')`, 'the connected banner', TIMEOUT);
      await connected(chromium);
      const digest = await tab.evaluate<string>(`(async () => {
        const size = 96 * 1048576;
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
        const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        globalThis.icebreaker.lesson.sendFile(new File([bytes], 'cut.bin'));
        return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
      })()`);
      const item = chromium.locator('.transfer-in[data-name="cut.bin"]');
      await item.waitFor({ timeout: TIMEOUT });
      // Cut once a random share of the file has arrived: Chromium's end of the connection dies for good.
      const cutAt = Math.floor((16 + Math.random() * 48) * MiB);
      await chromium.waitForFunction(
        (bytes) =>
          ((document.querySelector('.transfer-in[data-name="cut.bin"] progress') as HTMLProgressElement | null)?.value ?? 0) >= bytes,
        cutAt,
        { timeout: TIMEOUT, polling: 50 },
      );
      await chromium.evaluate(() => {
        const lesson = (globalThis as unknown as { icebreaker: { lesson: { room: { peers: Map<string, { pc: RTCPeerConnection }> } } } })
          .icebreaker.lesson;
        for (const peer of lesson.room.peers.values()) peer.pc.close();
      });
      await chromium.locator('.transfer-in[data-name="cut.bin"][data-state="done"]').waitFor({ timeout: 120_000 });
      await expect(item.textContent()).resolves.toMatch(/Resumed at/);
      expect(await downloaded(chromium, item.locator('a.download'), join(t.files.dir, 'ff-cut.bin'))).toBe(digest);
    } finally {
      await chromium.context().close();
    }
  }, 240_000);
});
