import { type IcebreakerError, MAIN_LABEL, type RemotePeer } from '@icebreaker/client';
import { describe, expect, it } from 'vitest';
import { messages, NODE_STACKS, nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

// Issue 9, item 17: a channel with a label the library does not use was closed without a word, and
// a peer written from the docs with another label waited for nothing.
describe('a data channel with an unexpected label', () => {
  const t = serverPerTest();

  it.each(NODE_STACKS)('is closed and reported as unexpected-channel, naming the peer and the label (%s)', async (_stack, stack) => {
    const a = await nodePeer(t.h.server.signalingUrl, 'labels', stack);
    const b = await nodePeer(t.h.server.signalingUrl, 'labels', stack);
    t.sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    const reported = new Promise<[IcebreakerError, RemotePeer | undefined]>((resolve) =>
      b.on('error', (error, peer) => resolve([error, peer])),
    );

    // The other side opens a channel of its own choosing on the same connection, as a peer written
    // against the bare WebRTC API would.
    const stray = toB.pc.createDataChannel('chat');
    const strayClosed = new Promise((resolve) => stray.addEventListener('close', resolve));
    const [error, peer] = await reported;
    expect(error.code).toBe('unexpected-channel');
    expect(peer?.id).toBe(a.id);
    expect(error.message).toContain(a.id);
    expect(error.message).toContain('"chat"');
    expect(error.message).toContain(`"${MAIN_LABEL}"`);
    await strayClosed;

    // The connection itself carries on.
    const atB = messages(b, 1);
    await toB.send('still connected');
    expect(await atB).toEqual(['still connected']);
  });
});
