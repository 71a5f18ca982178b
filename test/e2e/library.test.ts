import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { IncomingTransfer, Room } from '@icebreaker/client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cli, waitFor } from '../cli/peer-process.js';
import { launchChromium, openPage, pageSuite, screenshot } from '../helpers/browser.js';
import { fileSink, fileSource, memoryPeak, randomFile, sha256OfFile } from '../helpers/files.js';
import { nodePeer, openPeer } from '../helpers/peers.js';
import { CLI } from '../helpers/server-process.js';

const TIMEOUT = 60_000;
const MiB = 1024 * 1024;

async function connected(page: Page): Promise<void> {
  await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
}

describe('the library in Chromium (automatic mode), with browsers and Node peers', () => {
  const t = pageSuite();

  it('sends a file picked in one tab to the other, with progress on both sides and a download', async () => {
    const url = `${t.server.url}?room=tab-files&mode=auto`;
    const sender = await openPage(t.browser, url);
    const receiver = await openPage(t.browser, url);
    await connected(sender);
    await connected(receiver);
    const path = join(t.files.dir, 'holiday.bin');
    await randomFile(path, 3 * MiB);
    await sender.setInputFiles('#file-input', path);
    for (const page of [sender, receiver]) {
      await page.locator('.transfer[data-name="holiday.bin"][data-state="done"]').waitFor({ timeout: TIMEOUT });
      await expect(page.locator('.transfer progress').evaluate((p: HTMLProgressElement) => p.value)).resolves.toBe(3 * MiB);
    }
    const download = receiver.waitForEvent('download');
    await receiver.locator('.transfer a.download').click();
    const saved = join(t.files.dir, 'downloaded.bin');
    await (await download).saveAs(saved);
    expect(await sha256OfFile(saved)).toBe(await sha256OfFile(path));
    await screenshot(receiver, 'auto-file-received');
    await sender.context().close();
    await receiver.context().close();
  });

  it('keeps a received file listed and saveable after its sender left (icebreaker peer --send leaves at once)', async () => {
    const page = await openPage(t.browser, `${t.server.url}?room=send-and-go&mode=auto`);
    await page.locator('#role[data-role="PEER1"]').waitFor();
    const node: Room = await nodePeer(t.server.signalingUrl, 'send-and-go');
    const path = join(t.files.dir, 'parting-gift.bin');
    const digest = await randomFile(path, 2 * MiB);
    try {
      await connected(page);
      const toBrowser = await openPeer(node);
      // Resolves once the receiver has checked the file's SHA-256: it is whole on the page.
      await toBrowser.sendFile(await fileSource(path, 'parting-gift.bin')).done;
    } finally {
      node.close();
    }
    await page.locator('.banner-left', { hasText: 'left' }).waitFor({ timeout: TIMEOUT });
    const save = page.locator('.transfer-in[data-name="parting-gift.bin"][data-state="done"] a.download');
    await expect.poll(() => save.isVisible()).toBe(true);
    // Nothing more can be sent to a peer that has gone.
    await expect(page.locator('#dropzone').isVisible()).resolves.toBe(false);
    const download = page.waitForEvent('download');
    await save.click();
    const saved = join(t.files.dir, 'parting-gift-saved.bin');
    await (await download).saveAs(saved);
    expect(await sha256OfFile(saved)).toBe(digest);
    await page.context().close();
  });

  it('checks files with a JavaScript SHA-256 in a t.browser without WebAssembly (JIT off)', async () => {
    // A t.browser whose JIT is off (Lockdown Mode, hardened enterprise settings) has no WebAssembly.
    const jitless = await launchChromium(['--js-flags=--jitless']);
    try {
      const url = `${t.server.url}?room=no-wasm&mode=auto`;
      const sender = await openPage(jitless, url);
      const receiver = await openPage(jitless, url);
      expect(await receiver.evaluate(() => typeof WebAssembly)).toBe('undefined');
      await connected(sender);
      await connected(receiver);
      const path = join(t.files.dir, 'jitless.bin');
      await randomFile(path, MiB);
      await sender.setInputFiles('#file-input', path);
      await receiver.locator('.transfer[data-name="jitless.bin"][data-state="done"]').waitFor({ timeout: TIMEOUT });
      const download = receiver.waitForEvent('download');
      await receiver.locator('.transfer a.download').click();
      const saved = join(t.files.dir, 'jitless-downloaded.bin');
      await (await download).saveAs(saved);
      expect(await sha256OfFile(saved)).toBe(await sha256OfFile(path));
    } finally {
      await jitless.close();
    }
  });

  it('moves 100 MiB from the browser to a Node peer and back, with matching SHA-256 and a bounded receiver', async () => {
    const page = await openPage(t.browser, `${t.server.url}?room=big&mode=auto`);
    await page.locator('#role[data-role="PEER1"]').waitFor();
    const node: Room = await nodePeer(t.server.signalingUrl, 'big');
    try {
      await connected(page);
      const toBrowser = await openPeer(node);

      // Browser → Node: the page makes 100 MiB of random bytes and sends them through the library.
      const target = join(t.files.dir, 'from-t.browser.bin');
      const arrived = new Promise<IncomingTransfer>((resolve) => node.on('transfer', (_p, t) => resolve(t)));
      const memory = memoryPeak();
      const browserDigest = page.evaluate(async (size) => {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
        const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('');
        const file = new File([bytes], 'from-t.browser.bin');
        const { lesson } = (globalThis as unknown as { icebreaker: { lesson: { sendFile(f: File): { done: Promise<unknown> } } } })
          .icebreaker;
        await lesson.sendFile(file).done;
        return digest;
      }, 100 * MiB);
      const incoming = await arrived;
      incoming.accept(fileSink(target));
      await incoming.done;
      const growth = memory.stop();
      expect(await sha256OfFile(target)).toBe(await browserDigest);
      console.log(`browser → Node 100 MiB: Node peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
      // Holding the file in memory would add at least its 100 MiB; streaming to disk stays well below.
      expect(growth).toBeLessThan(80 * MiB);

      // Node → browser: streamed from disk; the page checks the bytes it got.
      const source = join(t.files.dir, 'to-t.browser.bin');
      const digest = await randomFile(source, 100 * MiB);
      const received = page.evaluate(async () => {
        const item = await new Promise<HTMLElement>((resolve) => {
          const seek = () => {
            const done = document.querySelector<HTMLElement>('.transfer-in[data-state="done"] a.download');
            if (done) resolve(done);
            else setTimeout(seek, 100);
          };
          seek();
        });
        const blob = await (await fetch((item as HTMLAnchorElement).href)).arrayBuffer();
        return [...new Uint8Array(await crypto.subtle.digest('SHA-256', blob))].map((b) => b.toString(16).padStart(2, '0')).join('');
      });
      const sent = await toBrowser.sendFile(await fileSource(source, 'to-t.browser.bin')).done;
      expect(sent.root).toMatch(/^[0-9a-f]{64}$/);
      expect(await received).toBe(digest);
    } finally {
      node.close();
      await page.context().close();
    }
  }, 180_000);

  it('connects a t.browser tab and a terminal (icebreaker peer), chatting both ways', async () => {
    const page = await openPage(t.browser, `${t.server.url}?room=terminal&mode=auto`);
    await page.locator('#role[data-role="PEER1"]').waitFor();
    const cli = spawn(process.execPath, [CLI, 'peer', t.server.url, '--room', 'terminal'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    cli.stdout.on('data', (chunk) => {
      out += chunk;
    });
    try {
      await connected(page);
      await page.locator('#chat-input').fill('hello terminal');
      await page.keyboard.press('Enter');
      await expect.poll(() => out, { timeout: TIMEOUT }).toContain(': hello terminal');
      cli.stdin.write('hello browser\n');
      await page.locator('.chat-peer', { hasText: 'hello browser' }).waitFor({ timeout: TIMEOUT });
      cli.stdin.end();
      expect((await once(cli, 'exit'))[0]).toBe(0);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
      await page.context().close();
    }
  });

  it('delivers to a tab that opens later every line piped into icebreaker peer, in order, then the terminal exits 0', async () => {
    // Outside tester: `echo hi | icebreaker peer …` sent nothing and exited 0.
    const lines = Array.from({ length: 200 }, (_, i) => `piped line ${i + 1}`);
    const terminal = cli([t.server.url, '--room', 'piped'], `${lines.join('\n')}\n`);
    await waitFor(terminal.stderr, /end of input: 200 lines waiting for a peer/, terminal.child);
    const page = await openPage(t.browser, `${t.server.url}?room=piped&mode=auto`);
    try {
      expect(await terminal.exit).toBe(0);
      await page.locator('.chat-peer', { hasText: 'piped line 200' }).waitFor({ timeout: TIMEOUT });
      const shown = await page.locator('.chat-peer').evaluateAll((items) => items.map((item) => item.lastChild?.textContent));
      expect(shown).toEqual(lines);
    } finally {
      await page.context().close();
    }
    // A terminal peer's start, connection and flush before it exits take more than the default 30 s
    // on a loaded 2-core machine now and then.
  }, 90_000);

  it('converges when both browsers renegotiate at once, and restarts ICE with new credentials', async () => {
    const url = `${t.server.url}?room=glare&mode=auto`;
    const one = await openPage(t.browser, url);
    const two = await openPage(t.browser, url);
    await connected(one);
    await connected(two);
    type Remote = { pc: RTCPeerConnection; renegotiate(): void; restartIce(): void; send(x: unknown): Promise<void> };
    const remoteOf = (page: Page) =>
      page.evaluateHandle(() => (globalThis as unknown as { icebreaker: { lesson: { remote: unknown } } }).icebreaker.lesson.remote);
    const [r1, r2] = [await remoteOf(one), await remoteOf(two)];
    for (let round = 0; round < 5; round++) {
      await Promise.all([r1.evaluate((r) => (r as Remote).renegotiate()), r2.evaluate((r) => (r as Remote).renegotiate())]);
      await expect
        .poll(
          async () => [
            await r1.evaluate((r) => (r as Remote).pc.signalingState),
            await r2.evaluate((r) => (r as Remote).pc.signalingState),
          ],
          { timeout: TIMEOUT },
        )
        .toEqual(['stable', 'stable']);
      await r1.evaluate((r, n) => (r as Remote).send(`glare round ${n}`), round);
      await two.locator('.chat-peer', { hasText: `glare round ${round}` }).waitFor({ timeout: TIMEOUT });
    }
    const ufrag = (r: typeof r1) => r.evaluate((x) => /a=ice-ufrag:(\S+)/.exec((x as Remote).pc.localDescription?.sdp ?? '')?.[1]);
    const before = [await ufrag(r1), await ufrag(r2)];
    await r1.evaluate((r) => (r as Remote).restartIce());
    await expect
      .poll(async () => [(await ufrag(r1)) !== before[0], (await ufrag(r2)) !== before[1]], { timeout: TIMEOUT })
      .toEqual([true, true]);
    await r2.evaluate((r) => (r as Remote).send('after ICE restart'));
    await one.locator('.chat-peer', { hasText: 'after ICE restart' }).waitFor({ timeout: TIMEOUT });
    await one.context().close();
    await two.context().close();
  });

  it('adds a camera to a connected session: the other side decodes its frames', async () => {
    const url = `${t.server.url}?room=camera&mode=auto`;
    const one = await openPage(t.browser, url);
    const two = await openPage(t.browser, url);
    await connected(one);
    await connected(two);
    await one.locator('#camera').click();
    await expect.poll(() => one.locator('#camera').textContent(), { timeout: TIMEOUT }).toContain('Remove');
    const framesDecoded = () =>
      two.evaluate(async () => {
        const { lesson } = (globalThis as unknown as { icebreaker: { lesson: { remote: { pc: RTCPeerConnection } } } }).icebreaker;
        const stats = [...(await lesson.remote.pc.getStats()).values()] as Array<{ type: string; kind?: string; framesDecoded?: number }>;
        return stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'video')?.framesDecoded ?? 0;
      });
    await expect.poll(framesDecoded, { timeout: TIMEOUT }).toBeGreaterThan(10);
    const first = await framesDecoded();
    await expect.poll(framesDecoded, { timeout: TIMEOUT }).toBeGreaterThan(first);
    await screenshot(two, 'auto-camera-remote');
    // Chat still works after the renegotiation that brought the media in.
    await one.locator('#chat-input').fill('after the camera');
    await one.keyboard.press('Enter');
    await two.locator('.chat-peer', { hasText: 'after the camera' }).waitFor({ timeout: TIMEOUT });
    // And the camera goes away again through the same path.
    await one.locator('#camera').click();
    await expect.poll(() => one.locator('#camera').textContent(), { timeout: TIMEOUT }).toContain('Add');
    await one.context().close();
    await two.context().close();
  }, 120_000);
});
