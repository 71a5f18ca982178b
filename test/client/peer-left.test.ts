import { describe, expect, it } from 'vitest';
import { NODE_STACKS, nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

// A peer that sends and leaves at once (`icebreaker peer` piping lines): the receiver heard peer-left
// and closed the connection while the last messages were still on their way up its stack.
describe('a peer that sends and then leaves', () => {
  const t = serverPerTest();

  it.each(NODE_STACKS)('has every message it sent delivered, in order, peer-left or not (%s)', async (_stack, stack) => {
    const a = await nodePeer(t.h.server.signalingUrl, 'tail', stack);
    const b = await nodePeer(t.h.server.signalingUrl, 'tail', stack);
    t.sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const received: unknown[] = [];
    b.on('message', (_peer, data) => received.push(data));
    const left = new Promise<number>((resolve) => b.on('peer-left', () => resolve(received.length)));
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    for (const line of lines) await toB.send(line);
    await toB.flush();
    a.close();
    await left;
    // Whatever had not arrived by peer-left arrives within the linger.
    for (let waited = 0; received.length < lines.length && waited < 3000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual(lines);
  });
});
