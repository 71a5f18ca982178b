import { type IcebreakerServer, mintRoomToken, startServer } from '@icebreaker/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, openPage, screenshot } from '../helpers/browser.js';

const STEP_TIMEOUT = 15_000;

async function role(page: Page): Promise<string | null> {
  await page.locator('#role').waitFor({ timeout: STEP_TIMEOUT });
  return page.locator('#role').getAttribute('data-role');
}

async function click(page: Page, n: number): Promise<void> {
  const button = page.locator(`button[data-action="${n}"]`);
  await expect.poll(() => button.isEnabled(), { timeout: STEP_TIMEOUT, message: `step ${n} never became ready` }).toBe(true);
  await button.click();
  await waitDone(page, n);
}

async function waitDone(page: Page, n: number): Promise<void> {
  await page.locator(`#step-${n}[data-status="done"]`).waitFor({ timeout: STEP_TIMEOUT });
}

async function waitConnected(page: Page): Promise<void> {
  await page.locator('.banner-connected').waitFor({ timeout: STEP_TIMEOUT });
  await expect.poll(() => page.locator('[data-state="channelState"]').textContent()).toBe('open');
  await expect.poll(() => page.locator('[data-state="connectionState"]').textContent()).toBe('connected');
}

/** The steps a page does not show as done; once the channel is open, none should be left (issue 9, item 14). */
function stepsNotDone(page: Page): Promise<string[]> {
  return page
    .locator('.step:not([data-status="done"])')
    .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.step ?? '?'));
}

/**
 * A peer written from the protocol docs alone, on the bare WebRTC API in a blank tab: it joins first
 * (PEER1), opens a data channel labelled `label` and offers; it applies whatever answer and candidates
 * come back, and acknowledges nothing.
 */
async function docsPeer(browser: Browser, endpoint: string, room: string, label: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.evaluate(
    async ([endpoint, room, label]) => {
      const ws = new WebSocket(endpoint);
      await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
      const send = (message: object) => ws.send(JSON.stringify(message));
      const pc = new RTCPeerConnection();
      (globalThis as { pc?: RTCPeerConnection }).pc = pc;
      pc.createDataChannel(label);
      pc.addEventListener('icecandidate', ({ candidate }) => {
        if (candidate) send({ type: 'signal', data: { kind: 'candidate', candidate: candidate.toJSON() } });
      });
      // One message at a time, so that no candidate is added before the answer it belongs to.
      let queue: Promise<unknown> = Promise.resolve();
      const welcomed = new Promise<void>((resolve) => {
        ws.addEventListener('message', ({ data }) => {
          const message = JSON.parse(data as string);
          if (message.type === 'welcome') resolve();
          if (message.type !== 'signal') return;
          const { kind, description, candidate } = message.data;
          queue = queue
            .then(() =>
              kind === 'description' ? pc.setRemoteDescription(description) : kind === 'candidate' ? pc.addIceCandidate(candidate) : null,
            )
            .catch(() => {});
        });
      });
      send({ type: 'join', protocol: 1, room });
      await welcomed;
      await pc.setLocalDescription();
      send({ type: 'signal', data: { kind: 'description', description: { type: 'offer', sdp: pc.localDescription?.sdp } } });
    },
    [endpoint, room, label] as const,
  );
  return page;
}

/** Sends `text` from one page's chat and asserts it arrives on the other, across the data channel. */
async function chat(from: Page, to: Page, text: string): Promise<void> {
  await from.locator('#chat-input').fill(text);
  await from.keyboard.press('Enter');
  await to.locator('.chat-peer', { hasText: text }).waitFor({ timeout: STEP_TIMEOUT });
  await expect(from.locator('.chat-me', { hasText: text }).count()).resolves.toBe(1);
}

/** The caller's side of the seed's stage 1, in the seed's order. */
async function callerStage1(page: Page): Promise<void> {
  for (const n of [1, 2, 3]) await click(page, n);
  await waitDone(page, 4);
  await click(page, 5);
  // The offer is shown, with its data-channel section marked.
  await expect(page.locator('#step-5 .sdp-datachannel code', { hasText: 'm=application' }).count()).resolves.toBe(1);
  await click(page, 6);
  await waitDone(page, 7);
  await click(page, 8);
}

async function calleeStage3(page: Page): Promise<void> {
  await waitDone(page, 12);
  await expect(page.locator('#step-12 .sdp-datachannel').count()).resolves.toBe(1);
  for (const n of [13, 14, 16, 17, 18, 19]) await click(page, n);
  await waitDone(page, 20);
  await click(page, 21);
  // Held candidates: none was sent before this click.
  await expect(page.locator('#candidates tr[data-side="local"]', { hasText: 'sent' }).count()).resolves.toBe(0);
  await click(page, 22);
}

async function callerStage5(page: Page): Promise<void> {
  await waitDone(page, 24);
  // PEER2's candidates arrived before PEER1 set the answer: they wait in the buffer.
  await expect.poll(() => page.locator('#candidates tr[data-side="remote"]', { hasText: 'buffered' }).count()).toBeGreaterThan(0);
  await click(page, 25);
  await click(page, 26);
  await expect(page.locator('#candidates tr[data-side="remote"]', { hasText: 'buffered' }).count()).resolves.toBe(0);
}

describe('the teaching page in real Chromium', () => {
  let server: IcebreakerServer;
  let browser: Browser;

  beforeAll(async () => {
    // An unresolvable STUN server is handed out on purpose: host candidates must still connect.
    server = await startServer({ port: 0, staticDir: 'packages/cli/dist/web', iceServers: [{ urls: 'stun:stun.invalid:3478' }] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('(a) step by step: every step clicked in the seed’s order, then chat both ways', async () => {
    const url = `${server.url}?room=steps-a&mode=steps`;
    const peer1 = await openPage(browser, url);
    expect(await role(peer1)).toBe('PEER1');
    const peer2 = await openPage(browser, url);
    expect(await role(peer2)).toBe('PEER2');
    await expect.poll(() => peer1.locator('#peer-presence').textContent()).toContain('PEER2 is here');

    // Preconditions hold: PEER1 cannot set a remote description before an answer exists.
    await expect(peer1.locator('button[data-action="26"]').isDisabled()).resolves.toBe(true);
    await expect(peer2.locator('button[data-action="17"]').isDisabled()).resolves.toBe(true);

    await callerStage1(peer1);
    await waitDone(peer1, 10);
    await calleeStage3(peer2);
    await callerStage5(peer1);

    await waitConnected(peer1);
    await waitConnected(peer2);
    await chat(peer1, peer2, 'hello from PEER1');
    await chat(peer2, peer1, 'hello back from PEER2');
    // Each page marks the other's steps too, PEER2 included PEER1's taking of the answer (24, 26).
    for (const page of [peer1, peer2]) await expect.poll(() => stepsNotDone(page)).toEqual([]);

    // Every state is on show, and the timeline recorded the journey.
    await expect(peer1.locator('[data-state="signalingState"]').textContent()).resolves.toBe('stable');
    await expect(peer1.locator('[data-state="iceGatheringState"]').textContent()).resolves.toBe('complete');
    await expect(peer1.locator('#candidates tr[data-side="local"] .ctype-host').count()).resolves.toBeGreaterThan(0);
    await expect(peer1.locator('#timeline li', { hasText: 'iceConnectionState → connected' }).count()).resolves.toBeGreaterThan(0);
    await expect(peer1.locator('#timeline li', { hasText: 'stun.invalid' }).count()).resolves.toBeGreaterThan(0);
    await screenshot(peer1, 'steps-peer1-connected');
    await screenshot(peer2, 'steps-peer2-connected');
    expect([...(peer1 as Page & { errors: string[] }).errors, ...(peer2 as Page & { errors: string[] }).errors]).toEqual([]);
    await peer1.context().close();
    await peer2.context().close();
  });

  it('(b) automatic mode: no clicks, trickle ICE, then chat both ways', async () => {
    const url = `${server.url}?room=auto-b&mode=auto`;
    const peer1 = await openPage(browser, url);
    expect(await role(peer1)).toBe('PEER1');
    const peer2 = await openPage(browser, url);
    await waitConnected(peer1);
    await waitConnected(peer2);
    // Trickle: candidates went both ways one by one, as the library found them (when the first one
    // goes relative to the answer depends on the machine: a cold browser may find none before it).
    const steps = await peer1.locator('#timeline li').allTextContents();
    expect(steps.filter((t) => t.includes('Sent candidate')).length).toBeGreaterThan(0);
    expect(steps.filter((t) => t.includes('Received candidate')).length).toBeGreaterThan(0);
    expect(steps.some((t) => t.includes('Step 25 done'))).toBe(true);
    await chat(peer2, peer1, 'auto hello');
    await chat(peer1, peer2, 'auto reply');
    for (const page of [peer1, peer2]) await expect.poll(() => stepsNotDone(page)).toEqual([]);
    await screenshot(peer1, 'auto-peer1-connected');
    await screenshot(peer2, 'auto-peer2-connected');
    await peer1.context().close();
    await peer2.context().close();
  });

  it.each(['steps', 'auto'] as const)('(c) %s: PEER2 opens the page only after PEER1 started, and still connects', async (mode) => {
    const url = `${server.url}?room=late-${mode}&mode=${mode}`;
    const peer1 = await openPage(browser, url);
    expect(await role(peer1)).toBe('PEER1');
    if (mode === 'steps') {
      await callerStage1(peer1);
      await expect(peer1.locator('#step-8 .output').textContent()).resolves.toContain('holds it until PEER2 joins');
    } else {
      // The library offers when a peer arrives, so PEER1 waits with nothing sent.
      await waitDone(peer1, 1);
      await expect(peer1.locator('#step-8').getAttribute('data-status')).resolves.not.toBe('done');
    }

    const peer2 = await openPage(browser, url);
    expect(await role(peer2)).toBe('PEER2');
    if (mode === 'steps') {
      await calleeStage3(peer2);
      await callerStage5(peer1);
    }
    await waitConnected(peer1);
    await waitConnected(peer2);
    await chat(peer1, peer2, `late ${mode}`);
    await peer1.context().close();
    await peer2.context().close();
  });

  it('can be driven from the keyboard alone: focus follows the steps, then lands in the chat', async () => {
    const url = `${server.url}?room=keys&mode=steps`;
    const peer1 = await openPage(browser, url);
    await role(peer1);
    const focusedAction = () => peer1.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.action ?? null);
    for (let tabs = 0; tabs < 40 && (await focusedAction()) !== '1'; tabs++) await peer1.keyboard.press('Tab');
    expect(await focusedAction()).toBe('1');
    for (const n of ['1', '2', '3', '5', '6', '8']) {
      await expect.poll(focusedAction, { timeout: STEP_TIMEOUT, message: `focus on step ${n}` }).toBe(n);
      await peer1.keyboard.press('Enter');
      await waitDone(peer1, Number(n));
    }
    // PEER2 may run automatically: the modes interoperate over the same protocol.
    const peer2 = await openPage(browser, url.replace('mode=steps', 'mode=auto'));
    for (const n of ['25', '26']) {
      await expect.poll(focusedAction, { timeout: STEP_TIMEOUT, message: `focus on step ${n}` }).toBe(n);
      await peer1.keyboard.press('Enter');
    }
    await waitConnected(peer1);
    await expect.poll(() => peer1.evaluate(() => document.activeElement?.id)).toBe('chat-input');
    await peer1.keyboard.type('typed, not clicked');
    await peer1.keyboard.press('Enter');
    await peer2.locator('.chat-peer', { hasText: 'typed, not clicked' }).waitFor({ timeout: STEP_TIMEOUT });
    await peer1.context().close();
    await peer2.context().close();
  });

  it('lets PEER1 send the offer again when the server’s hold expired before PEER2 came', async () => {
    const shortHold = await startServer({ port: 0, staticDir: 'packages/cli/dist/web', iceServers: [], holdTtlMs: 300 });
    try {
      const url = `${shortHold.url}?room=expire&mode=steps`;
      const peer1 = await openPage(browser, url);
      await callerStage1(peer1);
      await expect.poll(() => peer1.locator('#step-8 .output').textContent(), { timeout: STEP_TIMEOUT }).toContain('discarded the offer');
      await expect(peer1.locator('#timeline li.t-error', { hasText: 'hold-expired' }).count()).resolves.toBe(1);

      const peer2 = await openPage(browser, url);
      expect(await role(peer2)).toBe('PEER2');
      // The expired offer was not delivered; sending it again is what gets PEER2 going.
      await expect(peer2.locator('#step-12').getAttribute('data-status')).resolves.not.toBe('done');
      await click(peer1, 8);
      await calleeStage3(peer2);
      await callerStage5(peer1);
      await waitConnected(peer2);
      await peer1.context().close();
      await peer2.context().close();
    } finally {
      await shortHold.close();
    }
  });

  it('turns a third tab away with room-full and keeps the two connected', async () => {
    const url = `${server.url}?room=full&mode=auto`;
    const peer1 = await openPage(browser, url);
    const peer2 = await openPage(browser, url);
    await waitConnected(peer1);
    const third = await openPage(browser, url);
    await expect.poll(() => third.locator('#fatal').textContent()).toContain('already has its two peers');
    await chat(peer2, peer1, 'still here');
    for (const page of [peer1, peer2, third]) await page.context().close();
  });

  it('on a server with --auth-secret: explains a missing token, joins with ?token=, and drops it from the address bar', async () => {
    const secret = 'e2e-auth-secret-0123456789abcdefghij';
    const guarded = await startServer({ port: 0, staticDir: 'packages/cli/dist/web', iceServers: [], authSecret: secret });
    try {
      const without = await openPage(browser, `${guarded.url}?room=guarded&mode=auto`);
      await expect.poll(() => without.locator('#fatal').textContent()).toContain('auth-required');
      const token = await mintRoomToken(secret, { room: 'guarded', ttlMs: 60_000 });
      const peer1 = await openPage(browser, `${guarded.url}?room=guarded&mode=auto&token=${token}`);
      const peer2 = await openPage(browser, `${guarded.url}?room=guarded&mode=auto&token=${token}`);
      await waitConnected(peer1);
      expect(new URL(peer1.url()).searchParams.has('token')).toBe(false);
      expect(new URL(peer1.url()).searchParams.get('room')).toBe('guarded');
      await chat(peer1, peer2, 'admitted');
      for (const page of [without, peer1, peer2]) await page.context().close();
    } finally {
      await guarded.close();
    }
  });

  it.each(['steps', 'auto'] as const)('(%s) says in the header that PEER1 left once it has', async (mode) => {
    const url = `${server.url}?room=header-${mode}&mode=${mode}`;
    const peer1 = await openPage(browser, url);
    expect(await role(peer1)).toBe('PEER1');
    const peer2 = await openPage(browser, url);
    await expect.poll(() => peer2.locator('#peer-presence').textContent()).toContain('PEER1 is here');
    if (mode === 'auto') await waitConnected(peer2);
    await peer1.context().close();
    // Step by step, the lesson is over; automatic mode stays in the room for the next peer.
    await peer2.locator(mode === 'steps' ? '.banner-ended' : '.banner-left', { hasText: 'left' }).waitFor({ timeout: STEP_TIMEOUT });
    await expect(peer2.locator('#peer-presence').textContent()).resolves.toMatch(/^PEER1 left \(/);
    await peer2.context().close();
  });

  it('fits the ICE candidate table inside its card at 1280 px, with the mDNS host names browsers use by default', async () => {
    // The other tests' Chromium shows raw addresses; a user's hides them behind long mDNS names.
    const plain = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await openPage(plain, `${server.url}?room=table&mode=steps`, { width: 1280, height: 900 });
      await callerStage1(page);
      await expect.poll(() => page.locator('#candidates tbody tr[data-side="local"]').count()).toBeGreaterThan(0);
      await expect(page.locator('#candidates .addr').first().textContent()).resolves.toContain('.local');
      const card = await page.locator('#candidates').evaluate((table) => {
        const box = table.closest('.card') as HTMLElement;
        const wrap = table.parentElement as HTMLElement;
        const padding = Number.parseFloat(getComputedStyle(box).paddingRight);
        return {
          tableRight: table.getBoundingClientRect().right,
          contentRight: box.getBoundingClientRect().right - padding,
          scrolls: wrap.scrollWidth > wrap.clientWidth,
        };
      });
      await screenshot(page, 'candidates-1280');
      expect(card.scrolls).toBe(false);
      expect(card.tableRight).toBeLessThanOrEqual(card.contentRight + 0.5);
    } finally {
      await plain.close();
    }
  });

  it.each(['steps', 'auto'] as const)('(%s) shows at once an error naming a data channel with another label', async (mode) => {
    const room = `label-${mode}`;
    const other = await docsPeer(browser, server.signalingUrl, room, 'chat');
    const page = await openPage(browser, `${server.url}?room=${room}&mode=${mode}`);
    expect(await role(page)).toBe('PEER2');
    if (mode === 'steps') await calleeStage3(page);
    // The bare peer's connection comes up; the page refuses its channel and says why at once.
    await expect
      .poll(() => other.evaluate(() => (globalThis as { pc?: RTCPeerConnection }).pc?.connectionState), { timeout: STEP_TIMEOUT })
      .toBe('connected');
    const alert = page.locator('#alert');
    await alert.waitFor({ timeout: STEP_TIMEOUT });
    await expect(alert.textContent()).resolves.toMatch(/"chat".*"icebreaker"/);
    await expect(page.locator('.banner-connected').count()).resolves.toBe(0);
    await screenshot(page, `unexpected-label-${mode}`);
    await page.context().close();
    await other.context().close();
  });

  it('tells the remaining peer when the other tab closes, and that it waits for the next one', async () => {
    const url = `${server.url}?room=leave&mode=auto`;
    const peer1 = await openPage(browser, url);
    const peer2 = await openPage(browser, url);
    await waitConnected(peer1);
    await peer2.context().close();
    await peer1.locator('.banner-left', { hasText: 'the next peer' }).waitFor({ timeout: STEP_TIMEOUT });
    await expect(peer1.locator('#chat-input').isDisabled()).resolves.toBe(true);
    await screenshot(peer1, 'auto-peer-left');
    await peer1.context().close();
  });
});
