import { MAX_MESSAGE_BYTES } from '@icebreaker/protocol';
import { describe, expect, it } from 'vitest';
import { LIBDATACHANNEL, messages, nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

// Found by an outsider: a 70 MiB message resolved on the sender, failed on the receiver, and the
// receiver then got its last 6 MiB as a message of its own.
describe('a message over MAX_MESSAGE_BYTES', () => {
  const t = serverPerTest();

  it('is refused by send() before a byte goes out, and the channel carries on', async () => {
    const first = await nodePeer(t.h.server.signalingUrl, 'size', LIBDATACHANNEL);
    const second = await nodePeer(t.h.server.signalingUrl, 'size', LIBDATACHANNEL);
    t.sessions.push(first, second);
    const [toSecond] = await Promise.all([openPeer(first, second.peerId), openPeer(second, first.peerId)]);
    const received = messages(second, 1);
    await expect(toSecond.send(new Uint8Array(MAX_MESSAGE_BYTES + 1))).rejects.toMatchObject({ code: 'message-too-large' });
    await toSecond.send('after');
    expect(await received).toEqual(['after']);
  });
});
