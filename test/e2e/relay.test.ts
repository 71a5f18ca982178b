import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, waitFor } from '../cli/peer-process.js';
import { openPage, pageSuite } from '../helpers/browser.js';
import { randomFile, sha256OfFile } from '../helpers/files.js';
import { Firefox } from '../helpers/firefox.js';
import { metric } from '../helpers/server.js';

const TIMEOUT = 60_000;
const MiB = 1024 * 1024;

/**
 * The relay rung in browsers: `?ice=relay` makes the page gather TURN candidates only, and the
 * server hands out no TURN server, so ICE has nothing to try and fails for real; the library then
 * carries the data through the signaling server, end-to-end encrypted with WebCrypto.
 */
async function relayed(page: Page): Promise<void> {
  await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
  await expect
    .poll(
      () =>
        page.evaluate(
          () => (globalThis as { icebreaker?: { lesson: { remote: { path: string } | null } } }).icebreaker?.lesson.remote?.path,
        ),
      {
        timeout: TIMEOUT,
      },
    )
    .toBe('relay');
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator('#chat-input').fill(text);
  await page.keyboard.press('Enter');
}

describe('the relay in browsers (automatic mode, ICE limited to TURN candidates, no TURN server)', () => {
  const t = pageSuite();

  it('connects two Chromium tabs through the signaling server: chat both ways and a 20 MiB file with its SHA-256', async () => {
    const url = `${t.server.url}?room=relay-tabs&mode=auto&ice=relay`;
    const sender = await openPage(t.browser, url);
    const receiver = await openPage(t.browser, url);
    try {
      await relayed(sender);
      await relayed(receiver);
      // The page says why, in the timeline.
      await sender.locator('#timeline', { hasText: 'through the signaling server' }).waitFor({ timeout: TIMEOUT });
      await say(sender, 'over the relay');
      await receiver.locator('.chat-peer', { hasText: 'over the relay' }).waitFor({ timeout: TIMEOUT });
      await say(receiver, 'and back');
      await sender.locator('.chat-peer', { hasText: 'and back' }).waitFor({ timeout: TIMEOUT });

      const path = join(t.files.dir, 'relayed.bin');
      await randomFile(path, 20 * MiB);
      await sender.setInputFiles('#file-input', path);
      await receiver.locator('.transfer[data-name="relayed.bin"][data-state="done"]').waitFor({ timeout: TIMEOUT });
      const download = receiver.waitForEvent('download');
      await receiver.locator('.transfer a.download').click();
      const saved = join(t.files.dir, 'relayed-downloaded.bin');
      await (await download).saveAs(saved);
      expect(await sha256OfFile(saved)).toBe(await sha256OfFile(path));
      expect(await metric(t.server, 'icebreaker_relayed_bytes_total')).toBeGreaterThan(20 * MiB);
      expect([sender, receiver].flatMap((page) => (page as Page & { errors: string[] }).errors)).toEqual([]);
    } finally {
      await sender.context().close();
      await receiver.context().close();
    }
  }, 120_000);

  it('moves two Chromium tabs from the relay to the direct path in the middle of a 40 MiB file, which arrives whole', async () => {
    const url = `${t.server.url}?room=relay-upgrade&mode=auto&ice=relay`;
    const relayedBefore = await metric(t.server, 'icebreaker_relayed_bytes_total');
    const sender = await openPage(t.browser, url);
    const receiver = await openPage(t.browser, url);
    try {
      await relayed(sender);
      await relayed(receiver);
      const path = join(t.files.dir, 'upgraded.bin');
      await randomFile(path, 40 * MiB);
      await sender.setInputFiles('#file-input', path);
      // A few MiB in, ICE may use every candidate: both tabs restart it, it connects, and the file moves.
      await expect
        .poll(() => receiver.locator('.transfer[data-name="upgraded.bin"] progress').evaluate((p: HTMLProgressElement) => p.value), {
          timeout: TIMEOUT,
        })
        .toBeGreaterThan(2 * MiB);
      for (const page of [sender, receiver])
        await page.evaluate(() => {
          const peer = (globalThis as { icebreaker?: { lesson: { remote: { pc: RTCPeerConnection; restartIce(): void } } } }).icebreaker
            ?.lesson.remote;
          peer?.pc.setConfiguration({ ...peer.pc.getConfiguration(), iceTransportPolicy: 'all' });
          peer?.restartIce();
        });
      const pathNow = (page: Page) =>
        page.evaluate(
          () => (globalThis as { icebreaker?: { lesson: { remote: { path: string } | null } } }).icebreaker?.lesson.remote?.path,
        );
      await expect.poll(() => pathNow(sender), { timeout: TIMEOUT }).toBe('direct');
      const movedAt = await receiver.locator('.transfer[data-name="upgraded.bin"] progress').evaluate((p: HTMLProgressElement) => p.value);
      await receiver.locator('.transfer[data-name="upgraded.bin"][data-state="done"]').waitFor({ timeout: TIMEOUT });
      expect(movedAt).toBeLessThan(40 * MiB);
      const download = receiver.waitForEvent('download');
      await receiver.locator('.transfer a.download').click();
      const saved = join(t.files.dir, 'upgraded-downloaded.bin');
      await (await download).saveAs(saved);
      expect(await sha256OfFile(saved)).toBe(await sha256OfFile(path));
      // Most of it went peer to peer.
      expect((await metric(t.server, 'icebreaker_relayed_bytes_total')) - relayedBefore).toBeLessThan(30 * MiB);
    } finally {
      await sender.context().close();
      await receiver.context().close();
    }
  }, 120_000);

  it('connects a Chromium tab and a terminal (icebreaker peer --ice-policy relay): a file and chat over the relay', async () => {
    const page = await openPage(t.browser, `${t.server.url}?room=relay-cli&mode=auto&ice=relay`);
    await page.locator('#role[data-role="PEER1"]').waitFor();
    const path = join(t.files.dir, 'from-terminal.bin');
    const digest = await randomFile(path, 5 * MiB);
    const terminal = cli([t.server.url, '--room', 'relay-cli', '--ice-policy', 'relay', '--relay', '500ms', '--send', path]);
    try {
      await relayed(page);
      await waitFor(terminal.stderr, /path to \S+: relay \(ICE did not connect within 0\.5 s\)/, terminal.child, TIMEOUT);
      await page.locator('.transfer[data-name="from-terminal.bin"][data-state="done"]').waitFor({ timeout: TIMEOUT });
      expect(await terminal.exit).toBe(0);
      expect(terminal.stderr()).toContain(`SHA-256 ${digest}`);
      const download = page.waitForEvent('download');
      await page.locator('.transfer a.download').click();
      const saved = join(t.files.dir, 'from-terminal-downloaded.bin');
      await (await download).saveAs(saved);
      expect(await sha256OfFile(saved)).toBe(digest);
    } finally {
      await page.context().close();
    }
  }, 120_000);

  describe('Firefox and Chromium', () => {
    let firefox: Firefox;
    beforeAll(async () => {
      firefox = await Firefox.launch();
    });
    afterAll(async () => {
      await firefox?.close();
    });

    it('chat over the relay, Firefox as PEER1', async () => {
      const url = `${t.server.url}?room=relay-ff&mode=auto&ice=relay`;
      const peer1 = await firefox.open(url);
      await peer1.waitFor(`document.querySelector('#role')?.dataset.role === 'PEER1'`, 'the PEER1 role');
      const peer2 = await openPage(t.browser, url);
      try {
        await relayed(peer2);
        await peer1.waitFor(`globalThis.icebreaker?.lesson.remote?.path === 'relay'`, 'the relay in Firefox');
        await peer1.evaluate(
          `(() => { const input = document.querySelector('#chat-input'); input.value = 'from Firefox, relayed'; document.querySelector('#chat-form').requestSubmit(); })()`,
        );
        await peer2.locator('.chat-peer', { hasText: 'from Firefox, relayed' }).waitFor({ timeout: TIMEOUT });
        await say(peer2, 'from Chromium, relayed');
        await peer1.waitFor(
          `[...document.querySelectorAll('.chat-peer')].some((item) => item.textContent.includes('from Chromium, relayed'))`,
          'the reply in Firefox',
        );
      } finally {
        await peer2.context().close();
      }
    }, 120_000);
  });
});
