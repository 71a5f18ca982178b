import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Room } from '@icebreaker/client';
import { createInvite } from '@icebreaker/client/pairing';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Firefox, type FirefoxTab } from '../helpers/firefox.js';
import { NODE_WEBRTC, nodePeer } from '../helpers/peers.js';

// Outsider test of issue 13: Firefox parses `a=fingerprint` lines that the client's fingerprint parser
// does not see (a tab after the algorithm, the attribute in capitals, a space after the colon), and
// its DTLS accepts a certificate that matches any fingerprint of the description. A signaling path
// that adds its own certificate's fingerprint in such a form, beside the honest peer's (which the
// honest proof covers), would get a Firefox peer that holds the link's secret to talk to it.

type Frame = {
  type?: string;
  from?: string;
  seq?: number;
  data?: { kind?: string; description?: { type: string; sdp: string }; proof?: string };
};

const FINGERPRINT = /^a=fingerprint:\S+ \S+$/m;

/**
 * The path between the joiner and the server, in the middle: it answers the Firefox peer's offer
 * with a peer connection of its own (`mitm`), but sends that answer under the joiner's proof, with
 * the joiner's fingerprint where the client's parser reads it and its own where only Firefox does.
 */
function middle(hide: (line: string) => string) {
  const mitm = new NODE_WEBRTC.RTCPeerConnection({ iceServers: [] });
  const heard: string[] = [];
  mitm.addEventListener('datachannel', (event) => {
    event.channel.binaryType = 'arraybuffer';
    event.channel.addEventListener('message', ({ data }) => {
      heard.push(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('latin1'));
    });
  });
  let answer: Promise<string> | undefined;
  class MiddleSocket extends WebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message') {
        const frame = JSON.parse(String(args[0])) as Frame;
        if (frame.type === 'signal' && frame.data?.kind === 'description' && frame.data.description?.type === 'offer') {
          const offer = frame.data.description;
          answer ??= (async () => {
            await mitm.setRemoteDescription(offer as RTCSessionDescriptionInit);
            await mitm.setLocalDescription(await mitm.createAnswer());
            if (mitm.iceGatheringState !== 'complete')
              await new Promise((resolve) =>
                mitm.addEventListener('icegatheringstatechange', () => mitm.iceGatheringState === 'complete' && resolve(null)),
              );
            return (mitm.localDescription as RTCSessionDescription).sdp;
          })();
        }
      }
      return super.emit(event, ...args);
    }
    override send(data: unknown, ...rest: unknown[]): void {
      const out = (text: unknown) => (super.send as (...args: unknown[]) => void)(text, ...rest);
      const frame = typeof data === 'string' ? (JSON.parse(data) as Frame) : null;
      const kind = frame?.type === 'signal' ? frame.data?.kind : undefined;
      // The joiner's own candidates would only lead Firefox to the joiner: the path's are in its answer.
      if (kind === 'candidate' || kind === 'end-of-candidates') return;
      if (!frame?.data || kind !== 'description' || !answer) {
        out(data);
        return;
      }
      const honest = (frame.data.description?.sdp.match(FINGERPRINT) ?? [])[0] as string;
      void answer.then((sdp) => {
        const own = (sdp.match(FINGERPRINT) ?? [])[0] as string;
        const forged = sdp.replace(own, `${honest}\r\n${hide(own)}`);
        out(JSON.stringify({ ...frame, data: { ...frame.data, description: { type: 'answer', sdp: forged } } }));
      });
    }
  }
  return { mitm, heard, MiddleSocket };
}

describe('a signaling path in the middle of a Firefox peer that holds the link', () => {
  let server: IcebreakerServer;
  let firefox: Firefox;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'out13-ff-'));
    await build({
      stdin: { contents: "import * as icebreaker from '@icebreaker/client'; window.icebreaker = icebreaker;", resolveDir: process.cwd() },
      bundle: true,
      format: 'esm',
      outfile: join(dir, 'client.js'),
      logLevel: 'silent',
    });
    await writeFile(join(dir, 'index.html'), '<!doctype html><script type="module" src="client.js"></script>');
    server = await startServer({ port: 0, staticDir: dir, iceServers: [] });
    firefox = await Firefox.launch();
  }, 60_000);
  afterAll(async () => {
    await firefox?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a tab after the algorithm', (line: string) => line.replace(' ', '\t')],
    ['the attribute in capitals', (line: string) => line.replace('a=fingerprint', 'a=FINGERPRINT')],
    ['a space after the colon', (line: string) => line.replace('a=fingerprint:', 'a=fingerprint: ')],
  ])('its own fingerprint hidden by %s: the Firefox peer refuses it (tampered) and the path reads nothing', async (_how, hide) => {
    const { room, secret } = createInvite('http://localhost/');
    const tab: FirefoxTab = await firefox.open(new URL('index.html', server.url).href);
    await tab.waitFor('window.icebreaker', 'the client library');
    await tab.evaluate(`(async () => {
      window.errors = [];
      window.room = await icebreaker.connect(${JSON.stringify(server.signalingUrl)}, { room: ${JSON.stringify(room)}, secret: ${JSON.stringify(secret)}, relay: false });
      room.on('error', (error) => errors.push(error.code));
      room.on('open', (peer) => peer.send('for the joiner only'));
      return true;
    })()`);
    const { mitm, heard, MiddleSocket } = middle(hide);
    let joiner: Room | undefined;
    try {
      joiner = await nodePeer(server.signalingUrl, room, { secret, relay: false, WebSocket: MiddleSocket as never });
      // One of the two comes: Firefox refuses the forged answer, or its channel opens to the path.
      await tab.waitFor(
        `errors.includes('tampered') || [...room.peers.values()].some((p) => p.channelState === 'open')`,
        'a refusal or an open channel',
        20_000,
      );
      const seen = await tab.evaluate<{ errors: string[]; paired: boolean[]; open: boolean }>(`({
        errors,
        paired: [...room.peers.values()].map((p) => p.paired),
        open: [...room.peers.values()].some((p) => p.channelState === 'open'),
      })`);
      expect(seen.open).toBe(false);
      expect(seen.errors).toContain('tampered');
      expect(heard.join('')).not.toContain('for the joiner only');
    } finally {
      joiner?.close();
      mitm.close();
      await tab.evaluate('room.close()').catch(() => {});
    }
  });
});
