import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot } from '../helpers/browser.js';
import { Firefox, type FirefoxTab } from '../helpers/firefox.js';
import { connectedWithSafety, invite } from '../helpers/pairing-page.js';
import { Mitm } from '../mitm/mitm.js';

const TIMEOUT = 30_000;

/**
 * The page against a signaling server that plays the man in the middle (issue 13, part 3): the page
 * loads from the MITM's port, so its WebSocket goes to him, and in `swap` mode he answers each tab
 * with a DTLS peer of his own. Without a link's secret the tabs connect (to him) and their safety
 * numbers differ; with an invite link both tabs refuse the connection with the tamper warning.
 */
describe('the page through a man in the middle (swap mode)', () => {
  let server: IcebreakerServer;
  let browser: Browser;
  let firefox: Firefox;
  let mitm: Mitm;

  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: 'packages/server/dist/web', iceServers: [] });
    mitm = await Mitm.start(server.url, 'swap');
    browser = await launchChromium();
    firefox = await Firefox.launch();
  });
  afterAll(async () => {
    await firefox?.close();
    await browser?.close();
    await mitm?.stop();
    await server?.close();
  });

  /** Lines the MITM printed after `from`: what he read of the tabs' messages. */
  const readSince = (from: number) =>
    mitm.lines
      .slice(from)
      .filter((line) => typeof line.read === 'string')
      .map((line) => line.read as string);

  it('Chromium ↔ Chromium without a secret: both connect, to him, and the two safety numbers differ', async () => {
    const url = `${mitm.url}?room=mitm-plain&mode=auto`;
    const a = await openPage(browser, url);
    await a.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const b = await openPage(browser, url);
    try {
      const [numberA, numberB] = await Promise.all([connectedWithSafety(a), connectedWithSafety(b)]);
      expect(numberA.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
      expect(numberB.digits).not.toBe(numberA.digits);
      // Each handshake matched its own SDP: only comparing the numbers shows the man in the middle.
      // ('stack' where Chromium's getStats did not name the certificates yet, which the library allows.)
      for (const number of [numberA, numberB]) expect(['handshake', 'stack']).toContain(number.checked);
      for (const page of [a, b]) await expect(page.getByTestId('tamper-warning').isHidden()).resolves.toBe(true);
      await screenshot(a, 'mitm-plain-a');
    } finally {
      await a.context().close();
      await b.context().close();
    }
  });

  it('Chromium ↔ Chromium with an invite link: both tabs show the tamper warning and no message passes', async () => {
    const before = mitm.lines.length;
    const a = await openPage(browser, mitm.url);
    const { link } = await invite(a);
    const b = await openPage(browser, link);
    try {
      for (const page of [a, b]) {
        await page.locator('[data-testid="tamper-warning"][data-code="tampered"]').waitFor({ timeout: TIMEOUT });
        await expect(page.getByTestId('tamper-warning').textContent()).resolves.toContain('signaling path was tampered with');
        // The library closed that peer connection: no channel, so nothing can be sent.
        await expect.poll(() => page.evaluate(pcState)).toMatch(/^(closed|none)$/);
        await expect(page.locator('#chat-input').isDisabled()).resolves.toBe(true);
        await expect(page.getByTestId('paired-badge').count()).resolves.toBe(0);
        await expect(page.getByTestId('peer-refused').isVisible()).resolves.toBe(true);
      }
      expect(readSince(before)).toEqual([]);
      await screenshot(b, 'mitm-link-b');
    } finally {
      await a.context().close();
      await b.context().close();
    }
  });

  it('Firefox ↔ Chromium without a secret: the safety numbers differ', async () => {
    const url = `${mitm.url}?room=mitm-firefox-plain&mode=auto`;
    const a = await openPage(browser, url);
    await a.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const b = await firefox.open(url);
    try {
      const numberA = await connectedWithSafety(a);
      const numberB = await firefoxNumber(b);
      expect(numberB.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
      expect(numberB.digits).not.toBe(numberA.digits);
      // Firefox reports no certificate stats: it enforces the SDP's fingerprint itself.
      expect(numberB.checked).toBe('stack');
    } finally {
      await a.context().close();
      await firefox.send('browsingContext.close', { context: b.context });
    }
  });

  it('Firefox ↔ Chromium with an invite link: both show the tamper warning and no message passes', async () => {
    const before = mitm.lines.length;
    const a = await openPage(browser, mitm.url);
    const { link, secret } = await invite(a);
    const b = await firefox.open(link);
    try {
      await b.waitFor(
        `document.querySelector('[data-testid="tamper-warning"]')?.dataset.code === 'tampered'`,
        'the tamper warning',
        TIMEOUT,
      );
      await a.locator('[data-testid="tamper-warning"][data-code="tampered"]').waitFor({ timeout: TIMEOUT });
      // Firefox too took the secret out of its address bar at load.
      const href = await b.evaluate<string>('location.href');
      expect(href).not.toContain(secret);
      expect(href).not.toContain('#');
      expect(await b.evaluate<boolean>(`document.querySelector('#chat-input').disabled`)).toBe(true);
      await expect(a.locator('#chat-input').isDisabled()).resolves.toBe(true);
      expect(readSince(before)).toEqual([]);
    } finally {
      await a.context().close();
      await firefox.send('browsingContext.close', { context: b.context });
    }
  });
});

/** In the page: the state of the library's current peer connection (the page exposes `icebreaker.lesson`). */
function pcState(): string {
  const exposed = (globalThis as { icebreaker?: { lesson?: { peerConnection?: RTCPeerConnection | null } } }).icebreaker;
  return exposed?.lesson?.peerConnection?.connectionState ?? 'none';
}

/** Waits for Firefox's tab to show a checked safety number, and reads it. */
async function firefoxNumber(tab: FirefoxTab): Promise<{ digits: string; checked: string }> {
  await tab.waitFor(
    `document.querySelector('[data-testid="safety-checked"]')?.dataset.checked && document.querySelector('[data-testid="safety-checked"]').dataset.checked !== 'pending'`,
    'a checked safety number',
    TIMEOUT,
  );
  return tab.evaluate(
    `({ digits: document.querySelector('[data-testid="safety-digits"]').textContent, checked: document.querySelector('[data-testid="safety-checked"]').dataset.checked })`,
  );
}
