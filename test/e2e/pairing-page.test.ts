import type { Browser, Page } from 'playwright-core';
import { renderSVG } from 'uqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot } from '../helpers/browser.js';
import { connectedWithSafety, invite, makeCode, typeCode, watchTraffic } from '../helpers/pairing-page.js';
import { ServerProcess } from '../helpers/server-process.js';

/**
 * The page's pairing (issue 13, part 2): an invite link whose secret never leaves the two browsers,
 * and a short code whose users compare safety numbers. A real server process (its log is read) and
 * two Chromium contexts, each like a separate browser.
 */
describe('pairing on the page, Chromium ↔ Chromium, honest server', () => {
  let server: ServerProcess;
  let browser: Browser;
  let serverOutput = '';

  beforeAll(async () => {
    // trace: the most the server can say, so that "not in its log" covers everything it logs.
    server = await ServerProcess.start(['--port', '0', '--ice-servers', 'none', '--log-level', 'trace']);
    server.child.stdout?.on('data', (chunk) => {
      serverOutput += chunk;
    });
    server.child.stderr?.on('data', (chunk) => {
      serverOutput += chunk;
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.terminate();
  });

  it('an invite link: both connect, paired, equal numbers; the secret stays out of the address bar, the server, its log and metrics', async () => {
    const a = await openPage(browser, server.url);
    const aTraffic = watchTraffic(a);
    const { link, secret } = await invite(a);
    expect(link.startsWith(`${server.url}#room=p-`)).toBe(true);
    // The QR image is an image of the link.
    // The QR image is the QR code of exactly that link, and the browser draws it.
    const qr = a.getByTestId('invite-qr');
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const src = (await qr.getAttribute('src')) ?? '';
    expect(decodeURIComponent(src.replace('data:image/svg+xml;charset=utf-8,', ''))).toBe(renderSVG(link, { border: 2 }));
    // The inviter's own address bar has no secret either: it was carried over the reload in history.state.
    expect(a.url()).not.toContain(secret);

    const b = await browser.newContext().then((context) => context.newPage());
    const bTraffic = watchTraffic(b);
    await b.goto(link);
    const [numberA, numberB] = await Promise.all([connectedWithSafety(a), connectedWithSafety(b)]);
    expect(numberA.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(numberB.digits).toBe(numberA.digits);
    expect(numberB.words).toBe(numberA.words);
    // Chromium: the certificate the peer presented (from getStats, or its DTLS transport) is the SDP's.
    for (const number of [numberA, numberB]) expect(number.checked).toBe('handshake');
    for (const page of [a, b]) {
      await expect(page.getByTestId('paired-badge').isVisible()).resolves.toBe(true);
      await expect(page.getByTestId('tamper-warning').isHidden()).resolves.toBe(true);
    }

    // The fragment left B's address bar at load, before anything went to the network.
    const bHref = await b.evaluate(() => location.href);
    expect(bHref).not.toContain('#');
    expect(bHref).not.toContain(secret);
    expect(b.url()).not.toContain(secret);
    // B's page shows no secret anywhere (it is A's to share, not B's to show).
    await expect(b.evaluate(() => document.body.textContent)).resolves.not.toContain(secret);
    for (const page of [a, b]) await expect(page.locator('#timeline').textContent()).resolves.not.toContain(secret);

    // Chat crosses: the connection is clean.
    await a.locator('#chat-input').fill('paired hello');
    await a.keyboard.press('Enter');
    await b.locator('.chat-peer', { hasText: 'paired hello' }).waitFor();

    // Marking verified is the user's statement; it shows.
    await a.getByTestId('mark-verified').click();
    await expect.poll(() => a.getByTestId('verified-state').getAttribute('data-verified')).toBe('true');
    await expect(b.getByTestId('verified-state').getAttribute('data-verified')).resolves.toBe('false');

    // Nothing either page sent (requests, WebSocket frames) or logged carried the secret.
    for (const traffic of [aTraffic, bTraffic]) {
      expect(traffic.frames.length).toBeGreaterThan(0);
      expect(traffic.requests.filter((url) => url.includes(secret))).toEqual([]);
      expect(traffic.frames.filter((frame) => frame.includes(secret))).toEqual([]);
      expect(traffic.console.filter((line) => line.includes(secret))).toEqual([]);
    }
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics).not.toContain(secret);
    // The server logged the joins (so its log is being read), and never the secret.
    expect(serverOutput).toContain(link.slice(link.indexOf('room=') + 5, link.indexOf('&')));
    expect(serverOutput).not.toContain(secret);
    await screenshot(a, 'pairing-link-inviter');
    await screenshot(b, 'pairing-link-invitee');
    expect([...(a as Page & { errors: string[] }).errors]).toEqual([]);
    // B leaves: A's banner sends the next peer to the link, not to the bare address (which is refused).
    await b.context().close();
    const left = a.locator('.banner-left');
    await left.waitFor();
    await expect(left.textContent()).resolves.toContain('the next peer to open the invite link connects');
    await a.context().close();
  });

  it('a short code: the other side types it, they connect, equal numbers, not paired', async () => {
    const a = await openPage(browser, server.url);
    const code = await makeCode(a);
    expect(code).toMatch(/^\d{1,2}-[a-z]+-[a-z]+$/);
    const b = await openPage(browser, server.url);
    // A typo gets a clear message and goes nowhere.
    await b.getByTestId('code-input').fill('not a code');
    await b.getByTestId('code-join').click();
    await expect(b.getByTestId('code-error').textContent()).resolves.toContain('is not a code');
    // Typed as people type it (capitals, spaces): read as the code, and shown back the maker's way,
    // as the code this side joined with, not as one to hand on.
    await typeCode(b, ` ${code.toUpperCase().replaceAll('-', ' ')} `);
    await expect(b.getByTestId('joined-code').textContent()).resolves.toBe(code);
    await expect(b.getByTestId('invite-code').count()).resolves.toBe(0);
    await expect(a.getByTestId('joined-code').count()).resolves.toBe(0);
    const [numberA, numberB] = await Promise.all([connectedWithSafety(a), connectedWithSafety(b)]);
    expect(numberB.digits).toBe(numberA.digits);
    for (const page of [a, b]) {
      await expect(page.getByTestId('paired-badge').count()).resolves.toBe(0);
      await expect(page.locator('#room-name').textContent()).resolves.toBe(`c-${code}`);
    }
    await screenshot(b, 'pairing-code-joiner');
    // A leaves (as a terminal sender does once its file is through): B still shows the number it
    // must compare, marked as the number of a peer that left.
    await a.context().close();
    await b.getByTestId('safety-left').waitFor();
    await expect(b.getByTestId('safety-digits').textContent()).resolves.toBe(numberA.digits);
    await b.context().close();
  });

  it('the teaching step: a step-by-step tab (bare WebRTC) and an automatic one (the library) show the same number and each other’s fingerprints', async () => {
    const url = `${server.url}?room=trust-step&mode=steps`;
    const a = await openPage(browser, url);
    await a.locator('button[data-action="1"]').click();
    await a.locator('#step-1[data-status="done"]').waitFor();
    // "Finish for me": the step-by-step engine runs its remaining steps by itself.
    await a.locator('#mode input[value="auto"]').check();
    const b = await openPage(browser, url.replace('mode=steps', 'mode=auto'));
    const numberB = await connectedWithSafety(b);
    for (const page of [a, b]) await page.locator('#step-28[data-status="done"]').waitFor({ timeout: 20_000 });
    await expect(a.locator('#step-28 .digits').textContent()).resolves.toBe(numberB.digits);
    const fingerprint = (page: Page, side: 'local' | 'remote') => page.getByTestId(`trust-${side}-fingerprint`).textContent();
    expect(await fingerprint(a, 'local')).toMatch(/^sha-256 [0-9A-F:]{95}$/);
    expect(await fingerprint(a, 'remote')).toBe(await fingerprint(b, 'local'));
    expect(await fingerprint(b, 'remote')).toBe(await fingerprint(a, 'local'));
    await expect(a.getByTestId('trust-checked').textContent()).resolves.not.toContain('NOT');
    await a.context().close();
    await b.context().close();
  });

  it('the inviter reloads: the same room and link, kept in the tab, never in its address', async () => {
    const a = await openPage(browser, server.url);
    const { link, secret } = await invite(a);
    await a.reload();
    await expect.poll(() => a.getByTestId('invite-link').inputValue()).toBe(link);
    expect(a.url()).not.toContain(secret);
    // Still the link's room, with the secret: a tab that opens the link connects to it, paired.
    const b = await openPage(browser, link);
    const [numberA, numberB] = await Promise.all([connectedWithSafety(a), connectedWithSafety(b)]);
    expect(numberB.digits).toBe(numberA.digits);
    await expect(a.getByTestId('paired-badge').isVisible()).resolves.toBe(true);
    await a.context().close();
    await b.context().close();
  });

  it('a damaged link: the fragment still leaves the address bar, and the page says the link is damaged', async () => {
    const page = await openPage(browser, `${server.url}#room=p-x&key=tooshort`);
    await page.getByTestId('link-problem').waitFor();
    expect(page.url()).not.toContain('tooshort');
    await page.context().close();
  });
});
