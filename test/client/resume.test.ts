import { join } from 'node:path';
import type { IncomingTransfer, Room, TransferResumed } from '@icebreaker/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileSink, fileSource, randomFile, scratch, sha256OfFile } from '../helpers/files.js';
import { NODE_STACKS, nodePeer, openPeer, signalingState } from '../helpers/peers.js';
import { RedisServer } from '../helpers/redis.js';
import { ServerProcess } from '../helpers/server-process.js';

/**
 * Transfers cut for real, between Node peers on real WebRTC through a real server process: the
 * server killed and restarted mid-file (its rooms live in Redis), the peer connection closed
 * mid-file (the room makes a new one), the relay through the server failing mid-file. Each time what
 * lands has the source's SHA-256, and after a cut the transfer picks up where the receiver was.
 */
const MiB = 1024 * 1024;
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.kill();
});

function nextTransfer(session: Room): Promise<IncomingTransfer> {
  return new Promise((resolve) => {
    const off = session.on('transfer', (_peer, transfer) => {
      off();
      resolve(transfer);
    });
  });
}

async function reached(transfer: IncomingTransfer, bytes: number): Promise<void> {
  while (transfer.transferred < bytes && !transfer.finished) await new Promise((resolve) => setTimeout(resolve, 5));
}

function cutTests(_stack: string, stack: object, withRelay: boolean) {
  const processes: ServerProcess[] = [];
  const sessions: Room[] = [];
  let files: Awaited<ReturnType<typeof scratch>>;
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    for (const p of processes.splice(0)) await p.kill();
    await files?.dispose();
  });

  async function setup(extraArgs: string[] = [], options: object = {}) {
    const args = ['--ice-servers', 'none', '--redis', redis.url, '--resume-grace', '30s', ...extraArgs];
    const server = await ServerProcess.start(['--port', '0', ...args]);
    processes.push(server);
    const room = `cut-${Math.random().toString(36).slice(2, 8)}`;
    const common = { reconnect: { initialDelayMs: 100, maxDelayMs: 400 }, ...stack, ...options };
    const a = await nodePeer(server.signalingUrl, room, common);
    const b = await nodePeer(server.signalingUrl, room, common);
    sessions.push(a, b);
    files = await scratch();
    return { server, args, a, b };
  }

  it('keeps going while the server is killed and restarted, and through an ICE restart', async () => {
    const { server, args, a, b } = await setup();
    const source = join(files.dir, 'source.bin');
    const target = join(files.dir, 'target.bin');
    const digest = await randomFile(source, 64 * MiB);
    const toB = await openPeer(a, b.peerId);
    const arriving = nextTransfer(b);
    const out = toB.sendFile(await fileSource(source, 'source.bin'));
    const incoming = await arriving;
    incoming.accept(fileSink(target));
    await reached(incoming, (8 + Math.random() * 16) * MiB);
    await server.kill();
    await Promise.all([signalingState(a, 'reconnecting'), signalingState(b, 'reconnecting')]);
    const second = await ServerProcess.start(['--port', String(server.port), ...args]);
    processes.push(second);
    await Promise.all([signalingState(a, 'open'), signalingState(b, 'open')]);
    if (_stack === '@roamhq/wrtc') toB.restartIce();
    await Promise.all([out.done, incoming.done]);
    expect(await sha256OfFile(target)).toBe(digest);
  }, 120_000);

  it('resumes on the new peer connection after the old one is closed mid-file, from the first chunk not stored', async () => {
    const { a, b } = await setup();
    const source = join(files.dir, 'source.bin');
    const digest = await randomFile(source, 64 * MiB);
    const toB = await openPeer(a, b.peerId);
    const arriving = nextTransfer(b);
    const out = toB.sendFile(await fileSource(source, 'source.bin'));
    const incoming = await arriving;
    const resumed: TransferResumed[] = [];
    incoming.on('resumed', (r) => resumed.push(r));
    const sentResumed: TransferResumed[] = [];
    out.on('resumed', (r) => sentResumed.push(r));
    await reached(incoming, (8 + Math.random() * 24) * MiB);
    const cutAt = incoming.transferred;
    // One side's connection dies for good; both stay in the room.
    toB.pc.close();
    const [, blob] = await Promise.all([out.done, incoming.done]);
    const received = new Uint8Array(await (blob as Blob).arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(received).digest('hex')).toBe(digest);
    // A new connection to the same peer carried the rest, from where the receiver was.
    expect(b.peers.get(a.peerId)?.generation).toBeGreaterThan(0);
    // Once, unless the new connection itself dropped on a loaded machine: each time from where B was.
    expect(resumed.length, JSON.stringify(resumed)).toBeGreaterThanOrEqual(1);
    expect(resumed[0]?.at).toBeGreaterThanOrEqual(cutAt);
    expect(resumed.every((r) => r.reason === 'the connection dropped and came back')).toBe(true);
    expect(sentResumed.map((r) => r.at)).toContain(resumed[0]?.at);
  }, 120_000);
  if (withRelay)
    // node-datachannel's polyfill ignores iceTransportPolicy 'relay': only libwebrtc can be forced onto the relay.
    it('resumes after the relay through the server fails mid-file (the server is killed)', async () => {
      const { server, args, a, b } = await setup(['--relay', 'on'], {
        rtcConfiguration: { iceTransportPolicy: 'relay' },
        relay: { afterMs: 0 },
      });
      const data = new Uint8Array(24 * MiB);
      for (let at = 0; at < data.byteLength; at += 65_536) crypto.getRandomValues(data.subarray(at, at + 65_536));
      const { createHash } = await import('node:crypto');
      const digest = createHash('sha256').update(data).digest('hex');
      const toB = await openPeer(a, b.peerId);
      expect(toB.path).toBe('relay');
      const arriving = nextTransfer(b);
      const out = toB.sendFile(Object.assign(new Blob([data]), { name: 'relayed.bin' }));
      const incoming = await arriving;
      const resumed: TransferResumed[] = [];
      incoming.on('resumed', (r) => resumed.push(r));
      await reached(incoming, 4 * MiB);
      await server.kill();
      const second = await ServerProcess.start(['--port', String(server.port), ...args]);
      processes.push(second);
      const [, blob] = await Promise.all([out.done, incoming.done]);
      expect(
        createHash('sha256')
          .update(new Uint8Array(await (blob as Blob).arrayBuffer()))
          .digest('hex'),
      ).toBe(digest);
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      expect(resumed[0]?.at).toBeGreaterThanOrEqual(4 * MiB);
    }, 120_000);
}

describe.each(NODE_STACKS)('a file cut mid-way between Node peers (%s)', (name, stack) => cutTests(name, stack, name === '@roamhq/wrtc'));
