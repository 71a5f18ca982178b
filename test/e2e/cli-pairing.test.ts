import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Cli, cli, killPeers, waitFor } from '../cli/peer-process.js';
import { launchChromium, openPage } from '../helpers/browser.js';
import { randomFile, scratch, sha256OfFile } from '../helpers/files.js';
import { connectedWithSafety, invite, typeCode } from '../helpers/pairing-page.js';
import { captureLog } from '../helpers/server.js';
import { Mitm } from '../mitm/mitm.js';

const TIMEOUT = 30_000;

/** The link a sending `icebreaker peer` printed. */
const linkOf = (peer: Cli): string => /^ {2}(http:\/\/\S+#room=\S+&key=\S+)$/m.exec(peer.stderr())?.[1] ?? '';

/** The safety digits a terminal peer printed, in order. */
const digitsOf = (peer: Cli): string[] =>
  [...peer.stderr().matchAll(/safety number (\d{5} \d{5} \d{5} \d{5}) \(/g)].map((m) => m[1] as string);

/** Resolves once `peer` printed a safety number, with its digits. */
async function cliDigits(peer: Cli): Promise<string> {
  await waitFor(peer.stderr, /safety number \d{5} \d{5} \d{5} \d{5} \(/, peer.child, TIMEOUT);
  return digitsOf(peer)[0] as string;
}

/** Waits for the page's tamper warning, with the code it names. */
async function tamperWarning(page: Page): Promise<string> {
  const warning = page.locator('[data-testid="tamper-warning"][data-code="tampered"]');
  await warning.waitFor({ timeout: TIMEOUT });
  return (await warning.textContent()) ?? '';
}

/**
 * The terminal peer and the page pairing with each other (issue 13): a link the CLI prints opens in
 * Chromium (the page is the server's own origin), and one the page makes is passed to `--receive`.
 * Through a man in the middle in swap mode, a link gets both sides refused; a code (no secret) gets
 * them connected to him, with safety numbers that differ.
 */
describe('icebreaker peer ↔ Chromium: pairing links and codes', () => {
  let server: IcebreakerServer;
  let log: ReturnType<typeof captureLog>;
  let mitm: Mitm;
  let browser: Browser;
  let files: Awaited<ReturnType<typeof scratch>>;
  let source: string;
  let digest: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    log = captureLog();
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      staticDir: 'packages/server/dist/web',
      iceServers: [],
      resumeGraceMs: 0,
      logger: log.logger,
    });
    mitm = await Mitm.start(server.url, 'swap');
    browser = await launchChromium();
    files = await scratch();
    source = join(files.dir, 'from-cli.bin');
    digest = await randomFile(source, 2 * 1024 * 1024 + 3);
  });
  afterEach(async () => {
    killPeers();
    for (const page of pages.splice(0)) await page.context().close();
  });
  afterAll(async () => {
    await browser?.close();
    await mitm?.stop();
    await server?.close();
    await files?.dispose();
  });

  const open = async (url: string): Promise<Page> => {
    const page = await openPage(browser, url);
    pages.push(page);
    return page;
  };

  it("the CLI's link opens in the page: same safety number, paired, the file arrives whole", { timeout: 90_000 }, async () => {
    const sender = cli([server.url, '--send', source], 'ignore');
    await waitFor(sender.stderr, /or run: icebreaker peer --receive '/, sender.child);
    const link = linkOf(sender);
    const secret = new URLSearchParams(new URL(link).hash.slice(1)).get('key') ?? '';
    expect(link.startsWith(`${server.url}#room=p-`)).toBe(true);

    const page = await open(link);
    const shown = await connectedWithSafety(page);
    expect(shown.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(await cliDigits(sender)).toBe(shown.digits);
    expect(sender.stderr()).toContain('the other side also proved it holds the link');
    await expect(page.getByTestId('paired-badge').isVisible()).resolves.toBe(true);

    const item = page.locator('.transfer-in[data-name="from-cli.bin"][data-state="done"] a.download');
    await item.waitFor({ timeout: TIMEOUT });
    const download = page.waitForEvent('download', { timeout: TIMEOUT });
    await item.click();
    const saved = join(files.dir, 'page-got.bin');
    await (await download).saveAs(saved);
    expect(await sha256OfFile(saved)).toBe(digest);
    expect(await sender.exit, sender.stderr()).toBe(0);
    expect(JSON.stringify(log.lines)).not.toContain(secret);
  });

  it("the page's link passed to --receive: same safety number, the file the page sends lands whole", { timeout: 90_000 }, async () => {
    const page = await open(server.url);
    const { link } = await invite(page);
    const inbox = join(files.dir, 'inbox-page-link');
    await mkdir(inbox);
    const receiver = cli(['--receive', link, '--into', inbox], 'ignore');
    const shown = await connectedWithSafety(page);
    expect(await cliDigits(receiver)).toBe(shown.digits);
    await page.setInputFiles('#file-input', source);
    await waitFor(receiver.stderr, /^saved /m, receiver.child, TIMEOUT);
    expect(await sha256OfFile(join(inbox, 'from-cli.bin'))).toBe(digest);
  });

  it('through the man in the middle with a link from the CLI: both sides refuse (tampered), the CLI exits 5, the page gets nothing', {
    timeout: 90_000,
  }, async () => {
    const sender = cli([mitm.url, '--send', source], 'ignore');
    await waitFor(sender.stderr, /or run: icebreaker peer --receive '/, sender.child);
    const link = linkOf(sender);
    expect(link.startsWith(`${mitm.url}#room=p-`)).toBe(true);
    const page = await open(link);
    expect(await tamperWarning(page)).toContain('signaling path was tampered with');
    expect(await sender.exit, sender.stderr()).toBe(5);
    expect(sender.stderr()).toContain('the signaling path was tampered with, or the other side has another link: refused');
    expect(sender.stderr()).not.toMatch(/safety number|connected to|^sent /m);
    await expect(page.locator('.transfer-in').count()).resolves.toBe(0);
  });

  it('through the man in the middle with a link from the page: the CLI receiver refuses (exit 5), no file written', {
    timeout: 90_000,
  }, async () => {
    const page = await open(mitm.url);
    const { link } = await invite(page);
    const inbox = join(files.dir, 'inbox-mitm');
    await mkdir(inbox);
    const receiver = cli(['--receive', link, '--into', inbox, '--json'], 'ignore');
    expect(await receiver.exit, receiver.stderr()).toBe(5);
    expect(receiver.stderr()).toContain('"event":"refused","code":"tampered"');
    expect(await tamperWarning(page)).toContain('signaling path was tampered with');
    expect(await readdir(inbox)).toEqual([]);
  });

  it('through the man in the middle by code (no secret): both connect, to him, and the CLI and the page show different numbers', {
    timeout: 90_000,
  }, async () => {
    const sender = cli([mitm.url, '--code', '--send', source], 'ignore');
    await waitFor(sender.stderr, /--receive \d+-[a-z]+-[a-z]+\n/, sender.child);
    const code = /--receive (\d+-[a-z]+-[a-z]+)\n/.exec(sender.stderr())?.[1] ?? '';
    const page = await open(mitm.url);
    await typeCode(page, code);
    // Not "connected": the sender may have sent its file and left by then (the page keeps the number).
    await page.locator('[data-testid="safety-checked"]:not([data-checked="pending"])').waitFor({ timeout: 30_000 });
    const shown = (await page.getByTestId('safety-digits').textContent()) ?? '';
    const cliNumber = await cliDigits(sender);
    expect(shown).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(cliNumber).not.toBe(shown);
    await expect(page.getByTestId('tamper-warning').isHidden()).resolves.toBe(true);
  });
});
