import { RTCPeerConnection as DataChannelPeerConnection } from 'node-datachannel/polyfill';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectOptions, Session } from '../../src/client/index.js';
import { messages, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

const STACKS: Array<[string, Partial<ConnectOptions>]> = [
  ['node-datachannel', { RTCPeerConnection: DataChannelPeerConnection as unknown as typeof RTCPeerConnection }],
  ['@roamhq/wrtc', {}],
];

// Issue 9, item 10: the side that joined second answers, and gets the main channel from the other
// side already open; both its `datachannel` hand-over and the channel's `open` event announced it,
// and `icebreaker peer --send` started a transfer on each.
describe('the open event', () => {
  let h: Harness;
  const sessions: Session[] = [];
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    await h.close();
  });

  it.each(STACKS)('fires once per connection on each side, the answering side included (%s)', async (_stack, stack) => {
    const first = await nodePeer(h.server.signalingUrl, 'once', stack);
    const opens = { first: 0, second: 0, peer: 0 };
    first.on('open', () => opens.first++);
    const second = await nodePeer(h.server.signalingUrl, 'once', stack);
    sessions.push(first, second);
    second.on('open', () => opens.second++);
    // The peers already in the room are made before connect() resolves.
    for (const peer of second.peers.values()) peer.on('open', () => opens.peer++);
    const [toSecond, toFirst] = await Promise.all([openPeer(first, second.id), openPeer(second, first.id)]);

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
