import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { ListeningProcess } from '../helpers/server-process.js';
import { TestSocket, upgradeStatus } from '../helpers/socket.js';

const EXAMPLES_DIR = join(import.meta.dirname, '..', '..', 'examples');
const TIMEOUT = 30_000;

/** One of examples/, run as its user would run it: `node examples/<file>`, on a free port. */
function startExample(file: string): Promise<ListeningProcess> {
  return ListeningProcess.spawn([process.execPath, join(EXAMPLES_DIR, file)], /listening on (http:\/\/\S+\/)/, {
    ...process.env,
    PORT: '0',
  });
}

/** Sends `text` from one page's chat and waits for it on the other: it crossed the data channel. */
async function chat(from: Page, to: Page, text: string): Promise<void> {
  await from.locator('#chat-input').fill(text);
  await from.keyboard.press('Enter');
  await to.locator('.chat-peer', { hasText: text }).waitFor({ timeout: TIMEOUT });
}

/**
 * The three mounting examples of examples/, each started as a process of its own that imports the
 * built package by its name (`@icebreaker/server`), exactly as a user's application would. Each keeps
 * its host's own route, serves the signaling endpoint and the teaching page on the same port,
 * connects two real Chromium tabs, and ends cleanly on a drain (SIGTERM) and on a close (SIGINT).
 */
describe('mounting examples', () => {
  let browser: Browser;
  let example: ListeningProcess | null = null;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await example?.kill();
    example = null;
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe.each([
    ['a plain node:http server', 'plain-http.js', 'hello from the host\n'],
    ['Express 5', 'express.js', 'hello from Express\n'],
    ['Fastify 5', 'fastify.js', 'hello from Fastify\n'],
  ])('on %s (examples/%s)', (_host, file, hello) => {
    it("answers the host's own route, the signaling server's probes and page, and the host's 404 for the rest", async () => {
      example = await startExample(file);
      const own = await fetch(new URL('/hello', example.url));
      expect(own.status).toBe(200);
      expect(await own.text()).toBe(hello);
      const health = await fetch(new URL('/healthz', example.url));
      expect(await health.json()).toEqual({ status: 'ok', connections: 0, rooms: 0 });
      expect((await fetch(new URL('/readyz', example.url))).status).toBe(200);
      expect(await (await fetch(new URL('/metrics', example.url))).text()).toContain('icebreaker_connections 0');
      const page = await fetch(new URL('/?room=x', example.url));
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<title>');
      // Neither a probe nor a page file: the signaling server leaves it to the host.
      expect((await fetch(new URL('/no-such-thing', example.url))).status).toBe(404);
      // An upgrade of another path is refused by the signaling server; its own path opens.
      expect(await upgradeStatus(`${example.url.replace(/^http/, 'ws')}elsewhere`)).toBe(404);
      expect(await upgradeStatus(example.signalingUrl)).toBe('open');
    });

    it('connects two Chromium tabs through it: a chat message crosses their data channel', async () => {
      example = await startExample(file);
      const url = `${example.url}?room=mounted-${file.replace('.js', '')}&mode=auto`;
      const first = await openPage(browser, url);
      const second = await openPage(browser, url);
      try {
        for (const page of [first, second]) await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
        await chat(first, second, `hello through ${file}`);
        await chat(second, first, 'and back');
        const health = (await (await fetch(new URL('/healthz', example.url))).json()) as Record<string, unknown>;
        expect(health).toMatchObject({ connections: 2, rooms: 1 });
        expect([...(first as Page & { errors: string[] }).errors, ...(second as Page & { errors: string[] }).errors]).toEqual([]);
      } finally {
        await first.context().close();
        await second.context().close();
      }
    });

    it('drains on SIGTERM: clients hear going-away, upgrades get 503 while the host still answers, and the process exits 0 once they left', async () => {
      example = await startExample(file);
      const client = await TestSocket.open(example.signalingUrl);
      await client.join('draining');
      const exit = example.stop('SIGTERM');
      expect(await client.next()).toEqual({ type: 'going-away', reconnectWithinMs: 10_000 });
      const ready = await fetch(new URL('/readyz', example.url));
      expect([ready.status, await ready.json()]).toEqual([503, { status: 'draining' }]);
      expect(await (await fetch(new URL('/hello', example.url))).text()).toBe(hello);
      expect(await upgradeStatus(example.signalingUrl)).toBe(503);
      // The drain ends as soon as its last client is gone, long before its 10 s.
      const left = Date.now();
      await client.close();
      expect(await exit).toBe(0);
      expect(Date.now() - left).toBeLessThan(5000);
    });

    it('closes on SIGINT: open connections are closed with 1001 and the process exits 0', async () => {
      example = await startExample(file);
      const [a, b] = [await TestSocket.open(example.signalingUrl), await TestSocket.open(example.signalingUrl)];
      await a.join('closing');
      const exit = example.stop('SIGINT');
      expect((await a.closed).code).toBe(1001);
      expect((await b.closed).code).toBe(1001);
      expect(await exit).toBe(0);
    });
  });
});
