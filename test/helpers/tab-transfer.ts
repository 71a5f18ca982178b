import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { WORKSPACE_SOURCES } from '../../workspace.config.js';
import type { BigPage } from '../e2e/big-page/main.js';
import { CHROMIUM_ARGS, chromiumPath } from './browser.js';
import { hashEndpoint } from './hash-endpoint.js';
import { PageServer } from './page-server.js';
import { type MemoryPeak, MemorySampler } from './process-memory.js';

/** The page's API, as a function run in the page sees it. */
declare const bigPage: BigPage;

/** What one file sent between two Chromium tabs measured. */
export interface TabTransferResult {
  readonly bytes: number;
  /** From `sendFile` to the receiver's `done` (file whole, every chunk checked, on disk). */
  readonly seconds: number;
  /** SHA-256 of the file the receiving tab's store resolved, read back from disk. */
  readonly sha256: string;
  /**
   * Peaks while the file moved: the receiving and sending tabs' renderer processes, Chromium's browser
   * process, every Chromium process together (PSS adds up; GPU, network and storage services included),
   * the signaling server's Node process, and this runner's (playwright's side of setInputFiles).
   */
  readonly peaks: Record<'receiver' | 'sender' | 'browser' | 'chromium' | 'server' | 'runner', MemoryPeak>;
  /**
   * Each tab's JavaScript heap in use right after the transfer, once garbage was collected: what the
   * page (the library, its transfer and store) still holds. Growth with the file's size would be a leak.
   */
  readonly heapAfterGc: Record<'receiver' | 'sender', number>;
}

/** The page's JS heap in use after a full garbage collection, in bytes. */
async function heapAfterGc(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('HeapProfiler.collectGarbage');
    return ((await session.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
  } finally {
    await session.detach();
  }
}

/** Builds the page (test/e2e/big-page) into `outDir` with Vite, as an application bundles the library and its OPFS worker. */
async function buildPage(outDir: string): Promise<void> {
  await build({
    root: join(import.meta.dirname, '..', 'e2e', 'big-page'),
    base: './',
    logLevel: 'warn',
    resolve: { alias: WORKSPACE_SOURCES },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
}

/**
 * The test flags, and no spare renderer: Chromium otherwise starts one ahead of the next tab, and a
 * tab's renderer could not be told from it. (Chromium reads the last --disable-features only.)
 */
const ARGS = [
  ...CHROMIUM_ARGS.filter((flag) => !flag.startsWith('--disable-features=')),
  `${CHROMIUM_ARGS.find((flag) => flag.startsWith('--disable-features=')) ?? '--disable-features='},SpareRendererForSitePerProcess`,
];

interface ProcessInfo {
  readonly type: string;
  readonly id: number;
}

async function processes(cdp: CDPSession): Promise<ProcessInfo[]> {
  return ((await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] }).processInfo;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Opens a tab on `url` and returns it with its renderer's pid: the one renderer that was not there before. */
async function tabWithPid(context: BrowserContext, cdp: CDPSession, url: string): Promise<{ page: Page; pid: number }> {
  const before = new Set((await processes(cdp)).filter((p) => p.type === 'renderer').map((p) => p.id));
  const page = await context.newPage();
  await page.goto(url);
  // A persistent profile's browser also starts renderers of its own UI (--top-chrome-webui) at times.
  const added = (await processes(cdp)).filter(
    (p) => p.type === 'renderer' && !before.has(p.id) && !commandLine(p.id).includes('--top-chrome-webui'),
  );
  if (added.length !== 1) throw new Error(`expected one new renderer process for ${url}, found ${added.length}`);
  return { page, pid: (added[0] as ProcessInfo).id };
}

/**
 * Sends the file at `path` (`size` bytes) from one Chromium tab to another through a real signaling
 * server, the receiver keeping it in `opfsStore()`. Chromium runs on a persistent profile in
 * `dir/profile`, so that OPFS lives on disk (an incognito context keeps it in memory); the sender's
 * file is picked with setInputFiles, which hands Chromium the path (a local browser reads it from
 * disk, playwright does not). Memory is sampled every 250 ms while the file moves; then the
 * received file is streamed from the page to a hashing endpoint here, and deleted from OPFS.
 * Everything started is stopped; `dir` is the caller's to remove.
 */
export async function tabTransfer(path: string, size: number, dir: string): Promise<TabTransferResult> {
  await buildPage(join(dir, 'page'));
  const server = await PageServer.start(join(dir, 'page'));
  const endpoint = await hashEndpoint();
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: chromiumPath(), args: ARGS });
    const cdp = await (context.browser() as NonNullable<ReturnType<BrowserContext['browser']>>).newBrowserCDPSession();
    for (const page of context.pages()) await page.close();
    const url = `${server.url}index.html`;
    const receiver = await tabWithPid(context, cdp, url);
    const sender = await tabWithPid(context, cdp, url);
    const room = `big-${Date.now().toString(36)}`;
    await receiver.page.evaluate((room) => bigPage.receive(room), room);
    await sender.page.locator('#file').setInputFiles(path);

    const all = await processes(cdp);
    const browserPid = all.find((p) => p.type === 'browser')?.id as number;
    const pids = { receiver: receiver.pid, sender: sender.pid, browser: browserPid, server: server.pid, runner: process.pid };
    const everyChromium = all.map((p) => p.id);
    const sampler = new MemorySampler({ ...pids, ...Object.fromEntries(everyChromium.map((pid) => [`chromium-${pid}`, pid])) });
    const started = performance.now();
    let peaks: ReturnType<MemorySampler['stop']>;
    try {
      const arrived = receiver.page.evaluate(() => bigPage.whenReceived());
      await sender.page.evaluate((room) => bigPage.send(room), room);
      await arrived;
    } finally {
      peaks = sampler.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const heaps = { receiver: await heapAfterGc(receiver.page), sender: await heapAfterGc(sender.page) };
    const answer = JSON.parse(await receiver.page.evaluate((url) => bigPage.upload(url), endpoint.url)) as {
      sha256: string;
      bytes: number;
    };
    if (answer.bytes !== size) throw new Error(`the received file has ${answer.bytes} bytes, not ${size}`);
    await receiver.page.evaluate(() => bigPage.finish());
    await sender.page.evaluate(() => bigPage.finish());
    await cdp.detach();
    const chromiumPeaks = everyChromium.map((pid) => peaks[`chromium-${pid}`] as MemoryPeak);
    const sum = (key: 'rss' | 'pss' | 'hwm') => chromiumPeaks.reduce((total, p) => total + p[key], 0);
    return {
      bytes: size,
      seconds,
      sha256: answer.sha256,
      peaks: {
        receiver: peaks.receiver as MemoryPeak,
        sender: peaks.sender as MemoryPeak,
        browser: peaks.browser as MemoryPeak,
        // The sum of each process's peak: an upper bound of the peak of the sum.
        chromium: { rss: sum('rss'), pss: sum('pss'), hwm: sum('hwm'), samples: chromiumPeaks[0]?.samples ?? 0 },
        server: peaks.server as MemoryPeak,
        runner: peaks.runner as MemoryPeak,
      },
      heapAfterGc: heaps,
    };
  } finally {
    await context?.close();
    await endpoint.close();
    await server.terminate();
  }
}
