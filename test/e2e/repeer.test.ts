import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, pageSuite } from '../helpers/browser.js';
import { nodePeer, openPeer } from '../helpers/peers.js';

const TIMEOUT = 60_000;

/** What the test reads and calls on the page's library peer (`icebreaker.lesson.remote`). */
type Remote = { id: string; generation: number; channelState: string; pc: RTCPeerConnection; send(x: unknown): Promise<void> };

function remote<T>(page: Page, read: (r: Remote) => T | Promise<T>): Promise<T> {
  return page.evaluate(`(${read.toString()})(globalThis.icebreaker.lesson.remote)`) as Promise<T>;
}

/** Waits until the page's library peer is connection number `generation + 1`, open. */
async function openAgain(page: Page, generation: number): Promise<void> {
  await expect
    .poll(() => remote(page, (r) => (r && r.channelState === 'open' ? r.generation : -1)), { timeout: TIMEOUT })
    .toBeGreaterThanOrEqual(generation);
}

// Issue 12, §1 prerequisite, in Chromium: a peer connection closed with `pc.close()` in one tab (which
// fires no event in that tab) is replaced by a new one between the same two peers, and the tabs chat.
describe('a new peer connection between the same two peers, in Chromium', () => {
  const t = pageSuite();

  it('replaces a pc closed in either tab, twice, and the tabs chat both ways on each new one', async () => {
    const url = `${t.server.url}?room=repeer&mode=auto`;
    const one = await openPage(t.browser, url);
    const two = await openPage(t.browser, url);
    try {
      await one.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
      await two.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
      const ids = [await remote(one, (r) => r.id), await remote(two, (r) => r.id)];
      for (const [round, closer] of [one, two].entries()) {
        const generation = round + 1;
        await remote(closer, (r) => r.pc.close());
        await openAgain(one, generation);
        await openAgain(two, generation);
        expect([await remote(one, (r) => r.id), await remote(two, (r) => r.id)]).toEqual(ids);
        await remote(one, (r) => r.send(`one → two, connection ${r.generation + 1}`));
        await remote(two, (r) => r.send(`two → one, connection ${r.generation + 1}`));
        await two.locator('.chat-peer', { hasText: `one → two, connection ${generation + 1}` }).waitFor({ timeout: TIMEOUT });
        await one.locator('.chat-peer', { hasText: `two → one, connection ${generation + 1}` }).waitFor({ timeout: TIMEOUT });
      }
    } finally {
      await one.context().close();
      await two.context().close();
    }
  }, 120_000);

  it('replaces a pc between a tab and a Node peer (libwebrtc), closed on the Node side', async () => {
    const page = await openPage(t.browser, `${t.server.url}?room=repeer-node&mode=auto`);
    const node = await nodePeer(t.server.signalingUrl, 'repeer-node', { peerReconnect: { initialDelayMs: 200, maxDelayMs: 400 } });
    try {
      await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
      const first = await openPeer(node);
      const again = new Promise<{ id: string; generation: number }>((resolve) =>
        node.on('open', (peer) => peer.generation > 0 && resolve(peer)),
      );
      first.pc.close();
      const opened = await again;
      const peer = node.peers.get(opened.id);
      expect(peer?.id).toBe(first.id);
      expect(peer?.generation).toBe(1);
      await openAgain(page, 1);
      await peer?.send('node → tab, again');
      await page.locator('.chat-peer', { hasText: 'node → tab, again' }).waitFor({ timeout: TIMEOUT });
      const back = new Promise<unknown>((resolve) => node.on('message', (_p, data) => resolve(data)));
      await remote(page, (r) => r.send('tab → node, again'));
      expect(await back).toBe('tab → node, again');
    } finally {
      node.close();
      await page.context().close();
    }
  }, 120_000);
});
