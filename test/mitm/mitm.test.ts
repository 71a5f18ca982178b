import { type ConnectOptions, connect, type Room, type WebSocketConstructor } from '@icebreaker/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIBDATACHANNEL, messages, NODE_WEBRTC, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';
import { Mitm, type MitmLine } from './mitm.js';

/** A Node peer that connects to `url` (the man in the middle's), on node-datachannel unless told. */
function peer(url: string, room: string, stack: Partial<ConnectOptions> = LIBDATACHANNEL): Promise<Room> {
  return connect(url, { room, ...stack, WebSocket: WebSocket as unknown as WebSocketConstructor, iceServers: [] });
}

const STACKS: Array<[string, Partial<ConnectOptions>]> = [
  ['node-datachannel', LIBDATACHANNEL],
  ['@roamhq/wrtc', NODE_WEBRTC],
];

const texts = (lines: MitmLine[]) => lines.filter((line) => typeof line.read === 'string').map((line) => line.read as string);

/** Sends both ways between two rooms' peers and checks every message arrives intact. */
async function talk(a: Room, b: Room, tag: string): Promise<void> {
  const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
  const atA = messages(a, 2);
  const atB = messages(b, 2);
  const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
  await toB.send(`hello from a (${tag})`);
  await toB.send(bytes);
  await toA.send(`hello from b (${tag})`);
  await toA.send({ json: tag });
  const [textAtB, bytesAtB] = await atB;
  expect(textAtB).toBe(`hello from a (${tag})`);
  expect(new Uint8Array(bytesAtB as ArrayBuffer)).toEqual(bytes);
  expect(await atA).toEqual([`hello from b (${tag})`, { json: tag }]);
}

describe.each(['honest', 'swap'] as const)('a %s man in the middle', (mode) => {
  let h: Harness;
  let mitm: Mitm;
  const sessions: Room[] = [];
  beforeAll(async () => {
    h = await startHarness();
    mitm = await Mitm.start(h.server.url, mode);
  });
  afterEach(() => {
    for (const s of sessions.splice(0)) s.close();
    expect(mitm.lines.filter((line) => line.error !== undefined)).toEqual([]);
    expect(mitm.alive).toBe(true);
  });
  afterAll(async () => {
    await mitm.stop();
    await h.close();
  });

  it('passes plain HTTP through unchanged', async () => {
    for (const path of ['/readyz', '/no-such-page']) {
      const [direct, through] = await Promise.all([fetch(new URL(path, h.server.url)), fetch(new URL(path, mitm.url))]);
      expect(through.status).toBe(direct.status);
      expect(await through.text()).toBe(await direct.text());
    }
  });

  it.each(STACKS)('lets two peers talk both ways (the first on %s)', async (stack, first) => {
    const room = `talk-${mode}-${stack.replace(/\W/g, '')}`;
    const before = mitm.lines.length;
    const a = await peer(mitm.signalingUrl, room, first);
    sessions.push(a);
    const b = await peer(mitm.signalingUrl, room);
    sessions.push(b);
    await talk(a, b, stack);
    const seen = mitm.lines.slice(before);
    if (mode === 'swap') {
      expect(seen.filter((line) => line.swapped !== undefined).map((line) => line.swapped)).toEqual(['answer', 'offer']);
      expect(texts(seen)).toEqual(expect.arrayContaining([`hello from a (${stack})`, `hello from b (${stack})`, `{"json":"${stack}"}`]));
    } else {
      expect(texts(seen)).toEqual([]);
    }
  });

  it('connects the next peer after one left', async () => {
    const room = `next-${mode}`;
    const a = await peer(mitm.signalingUrl, room);
    const b = await peer(mitm.signalingUrl, room);
    sessions.push(a, b);
    await talk(a, b, 'first');
    const left = new Promise((resolve) => a.on('peer-left', resolve));
    b.close();
    await left;
    const before = mitm.lines.length;
    const c = await peer(mitm.signalingUrl, room);
    sessions.push(c);
    await talk(a, c, 'next');
    if (mode === 'swap')
      expect(texts(mitm.lines.slice(before))).toEqual(expect.arrayContaining(['hello from a (next)', 'hello from b (next)']));
  });
});
