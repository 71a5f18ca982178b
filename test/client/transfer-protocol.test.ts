import { type IncomingTransfer, TRANSFER_LABEL } from '@icebreaker/client';
import { describe, expect, it } from 'vitest';
import { nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

/** The next text message on `channel`, parsed. */
function nextControl(channel: RTCDataChannel): Promise<unknown> {
  return new Promise((resolve) =>
    channel.addEventListener('message', (event) => resolve(JSON.parse((event as MessageEvent).data as string)), { once: true }),
  );
}

/** Resolves once `channel` is open; libwebrtc opens a channel on a connected pair before its creator can listen. */
function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => channel.addEventListener('open', () => resolve(), { once: true }));
}

// The transfer control messages are decoded by protocol/transfer.ts: what does not decode ends the
// transfer with a typed error naming the fault. Read with a cast, as before, text that did not parse
// and a second head were ignored, and the transfer waited for an end that would never come.
describe('a file sender that breaks the transfer protocol', () => {
  const t = serverPerTest();

  it.each([
    ['an end without its digest', '{"t":"end"}', /invalid control message/],
    ['text that is not JSON', 'sha256?', /not JSON/],
    ['a second head', '{"t":"head","id":"x","name":"again","size":1,"type":"","chunk":1048576,"hash":"sha-256"}', /second head/],
  ])('fails the transfer on %s, and tells the sender why', async (_what, message, reason) => {
    const a = await nodePeer(t.h.server.signalingUrl, 'rogue');
    const b = await nodePeer(t.h.server.signalingUrl, 'rogue');
    t.sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const arrived = new Promise<IncomingTransfer>((resolve) => b.on('transfer', (_peer, transfer) => resolve(transfer)));

    // A sends by hand on a transfer channel of its own, as a peer written against the README would.
    const channel = toB.pc.createDataChannel(TRANSFER_LABEL, { ordered: true });
    await opened(channel);
    const go = nextControl(channel);
    const head = { id: 'rogue-1', name: 'a.bin', size: 4, type: 'application/octet-stream', chunk: 1024 * 1024, hash: 'sha-256' };
    channel.send(JSON.stringify({ t: 'head', ...head }));
    const transfer = await arrived;
    expect(transfer.info).toEqual(head);
    expect(await go).toEqual({ t: 'go', from: 0 });

    const answer = nextControl(channel);
    channel.send(message);
    await expect(transfer.done).rejects.toMatchObject({ code: 'transfer-failed', message: expect.stringMatching(reason) });
    expect(await answer).toEqual({ t: 'fail', reason: expect.stringMatching(reason) });
  });
});
