import { RTCPeerConnection as DataChannelPeerConnection } from 'node-datachannel/polyfill';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/client/index.js';
import { messages, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

// libdatachannel through node-datachannel's W3C polyfill: the lightest WebRTC stack for Node.
const LIBDATACHANNEL = { RTCPeerConnection: DataChannelPeerConnection as unknown as typeof RTCPeerConnection };

// Known, not yet understood: now and then a libdatachannel peer never connects (it reports "Got a remote
// candidate without ICE transport"), about 1 run in 10 on a loaded 2-core machine. Retried until it is
// fixed; three failures in a row still fail the test.
describe('Node peers on node-datachannel (libdatachannel)', { retry: 2 }, () => {
  let h: Harness;
  const sessions: Session[] = [];
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    await h.close();
  });

  it('connect and exchange messages and a file', async () => {
    const a = await nodePeer(h.server.signalingUrl, 'ndc', LIBDATACHANNEL);
    const b = await nodePeer(h.server.signalingUrl, 'ndc', LIBDATACHANNEL);
    sessions.push(a, b);
    const [toB, toA] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    const atB = messages(b, 2);
    await toB.send({ stack: 'libdatachannel' });
    await toB.send(new Uint8Array(300_000).fill(7));
    const [json, bytes] = await atB;
    expect(json).toEqual({ stack: 'libdatachannel' });
    expect((bytes as ArrayBuffer).byteLength).toBe(300_000);
    expect(new Uint8Array(bytes as ArrayBuffer).every((x) => x === 7)).toBe(true);

    const arriving = new Promise<Blob | null>((resolve) => a.on('transfer', (_p, t) => resolve(t.done)));
    const text = 'from libdatachannel '.repeat(20_000);
    const sent = toA.sendFile(Object.assign(new Blob([text]), { name: 'ndc.txt' }));
    const [result, blob] = await Promise.all([sent.done, arriving]);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await blob?.text()).toBe(text);
  });

  it('talk to a libwebrtc peer, whichever side offers', async () => {
    for (const [first, second] of [
      [LIBDATACHANNEL, {}],
      [{}, LIBDATACHANNEL],
    ] as const) {
      const room = `mixed-${sessions.length}`;
      const a = await nodePeer(h.server.signalingUrl, room, first);
      const b = await nodePeer(h.server.signalingUrl, room, second);
      sessions.push(a, b);
      const [toB, toA] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
      const atA = messages(a, 1);
      const atB = messages(b, 1);
      await toB.send('to b');
      await toA.send('to a');
      expect([await atA, await atB]).toEqual([['to a'], ['to b']]);
    }
  });
});
