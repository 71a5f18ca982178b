import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { Firefox, type FirefoxTab } from '../helpers/firefox.js';

const TIMEOUT = 15_000;

/** Clicks step `n`'s button in Firefox once it is enabled, and waits for the step to be done. */
async function clickStep(tab: FirefoxTab, n: number): Promise<void> {
  await tab.waitFor(`document.querySelector('button[data-action="${n}"]')?.disabled === false`, `step ${n} to be ready`);
  await tab.evaluate(`document.querySelector('button[data-action="${n}"]').click()`);
  await tab.waitFor(`document.querySelector('#step-${n}')?.dataset.status === 'done'`, `step ${n} to be done`);
}

async function firefoxSays(tab: FirefoxTab, text: string): Promise<void> {
  await tab.evaluate(
    `(() => { const input = document.querySelector('#chat-input'); input.value = ${JSON.stringify(text)}; document.querySelector('#chat-form').requestSubmit(); })()`,
  );
}

async function chromiumSees(page: Page, text: string): Promise<void> {
  await page.locator('.chat-peer', { hasText: text }).waitFor({ timeout: TIMEOUT });
}

describe('the teaching page in Firefox, talking to Chromium', () => {
  let server: IcebreakerServer;
  let firefox: Firefox;
  let chromium: Browser;

  beforeAll(async () => {
    server = await startServer({ port: 0, staticDir: 'packages/cli/dist/web', iceServers: [] });
    [firefox, chromium] = await Promise.all([Firefox.launch(), launchChromium()]);
  });
  afterAll(async () => {
    await firefox?.close();
    await chromium?.close();
    await server?.close();
  });

  it('Firefox as PEER1, step by step, connects to Chromium and they chat both ways', async () => {
    const url = `${server.url}?room=ff-steps&mode=steps`;
    const peer1 = await firefox.open(url);
    await peer1.waitFor(`document.querySelector('#role')?.dataset.role === 'PEER1'`, 'the PEER1 role');
    const peer2 = await openPage(chromium, url.replace('mode=steps', 'mode=auto'));

    for (const n of [1, 2, 3, 5, 6, 8]) await clickStep(peer1, n);
    expect(await peer1.evaluate<number>(`document.querySelectorAll('#step-5 .sdp-datachannel').length`)).toBe(1);
    await peer1.waitFor(`document.querySelector('#step-24')?.dataset.status === 'done'`, 'the answer');
    for (const n of [25, 26]) await clickStep(peer1, n);

    await peer1.waitFor(`document.querySelector('.banner-connected')`, 'the connected banner');
    expect(await peer1.evaluate<string>(`document.querySelector('[data-state="channelState"]').textContent`)).toBe('open');
    await peer2.locator('.banner-connected').waitFor({ timeout: TIMEOUT });

    await firefoxSays(peer1, 'hello from Firefox');
    await chromiumSees(peer2, 'hello from Firefox');
    await peer2.locator('#chat-input').fill('hello from Chromium');
    await peer2.keyboard.press('Enter');
    await peer1.waitFor(
      `[...document.querySelectorAll('.chat-peer')].some((li) => li.textContent.includes('hello from Chromium'))`,
      'the Chromium message',
    );
    await peer2.context().close();
  });

  it('Firefox as PEER2 in automatic mode answers Chromium’s offer', async () => {
    const url = `${server.url}?room=ff-auto&mode=auto`;
    const peer1 = await openPage(chromium, url);
    await peer1.locator('#role[data-role="PEER1"]').waitFor({ timeout: TIMEOUT });
    const peer2 = await firefox.open(url);
    await peer2.waitFor(`document.querySelector('.banner-connected')`, 'the connected banner');
    await peer1.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
    await firefoxSays(peer2, 'answered by Firefox');
    await chromiumSees(peer1, 'answered by Firefox');
    await peer1.context().close();
  });
});
