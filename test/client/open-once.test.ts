import { describe, expect, it } from 'vitest';
import { messages, NODE_STACKS, nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

// Issue 9, item 10: the side that joined second answers, and gets the main channel from the other
// side already open; both its `datachannel` hand-over and the channel's `open` event announced it,
// and `icebreaker peer --send` started a transfer on each.
describe('the open event', () => {
  const t = serverPerTest();

  it.each(NODE_STACKS)('fires once per connection on each side, the answering side included (%s)', async (_stack, stack) => {
    const first = await nodePeer(t.h.server.signalingUrl, 'once', stack);
    const opens = { first: 0, second: 0, peer: 0 };
    first.on('open', () => opens.first++);
    const second = await nodePeer(t.h.server.signalingUrl, 'once', stack);
    t.sessions.push(first, second);
    second.on('open', () => opens.second++);
    // The peers already in the room are made before connect() resolves.
    for (const peer of second.peers.values()) peer.on('open', () => opens.peer++);
    const [toSecond, toFirst] = await Promise.all([openPeer(first, second.peerId), openPeer(second, first.peerId)]);

    // A channel's events come in order, and `open` before any message: once a message has crossed
    // each way, every `open` each side will ever see has been seen.
    const atSecond = messages(second, 1);
    await toSecond.send('ping');
    await atSecond;
    const atFirst = messages(first, 1);
    await toFirst.send('pong');
    await atFirst;
    expect(opens).toEqual({ first: 1, second: 1, peer: 1 });
  });
});
