import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { Firefox, type FirefoxTab } from '../helpers/firefox.js';
import { Mitm } from './mitm.js';

const TIMEOUT = 30_000;

async function chat(from: Page, to: Page, text: string): Promise<void> {
  await from.locator('#chat-input').fill(text);
  await from.keyboard.press('Enter');
  await to.locator('.chat-peer', { hasText: text }).waitFor({ timeout: TIMEOUT });
}

async function firefoxSays(tab: FirefoxTab, text: string): Promise<void> {
  await tab.evaluate(
    `(() => { const input = document.querySelector('#chat-input'); input.value = ${JSON.stringify(text)}; document.querySelector('#chat-form').requestSubmit(); })()`,
  );
}

function firefoxSees(tab: FirefoxTab, text: string): Promise<void> {
  return tab.waitFor(
    `[...document.querySelectorAll('.chat-peer')].some((li) => li.textContent.includes(${JSON.stringify(text)}))`,
    text,
    TIMEOUT,
  );
}

/** Clicks step `n`'s button once it is enabled, and waits for the step to be done. */
async function click(page: Page, n: number): Promise<void> {
  const button = page.locator(`button[data-action="${n}"]`);
  await expect.poll(() => button.isEnabled(), { timeout: TIMEOUT, message: `step ${n} never became ready` }).toBe(true);
  await button.click();
  await page.locator(`#step-${n}[data-status="done"]`).waitFor({ timeout: TIMEOUT });
}

const readLine = (text: string) => (line: Record<string, unknown>) => typeof line.read === 'string' && line.read.includes(text);

// The harness as the page's tests use it (`npm run build` first): the page loads from the man in
// the middle's port, so its WebSocket goes to him too.
describe('browser tabs through a swapping man in the middle', () => {
  let server: IcebreakerServer;
  let browser: Browser;
  let firefox: Firefox;
  let mitm: Mitm;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: 'packages/server/dist/web', iceServers: [] });
    [browser, firefox] = await Promise.all([launchChromium(), Firefox.launch()]);
    mitm = await Mitm.start(server.url, 'swap');
  });
  afterAll(async () => {
    await mitm?.stop();
    await firefox?.close();
    await browser?.close();
    await server?.close();
  });

  it('Chromium ↔ Chromium: load the page from it, connect, chat both ways, and it reads every line', async () => {
    const url = `${mitm.url}?room=chromium-swap&mode=auto`;
    const one = await openPage(browser, url);
    await one.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const two = await openPage(browser, url);
    try {
      for (const page of [one, two]) await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
      await chat(one, two, 'hello from tab one');
      await chat(two, one, 'hello from tab two');
      await mitm.waitFor(readLine('hello from tab one'));
      await mitm.waitFor(readLine('hello from tab two'));
      expect(mitm.lines.filter((line) => line.swapped !== undefined).map((line) => line.swapped)).toEqual(['answer', 'offer']);
      expect(mitm.lines.filter((line) => line.bridged !== undefined).map((line) => line.bridged)).toEqual(['icebreaker']);
      expect(mitm.lines.filter((line) => line.error !== undefined)).toEqual([]);
      expect([...(one as Page & { errors: string[] }).errors, ...(two as Page & { errors: string[] }).errors]).toEqual([]);
    } finally {
      await one.context().close();
      await two.context().close();
    }
  });

  it.each([
    ['Firefox', 'Chromium'],
    ['Chromium', 'Firefox'],
  ])('%s first, %s second: connect and chat both ways, and it reads every line', async (first) => {
    const url = `${mitm.url}?room=firefox-${first}&mode=auto`;
    const before = mitm.lines.length;
    let page: Page | undefined;
    let tab: FirefoxTab;
    if (first === 'Firefox') {
      tab = await firefox.open(url);
      await tab.waitFor(`document.querySelector('#role')?.dataset.role === 'PEER1'`, 'the PEER1 role', TIMEOUT);
      page = await openPage(browser, url);
    } else {
      page = await openPage(browser, url);
      await page.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
      tab = await firefox.open(url);
    }
    try {
      await tab.waitFor(`document.querySelector('.banner-connected')`, 'the connected banner', TIMEOUT);
      await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
      await firefoxSays(tab, `Firefox, ${first} first`);
      await page.locator('.chat-peer', { hasText: `Firefox, ${first} first` }).waitFor({ timeout: TIMEOUT });
      await page.locator('#chat-input').fill(`Chromium, ${first} first`);
      await page.keyboard.press('Enter');
      await firefoxSees(tab, `Chromium, ${first} first`);
      await mitm.waitFor(readLine(`Firefox, ${first} first`));
      await mitm.waitFor(readLine(`Chromium, ${first} first`));
      expect(mitm.lines.slice(before).filter((line) => line.error !== undefined)).toEqual([]);
    } finally {
      await page.context().close();
      await tab.evaluate('location.assign("about:blank")');
    }
  });

  it('Chromium ↔ Chromium step by step (signals without seq, no acks): connect, chat, and it reads every line', async () => {
    const url = `${mitm.url}?room=chromium-steps&mode=steps`;
    const before = mitm.lines.length;
    const one = await openPage(browser, url);
    await one.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    for (const n of [1, 2, 3, 5, 6, 8]) await click(one, n);
    const two = await openPage(browser, url);
    try {
      await two.locator('#step-12[data-status="done"]').waitFor({ timeout: TIMEOUT });
      for (const n of [13, 14, 16, 17, 18, 19, 21, 22]) await click(two, n);
      await one.locator('#step-24[data-status="done"]').waitFor({ timeout: TIMEOUT });
      for (const n of [25, 26]) await click(one, n);
      for (const page of [one, two]) await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
      await chat(one, two, 'step by step from one');
      await chat(two, one, 'step by step from two');
      await mitm.waitFor(readLine('step by step from one'));
      await mitm.waitFor(readLine('step by step from two'));
      expect(mitm.lines.slice(before).filter((line) => line.error !== undefined)).toEqual([]);
    } finally {
      await one.context().close();
      await two.context().close();
    }
  });
});
