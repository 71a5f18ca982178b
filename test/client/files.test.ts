import { join } from 'node:path';
import { IcebreakerError, type IncomingTransfer, type Room, type TransferProgress } from '@icebreaker/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSink, fileSource, memoryPeak, randomFile, scratch, sha256OfFile } from '../helpers/files.js';
import { nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

const MiB = 1024 * 1024;

function nextTransfer(session: Room): Promise<IncomingTransfer> {
  return new Promise((resolve) => {
    const off = session.on('transfer', (_peer, transfer) => {
      off();
      resolve(transfer);
    });
  });
}

describe('file transfer between Node peers', () => {
  let h: Harness;
  let a: Room;
  let b: Room;
  let files: Awaited<ReturnType<typeof scratch>>;

  beforeEach(async () => {
    h = await startHarness();
    files = await scratch();
    a = await nodePeer(h.server.signalingUrl, 'files');
    b = await nodePeer(h.server.signalingUrl, 'files');
  });
  afterEach(async () => {
    a.close();
    b.close();
    await h.close();
    await files.dispose();
  });

  it('sends 100 MiB from disk to disk with matching SHA-256, progress, and bounded memory', async () => {
    const source = join(files.dir, 'source.bin');
    const target = join(files.dir, 'target.bin');
    const digest = await randomFile(source, 100 * MiB);
    const toB = await openPeer(a, b.peerId);

    const arriving = nextTransfer(b);
    const memory = memoryPeak();
    const sentProgress: TransferProgress[] = [];
    const outgoing = toB.sendFile(await fileSource(source, 'source.bin'), { onProgress: (p) => sentProgress.push(p) });
    const incoming = await arriving;
    expect(incoming.info).toMatchObject({ name: 'source.bin', size: 100 * MiB, type: '' });
    incoming.accept(fileSink(target));
    const receivedProgress: TransferProgress[] = [];
    incoming.on('progress', (p) => receivedProgress.push(p));

    const [sent, stored] = await Promise.all([outgoing.done, incoming.done]);
    const growth = memory.stop();
    expect(sent.root).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).toBeNull();
    expect(await sha256OfFile(target)).toBe(digest);
    expect(sentProgress.at(-1)).toMatchObject({ bytes: 100 * MiB, total: 100 * MiB });
    expect(receivedProgress.at(-1)?.bytes).toBe(100 * MiB);
    expect(receivedProgress.at(-1)?.rate).toBeGreaterThan(0);
    // Both ends run in this process; buffering the file anywhere would add 100 MiB or more. What is
    // held is bounded (8 MiB window, 3 chunks read ahead, the stack's buffers); the rest of the
    // growth is chunk buffers already let go that the garbage collector has not yet freed.
    console.log(`100 MiB transfer: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(96 * MiB);
  }, 120_000);

  it('cancels from the sender mid-way: both sides see transfer-cancelled', async () => {
    const source = join(files.dir, 'cancel.bin');
    await randomFile(source, 32 * MiB);
    const toB = await openPeer(a, b.peerId);
    const arriving = nextTransfer(b);
    const controller = new AbortController();
    const outgoing = toB.sendFile(await fileSource(source, 'cancel.bin'), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 4 * MiB) controller.abort();
      },
    });
    const incoming = await arriving;
    const [sent, received] = await Promise.allSettled([outgoing.done, incoming.done]);
    expect(sent.status === 'rejected' && (sent.reason as IcebreakerError).code).toBe('transfer-cancelled');
    expect(received.status === 'rejected' && (received.reason as IcebreakerError).code).toBe('transfer-cancelled');
  });

  it('a signal aborted before sendFile cancels at once: transfer-cancelled, and no byte reaches the peer', async () => {
    const source = join(files.dir, 'never.bin');
    await randomFile(source, 4 * MiB);
    const toB = await openPeer(a, b.peerId);
    let arrived = 0;
    b.on('transfer', () => arrived++);
    const outgoing = toB.sendFile(await fileSource(source, 'never.bin'), { signal: AbortSignal.abort() });
    await expect(outgoing.done).rejects.toMatchObject({ code: 'transfer-cancelled' });
    // A later transfer on the same pair still goes through, and is the only one the receiver saw.
    const later = nextTransfer(b);
    const sent = toB.sendFile(await fileSource(source, 'after.bin'));
    const incoming = await later;
    await Promise.all([sent.done, incoming.done]);
    expect(arrived).toBe(1);
  });

  it('cancels from the receiver mid-way: both sides see transfer-cancelled', async () => {
    const source = join(files.dir, 'refuse.bin');
    await randomFile(source, 32 * MiB);
    const toB = await openPeer(a, b.peerId);
    const arriving = nextTransfer(b);
    const outgoing = toB.sendFile(await fileSource(source, 'refuse.bin'));
    const incoming = await arriving;
    incoming.on('progress', (p) => {
      if (p.bytes > 4 * MiB) incoming.cancel('not wanted');
    });
    const [sent, received] = await Promise.allSettled([outgoing.done, incoming.done]);
    expect(received.status === 'rejected' && (received.reason as IcebreakerError).code).toBe('transfer-cancelled');
    expect(sent.status).toBe('rejected');
    expect((sent as PromiseRejectedResult).reason).toBeInstanceOf(IcebreakerError);
    expect(((sent as PromiseRejectedResult).reason as IcebreakerError).code).toBe('transfer-cancelled');
  });

  it('lets the receiver decline a file on its header: the sender sends no byte', async () => {
    const toB = await openPeer(a, b.peerId);
    b.on('transfer', (_peer, transfer) => transfer.cancel('no thanks'));
    const progress: TransferProgress[] = [];
    const outgoing = toB.sendFile(new Blob([new Uint8Array(4 * MiB)]), { name: 'unwanted.bin', onProgress: (p) => progress.push(p) });
    const refusal = await outgoing.done.catch((error: IcebreakerError) => error);
    expect(refusal).toMatchObject({ code: 'transfer-cancelled', message: 'no thanks' });
    expect(progress.filter((p) => p.bytes > 0)).toEqual([]);
  });

  it('refuses accept() once the bytes were asked for, and still delivers the file', async () => {
    const toB = await openPeer(a, b.peerId);
    const arriving = nextTransfer(b);
    toB.sendFile(new Blob(['late']), { name: 'late.txt' });
    const incoming = await arriving;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => incoming.accept(fileSink(join(files.dir, 'late.txt')))).toThrow(/turn of the transfer event/);
    expect(await (await incoming.done)?.text()).toBe('late');
  });

  it('delivers small files whole on fresh connections, time after time', async () => {
    // libwebrtc in Node can hand a new channel's first messages over out of order (about 1 run in 15):
    // the receiver's `go` now comes before any byte. Fresh peers each time, as the race needs.
    const text = 'small file contents '.repeat(1000);
    for (let i = 0; i < 100; i++) {
      const [x, y] = [await nodePeer(h.server.signalingUrl, `fresh-${i}`), await nodePeer(h.server.signalingUrl, `fresh-${i}`)];
      try {
        const arriving = nextTransfer(y);
        const outgoing = (await openPeer(x, y.peerId)).sendFile(new Blob([text]), { name: `${i}.txt` });
        const incoming = await arriving;
        expect(await (await incoming.done)?.text()).toBe(text);
        await outgoing.done;
      } finally {
        x.close();
        y.close();
      }
    }
  }, 60_000);

  it('runs three transfers at once without mixing their bytes', async () => {
    const toB = await openPeer(a, b.peerId);
    const names = ['one.bin', 'two.bin', 'three.bin'];
    const digests = await Promise.all(names.map((name, i) => randomFile(join(files.dir, name), (i + 1) * 3 * MiB + i)));
    const stored = new Map<string, Promise<unknown>>();
    b.on('transfer', (_peer, transfer) => {
      transfer.accept(fileSink(join(files.dir, `got-${transfer.info.name}`)));
      stored.set(transfer.info.name, transfer.done);
    });
    const outgoing = await Promise.all(names.map(async (name) => toB.sendFile(await fileSource(join(files.dir, name), name))));
    await Promise.all(outgoing.map((t) => t.done));
    await Promise.all(stored.values());
    for (const [i, name] of names.entries()) expect(await sha256OfFile(join(files.dir, `got-${name}`))).toBe(digests[i]);
  });

  it('collects a file into a Blob when the receiver names no sink', async () => {
    const toB = await openPeer(a, b.peerId);
    const arriving = nextTransfer(b);
    const text = 'small file contents '.repeat(1000);
    toB.sendFile(Object.assign(new Blob([text], { type: 'text/plain' }), { name: 'note.txt' }));
    const incoming = await arriving;
    const blob = await incoming.done;
    expect(incoming.info).toMatchObject({ name: 'note.txt', type: 'text/plain', size: text.length });
    expect(await blob?.text()).toBe(text);
  });
});
