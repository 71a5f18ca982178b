import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Cli, cli, killPeers, waitFor } from '../cli/peer-process.js';
import { launchChromium, openPage } from '../helpers/browser.js';
import { randomFile, scratch, sha256OfFile } from '../helpers/files.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const TIMEOUT = 120_000;

/** The JSON lines a `--json` peer wrote on stderr. */
const events = (peer: Cli) =>
  peer
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, number | string>);

/** Resolves once `peer` (run with --json) reports at least `bytes` moved. */
const progressed = (peer: Cli, bytes: number) =>
  waitFor(
    () => (events(peer).some((e) => e.event === 'progress' && (e.bytes as number) >= bytes) ? 'reached' : ''),
    /reached/,
    peer.child,
    TIMEOUT,
  );

/** A point in the middle of the file, different at each run. */
const randomCut = () => Math.floor((0.15 + Math.random() * 0.6) * SIZE);

describe('icebreaker peer ↔ Chromium: 200 MiB with the terminal peer killed -9 mid-file', () => {
  let server: IcebreakerServer;
  let browser: Browser;
  let files: Awaited<ReturnType<typeof scratch>>;
  let source: string;
  let digest: string;
  const pages: Page[] = [];
  beforeAll(async () => {
    // A killed peer leaves at once (no resume grace): its restart takes the room's second place.
    server = await startServer({ port: 0, staticDir: 'packages/server/dist/web', iceServers: [], resumeGraceMs: 0 });
    browser = await launchChromium();
    files = await scratch();
    source = join(files.dir, 'big.bin');
    digest = await randomFile(source, SIZE);
  });
  afterEach(async () => {
    killPeers();
    for (const page of pages.splice(0)) await page.context().close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await files?.dispose();
  });

  it('Chromium sends to a receiver killed and restarted: the file resumes from its disk and lands whole', {
    timeout: 300_000,
  }, async () => {
    const inbox = join(files.dir, 'inbox-1');
    await mkdir(inbox);
    const receive = () => cli([server.url, '--room', 'tab-to-cli', '--receive', inbox, '--json'], 'ignore');
    let receiver = receive();
    await waitFor(receiver.stderr, /joined room/, receiver.child);
    const page = await openPage(browser, `${server.url}?room=tab-to-cli&mode=auto`);
    pages.push(page);
    await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
    await page.setInputFiles('#file-input', source);
    await progressed(receiver, randomCut());
    receiver.child.kill('SIGKILL');
    expect(await receiver.exit).toBeNull();
    expect((await readdir(inbox)).sort()).toEqual(['big.bin.icebreaker-manifest', 'big.bin.icebreaker-part']);
    receiver = receive();
    await waitFor(receiver.stderr, /"event":"resumed"/, receiver.child, TIMEOUT);
    expect(events(receiver).find((e) => e.event === 'resumed')?.at as number).toBeGreaterThan(0);
    await waitFor(receiver.stderr, /"event":"saved"/, receiver.child, TIMEOUT);
    expect(await readdir(inbox)).toEqual(['big.bin']);
    expect(await sha256OfFile(join(inbox, 'big.bin'))).toBe(digest);
    await page.locator('.transfer-out[data-name="big.bin"][data-state="done"]').waitFor({ timeout: TIMEOUT });
  });

  it('a sender killed and run again with the same file: Chromium saves it whole', { timeout: 300_000 }, async () => {
    const page = await openPage(browser, `${server.url}?room=cli-to-tab&mode=auto`);
    pages.push(page);
    await page.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const send = () => cli([server.url, '--room', 'cli-to-tab', '--send', source, '--json'], 'ignore');
    const first = send();
    await progressed(first, randomCut());
    first.child.kill('SIGKILL');
    expect(await first.exit).toBeNull();
    const again = send();
    expect(await again.exit, again.stderr()).toBe(0);
    // The page keeps what arrives in memory (no store of its own yet), so where the second run starts
    // is the page's affair; what it must never do is save a byte that is not the source's.
    expect(events(again).at(-1)).toEqual({ event: 'done', files: 1, bytes: SIZE });
    const done = page.locator('.transfer-in[data-name="big.bin"][data-state="done"] a.download');
    await done.waitFor({ timeout: TIMEOUT });
    const download = page.waitForEvent('download');
    await done.click();
    const saved = join(files.dir, 'from-tab.bin');
    await (await download).saveAs(saved);
    expect(await sha256OfFile(saved)).toBe(digest);
  });
});
