import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/peer-process.js';
import { openPage, pageSuite, screenshot } from '../helpers/browser.js';
import { randomFile, sha256OfFile } from '../helpers/files.js';

const TIMEOUT = 30_000;
const MiB = 1024 * 1024;

async function connected(page: Page): Promise<void> {
  await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
  await expect.poll(() => page.locator('[data-state="channelState"]').textContent(), { timeout: TIMEOUT }).toBe('open');
}

/** Saves the file the page received as `name` and returns its SHA-256. */
async function saveReceived(page: Page, name: string, dir: string): Promise<string> {
  const link = page.locator(`.transfer-in[data-name="${name}"][data-state="done"] a.download`);
  await link.waitFor({ timeout: TIMEOUT });
  const download = page.waitForEvent('download');
  await link.click();
  const path = join(dir, `saved-${name}`);
  await (await download).saveAs(path);
  return sha256OfFile(path);
}

describe('a tab in automatic mode after its peer left', () => {
  const t = pageSuite();

  it('connects to an icebreaker peer --send that joins after a terminal chat left, and receives its file whole', async () => {
    // Outside tester: the tab closed its session when the chat peer left, so the sender waited forever.
    const room = 'next-cli';
    const page = await openPage(t.browser, `${t.server.url}?room=${room}&mode=auto`);
    await page.locator('#role[data-role="PEER1"]').waitFor();
    const chat = cli([t.server.url, '--room', room]);
    await connected(page);
    chat.child.stdin?.end();
    expect(await chat.exit).toBe(0);
    await page.locator('.banner-left', { hasText: 'PEER2 left' }).waitFor({ timeout: TIMEOUT });
    await expect(page.locator('#peer-presence').textContent()).resolves.toMatch(/^PEER2 left \(/);
    await expect(page.locator('#invite-link').isVisible()).resolves.toBe(true);

    const source = join(t.files.dir, 'after-leave.bin');
    const digest = await randomFile(source, 2 * MiB + 7);
    const sender = cli([t.server.url, '--room', room, '--send', source, '--wait', '20s']);
    expect(await sender.exit).toBe(0);
    expect(sender.stderr()).toContain(`SHA-256 ${digest}`);
    expect(await saveReceived(page, 'after-leave.bin', t.files.dir)).toBe(digest);
    // The page said so, and drew the steps again for the new connection.
    await expect(page.locator('#timeline').textContent()).resolves.toContain('the steps start over');
    await expect(page.locator('#step-27[data-status="done"]').count()).resolves.toBe(1);
    await page.context().close();
  });

  it('connects to a second tab after the first newcomer closed, as PEER1, and a file from the new tab arrives whole', async () => {
    const url = `${t.server.url}?room=next-tab&mode=auto`;
    // This tab joins second (PEER2); when PEER1 leaves it waits in the room for whoever comes next.
    const first = await openPage(t.browser, url);
    await first.locator('#role[data-role="PEER1"]').waitFor();
    const stayer = await openPage(t.browser, url);
    await stayer.locator('#role[data-role="PEER2"]').waitFor();
    await connected(stayer);
    await first.context().close();
    await stayer.locator('.banner-left', { hasText: 'PEER1 left' }).waitFor({ timeout: TIMEOUT });
    await expect(stayer.locator('#dropzone').isVisible()).resolves.toBe(false);

    const newcomer = await openPage(t.browser, url);
    await newcomer.locator('#role[data-role="PEER2"]').waitFor();
    await connected(stayer);
    await connected(newcomer);
    // The tab that stayed is now the caller, and shows the caller's steps done.
    await expect(stayer.locator('#role').getAttribute('data-role')).resolves.toBe('PEER1');
    await expect(stayer.locator('#step-5[data-status="done"] .sdp').count()).resolves.toBe(1);
    await expect(stayer.locator('#peer-presence').textContent()).resolves.toMatch(/^PEER2 is here \(/);

    await newcomer.fill('#chat-input', 'hello again');
    await newcomer.click('#chat-send');
    await stayer.locator('.chat-peer', { hasText: 'hello again' }).waitFor({ timeout: TIMEOUT });

    const source = join(t.files.dir, 'second-tab.bin');
    const digest = await randomFile(source, MiB + 3);
    await newcomer.setInputFiles('#file-input', source);
    expect(await saveReceived(stayer, 'second-tab.bin', t.files.dir)).toBe(digest);
    await screenshot(stayer, 'auto-next-peer');
    await stayer.context().close();
    await newcomer.context().close();
  });
});
