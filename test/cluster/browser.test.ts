import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { RedisServer } from '../helpers/redis.js';

const TIMEOUT = 15_000;

describe('two browsers on two nodes of one cluster', () => {
  let redis: RedisServer;
  let nodes: IcebreakerServer[];
  let browser: Browser;

  beforeAll(async () => {
    redis = await RedisServer.start();
    nodes = await Promise.all(
      [0, 1].map(() => startServer({ port: 0, staticDir: 'packages/cli/dist/web', iceServers: [], redisUrl: redis.url })),
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(nodes.map((n) => n.close()));
    await redis.kill();
  });

  async function connected(page: Page): Promise<void> {
    await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
    await expect.poll(() => page.locator('[data-state="channelState"]').textContent()).toBe('open');
  }

  it('connect through the teaching page, each served by its own node, and chat', async () => {
    const [one, two] = nodes as [IcebreakerServer, IcebreakerServer];
    const peer1 = await openPage(browser, `${one.url}?room=cluster&mode=auto`);
    const peer2 = await openPage(browser, `${two.url}?room=cluster&mode=auto`);
    await connected(peer1);
    await connected(peer2);
    await peer1.locator('#chat-input').fill('hello from node one');
    await peer1.keyboard.press('Enter');
    await peer2.locator('.chat-peer', { hasText: 'hello from node one' }).waitFor({ timeout: TIMEOUT });
    await peer2.locator('#chat-input').fill('and back from node two');
    await peer2.keyboard.press('Enter');
    await peer1.locator('.chat-peer', { hasText: 'and back from node two' }).waitFor({ timeout: TIMEOUT });
    for (const page of [peer1, peer2]) await page.context().close();
  });
});
