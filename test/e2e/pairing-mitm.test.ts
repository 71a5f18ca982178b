import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../helpers/browser.js';
import type { FirefoxTab } from '../helpers/firefox.js';
import { connectedWithSafety, invite } from '../helpers/pairing-page.js';
import { browsersThroughMitm } from '../mitm/through-mitm.js';

const TIMEOUT = 30_000;

/**
 * The page against a signaling server that plays the man in the middle (issue 13, part 3): the page
 * loads from the MITM's port, so its WebSocket goes to him, and in `swap` mode he answers each tab
 * with a DTLS peer of his own. Without a link's secret the tabs connect (to him) and their safety
 * numbers differ; with an invite link both tabs refuse the connection with the tamper warning.
 */
describe('the page through a man in the middle (swap mode)', () => {
  const t = browsersThroughMitm('swap');

  /** Lines the MITM printed after `from`: what he read of the tabs' messages. */
  const readSince = (from: number) =>
    t.mitm.lines
      .slice(from)
      .filter((line) => typeof line.read === 'string')
      .map((line) => line.read as string);

  it('Chromium ↔ Chromium without a secret: both connect, to him, and the two safety numbers differ', async () => {
    const url = `${t.mitm.url}?room=mitm-plain&mode=auto`;
    const a = await openPage(t.browser, url);
    await a.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const b = await openPage(t.browser, url);
    try {
      const [numberA, numberB] = await Promise.all([connectedWithSafety(a), connectedWithSafety(b)]);
      expect(numberA.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
      expect(numberB.digits).not.toBe(numberA.digits);
      // Each handshake matched its own SDP: only comparing the numbers shows the man in the middle.
      for (const number of [numberA, numberB]) expect(number.checked).toBe('handshake');
      for (const page of [a, b]) await expect(page.getByTestId('tamper-warning').isHidden()).resolves.toBe(true);
      await screenshot(a, 'mitm-plain-a');
    } finally {
      await a.context().close();
      await b.context().close();
    }
  });

  it('Chromium ↔ Chromium with an invite link: both tabs show the tamper warning and no message passes', async () => {
    const before = t.mitm.lines.length;
    const a = await openPage(t.browser, t.mitm.url);
    const { link } = await invite(a);
    const b = await openPage(t.browser, link);
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
    const url = `${t.mitm.url}?room=mitm-firefox-plain&mode=auto`;
    const a = await openPage(t.browser, url);
    await a.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const b = await t.firefox.open(url);
    try {
      const numberA = await connectedWithSafety(a);
      const numberB = await firefoxNumber(b);
      expect(numberB.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
      expect(numberB.digits).not.toBe(numberA.digits);
      // Firefox reports no certificate stats; its DTLS transport names the certificate presented.
      expect(numberB.checked).toBe('handshake');
    } finally {
      await a.context().close();
      await t.firefox.send('browsingContext.close', { context: b.context });
    }
  });

  it('Firefox ↔ Chromium with an invite link: both show the tamper warning and no message passes', async () => {
    const before = t.mitm.lines.length;
    const a = await openPage(t.browser, t.mitm.url);
    const { link, secret } = await invite(a);
    const b = await t.firefox.open(link);
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
      await t.firefox.send('browsingContext.close', { context: b.context });
    }
  });
});

/** The same pairs through an honest signaling path: the numbers agree, and a link pairs them. */
describe('the page through an honest signaling path', () => {
  const t = browsersThroughMitm('honest');

  it('Firefox ↔ Chromium with an invite link: paired, equal numbers, and they talk', async () => {
    const a = await openPage(t.browser, t.mitm.url);
    const { link } = await invite(a);
    const b = await t.firefox.open(link);
    try {
      const numberB = await firefoxNumber(b);
      const numberA = await connectedWithSafety(a);
      expect(numberB.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
      expect(numberB.digits).toBe(numberA.digits);
      expect(numberB.checked).toBe('handshake');
      await expect(a.getByTestId('paired-badge').isVisible()).resolves.toBe(true);
      expect(await b.evaluate<boolean>(`!!document.querySelector('[data-testid="paired-badge"]')`)).toBe(true);
      await expect(a.getByTestId('tamper-warning').isHidden()).resolves.toBe(true);
      expect(t.mitm.lines.filter((line) => line.swapped !== undefined)).toEqual([]);
      await a.locator('#chat-input').fill('paired hello');
      await a.keyboard.press('Enter');
      await b.waitFor(
        `[...document.querySelectorAll('.chat-peer')].some((li) => li.textContent.includes('paired hello'))`,
        'the message',
        TIMEOUT,
      );
    } finally {
      await a.context().close();
      await t.firefox.send('browsingContext.close', { context: b.context });
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
