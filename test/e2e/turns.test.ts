import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type Room } from '@icebreaker/client';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { Coturn, RELAY_IP } from '../helpers/coturn.js';
import { TURN_SECRET } from '../helpers/failing-ice.js';
import { fileSource, randomFile, scratch } from '../helpers/files.js';
import { type IsolatedNetwork, isolatedNetwork } from '../helpers/netns.js';
import { NODE_WEBRTC, openPeer } from '../helpers/peers.js';
import { selectedPair } from '../helpers/selected-pair.js';

const MiB = 1024 * 1024;

/**
 * Keeps every RTCPeerConnection the page makes and the `icecandidateerror`s they report, so the test
 * can read them (the connections work unchanged).
 */
const KEEP_CONNECTIONS = () => {
  const Native = window.RTCPeerConnection;
  const kept: RTCPeerConnection[] = [];
  const errors: string[] = [];
  Object.assign(window, { keptConnections: kept, candidateErrors: errors });
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      kept.push(this);
      this.addEventListener('icecandidateerror', (event) => {
        const e = event as RTCPeerConnectionIceErrorEvent;
        errors.push(`${e.errorCode} ${e.url}`);
      });
    }
  };
};

/** The selected pair's local candidate of the page's first connection (webrtc-stats §7.9), in the page. */
function localRelayOf(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(async () => {
    const [pc] = (window as unknown as { keptConnections: RTCPeerConnection[] }).keptConnections;
    const stats = [...((await pc?.getStats())?.values() ?? [])] as Array<Record<string, unknown>>;
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
    const local = stats.find((s) => s.id === pair?.localCandidateId) ?? {};
    return { candidateType: local.candidateType, relayProtocol: local.relayProtocol, url: local.url };
  });
}

describe('TURNS on 443 (coturn with a self-signed certificate), Chromium in a namespace whose only way out is TCP 443', () => {
  let net: IsolatedNetwork | null = null;
  let turn: Coturn | null = null;
  let server: IcebreakerServer | null = null;
  let browser: Browser | null = null;
  let node: Room | null = null;
  let files: Awaited<ReturnType<typeof scratch>> | null = null;

  afterEach(async () => {
    node?.close();
    await browser?.close();
    await server?.close();
    await turn?.stop();
    await net?.close();
    await files?.dispose();
    [net, turn, server, browser, node, files] = [null, null, null, null, null, null];
  });

  /**
   * The namespace, coturn with TURNS on 443 of its host address, the server (handing out only the
   * `turns:` URL) and Chromium in the namespace with `flags`, on the page in automatic mode.
   */
  async function chromiumBehindTls(flags: string[]): Promise<Page> {
    files = await scratch();
    net = await isolatedNetwork();
    // 443 on the namespace's own host address: parallel suites each have theirs, so they do not collide.
    turn = await Coturn.start({ secret: TURN_SECRET, listeningIps: [net.hostAddress], tlsPort: 443 });
    server = await startServer({
      port: 0,
      host: net.hostAddress,
      staticDir: 'packages/server/dist/web',
      iceServers: [],
      turnUrls: [turn.tlsUrl],
      turnSecret: TURN_SECRET,
    });
    await net.restrict({ onlyTcpTo: [server.port, 443] });
    const launcher = join(files.dir, 'chromium-in-namespace');
    await writeFile(launcher, `#!/bin/sh\nexec ip netns exec ${net.name} ${chromiumPath()} "$@"\n`);
    await chmod(launcher, 0o755);
    browser = await launchChromium(flags, launcher);
    const context = await browser.newContext();
    await context.addInitScript(KEEP_CONNECTIONS);
    const page = await context.newPage();
    await page.goto(`${server.url}?room=turns&mode=auto`);
    await page.locator('#role[data-role="PEER1"]').waitFor();
    node = await connect(server.signalingUrl, { room: 'turns', ...NODE_WEBRTC });
    return page;
  }

  it('relays over TLS for Chromium told to accept the certificate: a 2 MiB file from a Node peer, checked by its SHA-256', async () => {
    // A real deployment needs a certificate from a public CA; this one is self-signed.
    const inside = await chromiumBehindTls(['--ignore-certificate-errors']);
    const toPage = await openPeer(node as Room);
    const path = join((files as { dir: string }).dir, 'through-tls.bin');
    await randomFile(path, 2 * MiB);
    // Resolves once the page has checked the file's SHA-256 against the sender's.
    await toPage.sendFile(await fileSource(path, 'through-tls.bin')).done;
    await inside.locator('.transfer[data-name="through-tls.bin"][data-state="done"]').waitFor();

    expect(await localRelayOf(inside)).toEqual({ candidateType: 'relay', relayProtocol: 'tls', url: turn?.tlsUrl });
    expect((await selectedPair(toPage.pc)).remote).toMatchObject({ candidateType: 'relay', address: RELAY_IP });
  }, 90_000);

  it('refuses the self-signed certificate by default: icecandidateerror 701 for the turns: URL, and no relay', async () => {
    const inside = await chromiumBehindTls([]);
    const url = turn?.tlsUrl;
    await inside.waitForFunction(
      (wanted) => (window as unknown as { candidateErrors: string[] }).candidateErrors.includes(wanted),
      `701 ${url}`,
      { timeout: 30_000 },
    );
    const relays = await inside.evaluate(async () => {
      const kept = (window as unknown as { keptConnections: RTCPeerConnection[] }).keptConnections;
      const reports = await Promise.all(kept.map((pc) => pc.getStats()));
      return reports.flatMap((r) => [...r.values()]).filter((s) => s.type === 'local-candidate' && s.candidateType === 'relay').length;
    });
    expect(relays).toBe(0);
  }, 90_000);
});
