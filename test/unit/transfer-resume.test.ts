import { createHash } from 'node:crypto';
import type { PeerId, TransferInfo } from '@icebreaker/protocol';
import { describe, expect, it } from 'vitest';
import type { ChannelLike } from '../../packages/client/src/channel-like.js';
import type { IncomingTransfer } from '../../packages/client/src/incoming-transfer.js';
import type { TransferResumed } from '../../packages/client/src/transfer.js';
import { TransferBatch } from '../../packages/client/src/transfer-batch.js';
import { type TransferOptions, type TransferPort, TransferRegistry } from '../../packages/client/src/transfer-registry.js';
import type { PartialTransfer, TransferSink, TransferStore } from '../../packages/client/src/transfer-sink.js';

/**
 * The resume logic of file transfers, two registries back to back in one process over channels made
 * here: each channel pair delivers messages in order, asynchronously, and the test may drop a message
 * (bytes lost when a path died) or close a pair (a channel or a connection that dropped). Real peers
 * over real WebRTC, with real cuts, are in test/client/resume.test.ts and test/e2e.
 */
class Channel extends EventTarget implements ChannelLike {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'arraybuffer';
  other!: Channel;
  /** Drops the message when it returns true (counted over binary messages sent on this side). */
  drop: (binary: number) => boolean = () => false;
  private binaries = 0;
  /** Binary bytes sent, on every channel of the test. */
  static wireBytes = 0;
  constructor(readonly label: string) {
    super();
  }
  send(data: string | ArrayBufferView | ArrayBuffer): void {
    if (this.readyState !== 'open') throw new Error('closed');
    let payload: unknown = data;
    if (typeof data !== 'string') {
      const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      payload = view.slice().buffer;
      Channel.wireBytes += view.byteLength;
      if (this.drop(this.binaries++)) return;
    }
    const to = this.other;
    setTimeout(() => {
      if (to.readyState === 'open') to.dispatchEvent(new MessageEvent('message', { data: payload }));
    }, 0);
  }
  close(): void {
    for (const side of [this, this.other]) {
      if (side.readyState === 'closed') continue;
      side.readyState = 'closed';
      setTimeout(() => side.dispatchEvent(new Event('close')), 0);
    }
  }
}

/** Two peers' registries; `connect` makes a new "connection" (ports) between them. */
function pair(receiverOptions: TransferOptions = {}) {
  const sender = { registry: new TransferRegistry({ resumeWithinMs: 60_000 }) };
  const receiver = { registry: new TransferRegistry({ resumeWithinMs: 60_000, ...receiverOptions }) };
  const channels: Channel[] = [];
  const arrived: IncomingTransfer[] = [];
  let dropFirst: ((binary: number) => boolean) | null = null;
  function connect(ids: { sender: string; receiver: string } = { sender: 's', receiver: 'r' }) {
    let open = true;
    const make = (from: typeof sender, to: typeof sender, toPort: () => TransferPort): TransferPort => ({
      // Each side's port names the peer at its other end.
      id: (from === sender ? ids.receiver : ids.sender) as PeerId,
      get isOpen() {
        return open;
      },
      get closed() {
        return !open;
      },
      openTransferChannel: () => {
        const mine = new Channel('icebreaker-file');
        const theirs = new Channel('icebreaker-file');
        mine.other = theirs;
        theirs.other = mine;
        if (from === sender && dropFirst) {
          mine.drop = dropFirst;
          dropFirst = null;
        }
        channels.push(mine, theirs);
        setTimeout(() => to.registry.adopt(toPort(), theirs), 0);
        return mine;
      },
      frameBytes: () => 64 * 1024,
      announce: (transfer) => arrived.push(transfer),
    });
    const ports: { s?: TransferPort; r?: TransferPort } = {};
    ports.s = make(sender, receiver, () => ports.r as TransferPort);
    ports.r = make(receiver, sender, () => ports.s as TransferPort);
    return {
      ports: ports as Required<typeof ports>,
      /** The connection drops: every channel of it closes, and both registries hear of it. */
      drop() {
        open = false;
        for (const channel of channels.splice(0)) channel.close();
        sender.registry.peerClosed(ports.s as TransferPort);
        receiver.registry.peerClosed(ports.r as TransferPort);
      },
    };
  }
  return {
    sender,
    receiver,
    /** The receiving process restarts: a new registry (on the same store), under a new peer id. */
    restartReceiver(options: TransferOptions) {
      receiver.registry = new TransferRegistry({ resumeWithinMs: 60_000, ...options });
    },
    arrived,
    channels,
    connect,
    dropNext: (drop: (binary: number) => boolean) => {
      dropFirst = drop;
    },
    wireBytes: () => Channel.wireBytes,
  };
}

const MiB = 1024 * 1024;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536));
  return bytes;
}
const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};
async function bytesOf(blob: Blob | null): Promise<Uint8Array> {
  return new Uint8Array(await (blob as Blob).arrayBuffer());
}

describe('a transfer that loses bytes or its connection', () => {
  it('asks again from the chunk that did not check when a frame is lost, and the file arrives whole', async () => {
    const p = pair();
    const { ports } = p.connect();
    const data = randomBytes(5 * MiB + 77);
    // The 40th frame of 64 KiB is in chunk 2: lost, as on a path that died with bytes in it.
    p.dropNext((binary) => binary === 40);
    const out = p.sender.registry.send(ports.s, Object.assign(new Blob([data]), { name: 'a.bin' }), {});
    await until(() => p.arrived.length === 1, 'the transfer');
    const incoming = p.arrived[0] as IncomingTransfer;
    const resumed: TransferResumed[] = [];
    incoming.on('resumed', (r) => resumed.push(r));
    const [, blob] = await Promise.all([out.done, incoming.done]);
    expect(sha(await bytesOf(blob))).toBe(sha(data));
    expect(resumed).toEqual([{ at: 2 * MiB, chunk: 2, reason: expect.stringMatching(/chunk 2 (came short|overran)/) }]);
    expect(incoming.state).toBe('done');
  });

  it('resumes on a new connection from the first chunk not stored: nothing sent twice but what was in flight', async () => {
    const p = pair();
    const first = p.connect();
    const data = randomBytes(32 * MiB);
    const out = p.sender.registry.send(first.ports.s, Object.assign(new Blob([data]), { name: 'b.bin' }), {});
    await until(() => p.arrived.length === 1, 'the transfer');
    const incoming = p.arrived[0] as IncomingTransfer;
    await until(() => incoming.transferred >= 5 * MiB, '5 MiB stored');
    first.drop();
    await until(() => out.state === 'interrupted' && incoming.state === 'interrupted', 'both interrupted');
    const sentBefore = p.wireBytes();
    const resumed: TransferResumed[] = [];
    incoming.on('resumed', (r) => resumed.push(r));
    // A new connection: the receiver asks the sender for the transfer again, by id.
    const second = p.connect();
    p.receiver.registry.peerOpened(second.ports.r);
    const [, blob] = await Promise.all([out.done, incoming.done]);
    expect(sha(await bytesOf(blob))).toBe(sha(data));
    // It picks up after the chunks stored, those complete when the connection dropped included.
    expect(resumed).toEqual([{ at: expect.any(Number), chunk: expect.any(Number), reason: 'the connection dropped and came back' }]);
    expect(resumed[0]?.at).toBeGreaterThanOrEqual(5 * MiB);
    // After the cut, exactly the rest went over the wire.
    expect(p.wireBytes() - sentBefore).toBe(data.byteLength - (resumed[0]?.at ?? 0));
    expect(p.arrived).toHaveLength(1);
  });

  it('a sender that lost the transfer and picks the same file again resumes where the receiver is', async () => {
    const p = pair();
    const first = p.connect();
    const data = randomBytes(24 * MiB + 5);
    const out = p.sender.registry.send(first.ports.s, Object.assign(new Blob([data]), { name: 'c.bin' }), {});
    await until(() => p.arrived.length === 1, 'the transfer');
    const incoming = p.arrived[0] as IncomingTransfer;
    await until(() => incoming.transferred >= 3 * MiB, '3 MiB stored');
    first.drop();
    await until(() => incoming.state === 'interrupted', 'interrupted');
    // The sending tab reloads: its transfer is gone; the user picks the same file again.
    out.giveUp('the tab reloaded');
    const resumed: TransferResumed[] = [];
    incoming.on('resumed', (r) => resumed.push(r));
    const second = p.connect();
    const sentBefore = p.wireBytes();
    const again = p.sender.registry.send(second.ports.s, Object.assign(new Blob([data]), { name: 'c.bin' }), {});
    const [, blob] = await Promise.all([again.done, incoming.done]);
    expect(sha(await bytesOf(blob))).toBe(sha(data));
    expect(incoming.info.id).toBe(again.info.id);
    expect(resumed).toEqual([{ at: expect.any(Number), chunk: expect.any(Number), reason: 'the sender picked the same file again' }]);
    expect(resumed[0]?.at).toBeGreaterThanOrEqual(3 * MiB);
    expect(p.wireBytes() - sentBefore).toBe(data.byteLength - (resumed[0]?.at ?? 0));
    expect(p.arrived).toHaveLength(1);
  });

  it('another file of the same name and size starts over, and what lands is the new file', async () => {
    const p = pair();
    const first = p.connect();
    const old = randomBytes(24 * MiB);
    const out = p.sender.registry.send(first.ports.s, Object.assign(new Blob([old]), { name: 'd.bin' }), {});
    await until(() => p.arrived.length === 1, 'the transfer');
    const incoming = p.arrived[0] as IncomingTransfer;
    await until(() => incoming.transferred >= 2 * MiB, '2 MiB stored');
    first.drop();
    await until(() => incoming.state === 'interrupted', 'interrupted');
    out.giveUp('the tab reloaded');
    const changed = randomBytes(24 * MiB);
    const second = p.connect();
    const again = p.sender.registry.send(second.ports.s, Object.assign(new Blob([changed]), { name: 'd.bin' }), {});
    const resumed: TransferResumed[] = [];
    incoming.on('resumed', (r) => resumed.push(r));
    const [, blob] = await Promise.all([again.done, incoming.done]);
    expect(sha(await bytesOf(blob))).toBe(sha(changed));
    // The receiver offered what it held; the sender's proof did not match, and it started over.
    expect(resumed.map((r) => r.reason)).toEqual(['the sender picked the same file again']);
  });

  it('an interrupted transfer nobody resumes fails in time, typed, on both sides', async () => {
    const sender = new TransferRegistry({ resumeWithinMs: 1000 });
    const p = pair();
    const { ports, drop } = p.connect();
    const out = sender.send(ports.s, Object.assign(new Blob([randomBytes(3 * MiB)]), { name: 'e.bin' }), {});
    await until(() => out.state === 'sending', 'sending');
    drop();
    sender.peerClosed(ports.s);
    await expect(out.done).rejects.toMatchObject({ code: 'transfer-failed', message: expect.stringMatching(/not resumed within 1 s/) });
  });

  it('survives lost frames and dropped connections at random points, and what lands is the file', async () => {
    for (let round = 0; round < 5; round++) {
      const p = pair();
      let connection = p.connect();
      const data = randomBytes(20 * MiB + Math.floor(Math.random() * MiB));
      const lost = new Set(Array.from({ length: 3 }, () => Math.floor(Math.random() * 300)));
      p.dropNext((binary) => lost.has(binary));
      const out = p.sender.registry.send(connection.ports.s, Object.assign(new Blob([data]), { name: `r${round}.bin` }), {});
      await until(() => p.arrived.length === 1, 'the transfer');
      const incoming = p.arrived[0] as IncomingTransfer;
      for (const cut of [Math.random() * 8 * MiB, 8 * MiB + Math.random() * 8 * MiB]) {
        await until(() => incoming.transferred >= cut || incoming.finished, 'the cut point');
        if (incoming.finished) break;
        connection.drop();
        await until(() => out.state === 'interrupted' && incoming.state === 'interrupted', 'both interrupted');
        connection = p.connect();
        p.receiver.registry.peerOpened(connection.ports.r);
      }
      const [, blob] = await Promise.all([out.done, incoming.done]);
      expect(sha(await bytesOf(blob))).toBe(sha(data));
    }
  }, 60_000);

  it('resumeAll asks the peers connected again: a transfer cut on one connection goes on over another one', async () => {
    const p = pair();
    const first = p.connect();
    const data = randomBytes(16 * MiB);
    const out = p.sender.registry.send(first.ports.s, Object.assign(new Blob([data]), { name: 'f.bin' }), {});
    await until(() => p.arrived.length === 1, 'the transfer');
    const incoming = p.arrived[0] as IncomingTransfer;
    // A second connection opens while the first carries the file: nothing to resume yet.
    const second = p.connect();
    p.receiver.registry.peerOpened(second.ports.r);
    await until(() => incoming.transferred >= 4 * MiB, '4 MiB stored');
    first.drop();
    await until(() => incoming.state === 'interrupted', 'interrupted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(incoming.state).toBe('interrupted');
    p.receiver.registry.resumeAll();
    const [, blob] = await Promise.all([out.done, incoming.done]);
    expect(sha(await bytesOf(blob))).toBe(sha(data));
  });

  it('a batch whose receiver restarts (a new id, files kept in its store) resumes the file under way and sends the rest to it', async () => {
    const store = keptStore();
    const p = pair({ store });
    const first = p.connect();
    const files = [0, 1, 2, 3].map(() => randomBytes(6 * MiB + 3));
    const batch = new TransferBatch(
      files.map((bytes, i) => ({ file: Object.assign(new Blob([bytes]), { name: `b${i}.bin` }), path: `album/b${i}.bin` })),
      // As RemotePeer.sendFiles does: every file of the batch to the port it was made for.
      (item, options) => p.sender.registry.send(first.ports.s, item.file, options),
      {},
    );
    await until(() => p.arrived.length >= 2 && (p.arrived[1] as IncomingTransfer).transferred >= 2 * MiB, 'the second file under way');
    // The receiving process dies; it comes back as a new peer, with its store.
    first.drop();
    p.restartReceiver({ store });
    const second = p.connect({ sender: 's', receiver: 'r2' });
    p.sender.registry.peerOpened(second.ports.s);
    p.receiver.registry.peerOpened(second.ports.r);
    await batch.done;
    for (const [i, bytes] of files.entries()) expect(sha(store.files.get(`album/b${i}.bin`) as Uint8Array), `file ${i}`).toBe(sha(bytes));
  }, 30_000);
});

/** A store kept in memory across "restarts" of the receiving registry, as a disk store is across processes. */
function keptStore(): TransferStore & { files: Map<string, Uint8Array> } {
  const partials = new Map<string, { info: TransferInfo; chunks: Uint8Array[]; hashes: string[] }>();
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async open(info) {
      const found = partials.get(info.id) ?? [...partials.values()].find((p) => p.info.name === info.name && p.info.size === info.size);
      const partial = found ?? { info, chunks: [], hashes: [] };
      partials.delete(partial.info.id);
      partial.info = info;
      partials.set(info.id, partial);
      const sink: TransferSink = {
        stored: [...partial.hashes],
        write: async (index, bytes, hash) => {
          partial.chunks[index] = bytes.slice();
          partial.hashes[index] = hash;
        },
        truncate: async (count) => {
          partial.chunks.length = count;
          partial.hashes.length = count;
        },
        close: async () => {
          const whole = new Uint8Array(await new Blob(partial.chunks as BlobPart[]).arrayBuffer());
          files.set(partial.info.path ?? partial.info.name, whole);
          partials.delete(partial.info.id);
          return null;
        },
        discard: async () => void partials.delete(partial.info.id),
      };
      return sink;
    },
    async list(): Promise<readonly PartialTransfer[]> {
      return [...partials.values()].map((p) => ({
        info: p.info,
        chunks: p.hashes.length,
        bytes: p.hashes.length * p.info.chunk,
        updatedAt: 0,
      }));
    },
    async discard(id) {
      partials.delete(id);
    },
  };
}
