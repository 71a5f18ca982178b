import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { Mitm } from './mitm.js';

const TIMEOUT = 30_000;

async function chat(from: Page, to: Page, text: string): Promise<void> {
  await from.locator('#chat-input').fill(text);
  await from.keyboard.press('Enter');
  await to.locator('.chat-peer', { hasText: text }).waitFor({ timeout: TIMEOUT });
}

// The harness as the page's tests use it (`npm run build` first): the page loads from the man in
// the middle's port, so its WebSocket goes to him too.
describe('Chromium tabs through the man in the middle', () => {
  let server: IcebreakerServer;
  let browser: Browser;
  let mitm: Mitm;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: 'packages/server/dist/web', iceServers: [] });
    browser = await launchChromium();
    mitm = await Mitm.start(server.url, 'swap');
  });
  afterAll(async () => {
    await mitm?.stop();
    await browser?.close();
    await server?.close();
  });

  it('load the page from it, connect, chat both ways, and it reads every line', async () => {
    const url = `${mitm.url}?room=chromium-swap&mode=auto`;
    const one = await openPage(browser, url);
    await one.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const two = await openPage(browser, url);
    try {
      for (const page of [one, two]) await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
      await chat(one, two, 'hello from tab one');
      await chat(two, one, 'hello from tab two');
      await mitm.waitFor((line) => typeof line.read === 'string' && line.read.includes('hello from tab one'));
      await mitm.waitFor((line) => typeof line.read === 'string' && line.read.includes('hello from tab two'));
      expect(mitm.lines.filter((line) => line.swapped !== undefined).map((line) => line.swapped)).toEqual(['answer', 'offer']);
      expect(mitm.lines.filter((line) => line.error !== undefined)).toEqual([]);
      expect([...(one as Page & { errors: string[] }).errors, ...(two as Page & { errors: string[] }).errors]).toEqual([]);
    } finally {
      await one.context().close();
      await two.context().close();
    }
  });
});
