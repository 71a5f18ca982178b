import { createHash } from 'node:crypto';
import { type IncomingTransfer, TRANSFER_LABEL, type TransferSink } from '@icebreaker/client';
import { describe, expect, it } from 'vitest';
import { sendWithBackpressure } from '../../packages/client/src/backpressure.js';
import { nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

const MiB = 1024 * 1024;

/** Resolves once `channel` is open; libwebrtc opens a channel on a connected pair before its creator can listen. */
function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => channel.addEventListener('open', () => resolve(), { once: true }));
}

/** Resolves with the first text message on `channel` that `match` accepts, parsed. */
function control(channel: RTCDataChannel, match: (message: { t: string }) => boolean): Promise<{ t: string; reason?: string }> {
  return new Promise((resolve) => {
    const listener = (event: Event): void => {
      const data = (event as MessageEvent).data;
      if (typeof data !== 'string') return;
      const message = JSON.parse(data) as { t: string };
      if (!match(message)) return;
      channel.removeEventListener('message', listener);
      resolve(message);
    };
    channel.addEventListener('message', listener);
  });
}

// The window (8 MiB of chunks ahead of the receiver's acks) was kept by the sender alone: a
// receiver queued every chunk that arrived, bytes and all, until its sink had stored the ones
// before. A sender that ignores the acks, to a sink slower than the channel (a busy disk), grew the
// receiver's memory without bound: 200 MiB here, 4 GiB from a 4 GiB file.
describe('a file sender that ignores the window', () => {
  const t = serverPerTest();

  it('is refused once it runs past the window: a typed error, and the receiver holds no more than the window', async () => {
    const a = await nodePeer(t.h.server.signalingUrl, 'window');
    const b = await nodePeer(t.h.server.signalingUrl, 'window');
    t.sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);

    // B stores into a sink that never finishes a write: a disk that stalled.
    let written = 0;
    const stalled: TransferSink = {
      stored: [],
      write: () => {
        written++;
        return new Promise(() => {});
      },
      truncate: async () => {},
      close: async () => null,
      discard: async () => {},
    };
    const arrived = new Promise<IncomingTransfer>((resolve) =>
      b.on('transfer', (_peer, transfer) => {
        if (transfer.info.name !== 'flood.bin') return;
        transfer.accept(stalled);
        resolve(transfer);
      }),
    );

    const channel = toB.pc.createDataChannel(TRANSFER_LABEL, { ordered: true });
    await opened(channel);
    const go = control(channel, (m) => m.t === 'go');
    const chunks = 200;
    channel.send(
      JSON.stringify({ t: 'head', id: 'flood-1', name: 'flood.bin', size: chunks * MiB, type: '', chunk: MiB, hash: 'sha-256' }),
    );
    const transfer = await arrived;
    await go;
    const failed = control(channel, (m) => m.t === 'fail');
    let refused = false;
    void failed.then(() => {
      refused = true;
    });
    channel.send(JSON.stringify({ t: 'at', i: 0 }));
    const bytes = new Uint8Array(MiB);
    const hash = createHash('sha256').update(bytes).digest('hex');
    let sent = 0;
    // Every chunk is sent with its hash, whatever the acks say, until the receiver refuses.
    const flood = async (): Promise<void> => {
      while (!refused && sent < chunks) {
        // With the library's backpressure, so the rogue's own memory stays small (the test measures the receiver).
        for (let offset = 0; offset < MiB; offset += 64 * 1024)
          await sendWithBackpressure(channel, bytes.subarray(offset, offset + 64 * 1024));
        await sendWithBackpressure(channel, JSON.stringify({ t: 'chunk', i: sent, hash }));
        sent++;
      }
    };
    // The receiver closes the channel as it refuses: the flood ends there (channel-closed) or on its `fail`.
    await flood().catch((error: unknown) => expect(error).toMatchObject({ code: 'channel-closed' }));

    // Refused within the window (8 chunks of 1 MiB), twice over, plus what was on the wire: not 200 MiB.
    expect(sent).toBeLessThan(40);
    await expect(transfer.done).rejects.toMatchObject({ code: 'transfer-failed', message: expect.stringMatching(/window/) });
    expect(await failed).toMatchObject({ t: 'fail', reason: expect.stringMatching(/window/) });
    expect(written).toBe(1);

    // The peers still talk, and B takes a file from A as before.
    const received = new Promise<Blob | null>((resolve) => b.on('transfer', (_peer, next) => resolve(next.done)));
    await toB.sendFile(new Blob([new Uint8Array(3 * MiB).fill(7)]), { name: 'after.bin' }).done;
    expect((await received)?.size).toBe(3 * MiB);
  });
});
