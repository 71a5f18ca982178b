import { prepare, type Room } from '@icebreaker/client';
import { afterEach, describe, expect, it } from 'vitest';
import { messages, NODE_WEBRTC, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

// Issue 11 §3: the signaling connection opens before the room is known, and joining reuses it.

let h: Harness;
const sessions: Room[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  await h.close();
});

/** The server's own count of open WebSocket connections. */
async function connections(): Promise<number> {
  const text = await (await fetch(`${h.server.url}metrics`)).text();
  return Number(/^icebreaker_connections (\d+)/m.exec(text)?.[1]);
}

describe('prepare(url)', () => {
  it('opens the connection at once, and join() joins on it and connects', async () => {
    h = await startHarness();
    const early = prepare(h.server.signalingUrl, { WebSocket: NODE_WEBRTC.WebSocket });
    await early.ready;
    expect(await connections()).toBe(1);
    const a = await early.join({ room: 'early', iceServers: [], RTCPeerConnection: NODE_WEBRTC.RTCPeerConnection });
    sessions.push(a);
    // The same connection: still one.
    expect(await connections()).toBe(1);
    const b = await nodePeer(h.server.signalingUrl, 'early');
    sessions.push(b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const got = messages(b, 1);
    await toB.send('prepared');
    expect(await got).toEqual(['prepared']);
    await expect(early.join({ room: 'early' })).rejects.toThrow(/join: this prepared connection has already joined/);
  });

  it('opens a fresh connection when the prepared one was closed (the server join deadline)', async () => {
    h = await startHarness({ joinDeadlineMs: 200 });
    const early = prepare(h.server.signalingUrl, { WebSocket: NODE_WEBRTC.WebSocket });
    await early.ready;
    await expect.poll(() => connections(), { timeout: 5000 }).toBe(0);
    const room = await early.join({ room: 'late', iceServers: [], RTCPeerConnection: NODE_WEBRTC.RTCPeerConnection });
    sessions.push(room);
    expect(room.signalingState).toBe('open');
    expect(await connections()).toBe(1);
  });

  it('refuses bad arguments with a TypeError naming the field, and a bad join leaves it usable', async () => {
    h = await startHarness();
    expect(() => prepare('http://example.org/ws')).toThrow(TypeError);
    expect(() => prepare(h.server.signalingUrl, { WebSocket: 5 } as never)).toThrow(/options\.WebSocket/);
    expect(() => prepare(h.server.signalingUrl, { socket: 1 } as never)).toThrow(/options/);
    const early = prepare(h.server.signalingUrl, { WebSocket: NODE_WEBRTC.WebSocket });
    await expect(early.join({ room: 'no spaces allowed' })).rejects.toThrow(/options\.room/);
    await expect(early.join({ room: 'ok', retransmitMs: 1, RTCPeerConnection: NODE_WEBRTC.RTCPeerConnection })).rejects.toThrow(
      /options\.retransmitMs/,
    );
    const room = await early.join({ room: 'ok', iceServers: [], RTCPeerConnection: NODE_WEBRTC.RTCPeerConnection });
    sessions.push(room);
    expect(room.name).toBe('ok');
  });

  it('close() before join closes the connection', async () => {
    h = await startHarness();
    const early = prepare(h.server.signalingUrl, { WebSocket: NODE_WEBRTC.WebSocket });
    await early.ready;
    expect(await connections()).toBe(1);
    early.close();
    await expect.poll(() => connections()).toBe(0);
  });
});
