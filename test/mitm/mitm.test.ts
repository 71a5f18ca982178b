import { connect, type Room, type WebSocketConstructor } from '@icebreaker/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIBDATACHANNEL, messages, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';
import { Mitm } from './mitm.js';

/** A Node peer on node-datachannel that connects to `url` (the man in the middle's). */
function peer(url: string, room: string): Promise<Room> {
  return connect(url, { room, ...LIBDATACHANNEL, WebSocket: WebSocket as unknown as WebSocketConstructor, iceServers: [] });
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
  });
  afterAll(async () => {
    await mitm.stop();
    await h.close();
  });

  it('passes the page through, and the two peers talk both ways', async () => {
    const page = await fetch(new URL('/healthz', mitm.url));
    expect(page.status).toBe(200);

    const a = await peer(mitm.signalingUrl, `talk-${mode}`);
    sessions.push(a);
    const b = await peer(mitm.signalingUrl, `talk-${mode}`);
    sessions.push(b);
    const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const atA = messages(a, 2);
    const atB = messages(b, 2);
    await toB.send('hello from a, through whoever is in between');
    await toB.send(new Uint8Array(70_000).fill(5));
    await toA.send('hello from b');
    await toA.send({ json: true });
    const [textAtB, bytesAtB] = await atB;
    expect(textAtB).toBe('hello from a, through whoever is in between');
    expect(new Uint8Array(bytesAtB as ArrayBuffer)).toEqual(new Uint8Array(70_000).fill(5));
    expect(await atA).toEqual(['hello from b', { json: true }]);

    const read = mitm.lines.filter((line) => typeof line.read === 'string').map((line) => line.read as string);
    if (mode === 'swap') {
      expect(mitm.lines.filter((line) => line.swapped !== undefined).map((line) => line.swapped)).toEqual(['answer', 'offer']);
      expect(read.some((text) => text.includes('hello from a, through whoever'))).toBe(true);
      expect(read.some((text) => text.includes('hello from b'))).toBe(true);
    } else {
      expect(read).toEqual([]);
    }
    expect(mitm.lines.filter((line) => line.error !== undefined)).toEqual([]);
    expect(mitm.alive).toBe(true);
  });
});
