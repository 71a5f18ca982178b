import type { DiagnoseOptions, Diagnosis } from '@icebreaker/client';
import { type IcebreakerServer, startServer, turnCredentials } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot } from '../helpers/browser.js';
import { Coturn, RELAY_IP } from '../helpers/coturn.js';

const SECRET = 'doctor-browser-secret-0123456789';
const WAIT = 20_000;

/** Runs the library's diagnose() inside the page (the page exposes it), with Chromium's RTCPeerConnection. */
function diagnoseIn(page: Page, options: DiagnoseOptions): Promise<Diagnosis> {
  return page.evaluate(
    (o) => (globalThis as unknown as { icebreaker: { diagnose: (o: object) => Promise<Diagnosis> } }).icebreaker.diagnose(o),
    options as object,
  );
}

describe('the doctor in Chromium, against a real coturn', () => {
  let turn: Coturn;
  let server: IcebreakerServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    turn = await Coturn.start(SECRET);
    server = await startServer({ port: 0, staticDir: 'packages/server/dist/web', iceServers: [] });
    browser = await launchChromium();
    page = await openPage(browser, `${server.url}?room=doctor-lib`);
    await page.locator('#role').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await turn?.stop();
  });

  it('the right secret: TURN allocated a relay on the relay address and carried data end to end', async () => {
    const d = await diagnoseIn(page, { iceServers: [turnCredentials([turn.url], SECRET, 60_000, 'chromium')], timeoutMs: 5000 });
    expect(d.servers[0]).toMatchObject({ url: turn.url, kind: 'turn', answered: true, errors: [] });
    expect(d.servers[0]?.candidates).toContainEqual(expect.objectContaining({ type: 'relay', address: RELAY_IP }));
    const relay = d.checks.find((c) => c.policy === 'relay');
    expect(relay).toMatchObject({ connected: true, rttSource: 'ice', pair: { local: { type: 'relay' }, remote: { type: 'relay' } } });
    expect(relay?.rttMs).toBeGreaterThanOrEqual(0);
    expect(d.code).toBe('turn-ok');
    expect(d.udpBlocked).toBe(false);
  });

  it('a wrong secret: Chromium reports icecandidateerror 401, and the verdict names the credential', async () => {
    const d = await diagnoseIn(page, { iceServers: [turnCredentials([turn.url], 'wrong-secret-0123456789', 60_000, 'chromium')] });
    expect(d.servers[0]?.answered).toBe(false);
    expect(d.servers[0]?.errors.map((e) => e.code)).toContain(401);
    expect(d.code).toBe('turn-credential-refused');
    expect(d.verdict).toContain("refused the credential (401): check that --turn-secret matches coturn's static-auth-secret");
    // A 401 is an answer: the server was reached over UDP.
    expect(d.udpBlocked).toBe(false);
    expect(d.pathExists).toBe(true);
  });

  it('a STUN host that cannot resolve: its error is reported and the rest goes on', async () => {
    const d = await diagnoseIn(page, { iceServers: [{ urls: 'stun:nonexistent.invalid' }], timeoutMs: 3000 });
    expect(d.servers[0]).toMatchObject({ url: 'stun:nonexistent.invalid', answered: false });
    expect(d.servers[0]?.errors.map((e) => e.code)).toContain(701);
    expect(d.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['stun-no-answer', 'no-turn']));
    expect(d.pathExists).toBe(true);
  });

  it('relay-only with no TURN server: no path', async () => {
    const d = await diagnoseIn(page, { iceServers: [], iceTransportPolicy: 'relay' });
    expect(d.code).toBe('no-path');
    expect(d.pathExists).toBe(false);
  });
});

describe('the page: the doctor panel and the candidate-pair view', () => {
  let server: IcebreakerServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer({ port: 0, staticDir: 'packages/server/dist/web', iceServers: [] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('"Check connectivity" runs the doctor with the page\'s ICE servers and shows the verdict', async () => {
    const page = await openPage(browser, `${server.url}?room=doctor-panel`);
    await page.locator('#role').waitFor();
    await page.locator('#doctor-run').click();
    const verdict = page.locator('#doctor-verdict');
    await verdict.waitFor({ timeout: WAIT });
    // The server hands out no ICE server: the page's list is [], and the verdict asks for TURN.
    expect(await verdict.getAttribute('data-code')).toBe('no-ice-servers');
    expect(await verdict.textContent()).toContain('`--turn-url`/`--turn-secret`');
    expect(await page.locator('#doctor-report [data-connected="true"]').count()).toBe(1);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });

  it.each([['auto'], ['steps']])('shows the pairs and highlights the selected one, in %s mode', async (mode) => {
    const room = `pairs-${mode}`;
    const one = await openPage(browser, `${server.url}?room=${room}&mode=${mode}`);
    await one.locator('#role').waitFor();
    const two = await openPage(browser, `${server.url}?room=${room}&mode=${mode}`);
    await two.locator('#role').waitFor();
    if (mode === 'steps') {
      // The first step of each side by hand, then "finish for me": the bare-API engine runs the rest.
      await one.locator('button[data-action="1"]').click();
      await two.locator('button[data-action="13"]').click();
      await one.locator('#step-1[data-status="done"]').waitFor();
      await two.locator('#step-13[data-status="done"]').waitFor();
      for (const page of [one, two]) await page.locator('#mode input[value="auto"]').check();
    }
    for (const page of [one, two]) {
      await page.locator('.banner-connected').waitFor({ timeout: WAIT });
      const selected = page.locator('#pairs tr[data-selected="true"]');
      await selected.waitFor({ timeout: WAIT });
      // The pair ICE selected may still read in-progress in the first stats after it is chosen.
      await expect.poll(() => selected.locator('td').nth(2).textContent(), { timeout: WAIT }).toBe('succeeded');
      expect(await selected.locator('td').nth(0).textContent()).toMatch(/^(host|srflx|prflx) udp /);
      await expect.poll(() => selected.locator('td').nth(4).textContent(), { timeout: WAIT }).toMatch(/^\d+(\.\d)? ms$/);
      // The library reports the path once it has read the selected pair from getStats: a moment later.
      await expect.poll(() => page.locator('#path').getAttribute('data-path'), { timeout: WAIT }).toBe('direct');
      expect(await page.locator('#ladder [data-rung="direct"][aria-current]').count()).toBe(1);
    }
    await screenshot(one, `pairs-${mode}`);
    await one.context().close();
    await two.context().close();
  });
});
