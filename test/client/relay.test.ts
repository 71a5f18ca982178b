import { createHash } from 'node:crypto';
import type { PathInfo, RemotePeer, Room } from '@icebreaker/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIBDATACHANNEL, messages, NODE_STACKS, nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';
import { type Harness, metric, startHarness } from '../helpers/server.js';

/**
 * The relay rung with ICE really failing: `iceTransportPolicy: 'relay'` and no TURN server, so no
 * candidate is gathered at all and ICE cannot connect. The data then goes through the signaling
 * server, sealed end to end, with every API unchanged.
 */
const NO_PATH = { rtcConfiguration: { iceTransportPolicy: 'relay' as const }, relay: { afterMs: 300 } };

function pathOf(peer: RemotePeer, wanted: PathInfo['path']): Promise<PathInfo> {
  return new Promise((resolve) => {
    const off = peer.on('path', (info) => {
      if (info.path !== wanted) return;
      off();
      resolve(info);
    });
  });
}

function randomBlob(bytes: number): { blob: Blob; sha256: string } {
  const data = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65_536) crypto.getRandomValues(data.subarray(at, Math.min(at + 65_536, bytes)));
  return { blob: new Blob([data]), sha256: createHash('sha256').update(data).digest('hex') };
}

async function sha256Of(blob: Blob | null): Promise<string> {
  return createHash('sha256')
    .update(new Uint8Array(await (blob as Blob).arrayBuffer()))
    .digest('hex');
}

describe('the relay through the signaling server', () => {
  const t = serverPerTest();

  it.each(NODE_STACKS)(
    'carries messages both ways and a 50 MiB file, whole, when ICE cannot connect (%s)',
    async (_name, stack) => {
      const a = await nodePeer(t.h.server.signalingUrl, 'relay', { ...stack, ...NO_PATH });
      const b = await nodePeer(t.h.server.signalingUrl, 'relay', { ...stack, ...NO_PATH });
      t.sessions.push(a, b);
      const paths: Array<[string, PathInfo]> = [];
      for (const room of [a, b]) room.on('path', (peer, info) => paths.push([peer.id, info]));
      const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
      expect(toB.path).toBe('relay');
      expect(toA.path).toBe('relay');
      expect(toB.iceConnectionState).not.toMatch(/connected|completed/);
      // Each side says why, in words a user can act on.
      expect(paths.map(([, info]) => info.reason).join(' | ')).toMatch(/ICE/);

      const atA = messages(a, 3);
      const atB = messages(b, 3);
      for (const data of ['one', { two: 2 }, new Uint8Array(200_000).fill(9)]) {
        await toB.send(data);
        await toA.send(data);
      }
      for (const got of [await atA, await atB]) {
        expect(got.slice(0, 2)).toEqual(['one', { two: 2 }]);
        expect(new Uint8Array(got[2] as ArrayBuffer)).toEqual(new Uint8Array(200_000).fill(9));
      }

      const { blob, sha256 } = randomBlob(50 * 1024 * 1024);
      const arriving = new Promise<Blob | null>((resolve) => b.on('transfer', (_peer, transfer) => resolve(transfer.done)));
      const progress: number[] = [];
      const sent = toB.sendFile(Object.assign(blob, { name: 'big.bin' }), { onProgress: (p) => progress.push(p.bytes) });
      const [result, received] = await Promise.all([sent.done, arriving]);
      expect(result.root).toMatch(/^[0-9a-f]{64}$/);
      expect(await sha256Of(received)).toBe(sha256);
      expect(progress.at(-1)).toBe(50 * 1024 * 1024);
      // It went through the server: every byte of it, and a bit more (headers, tags, credit).
      expect(await metric(t.h.server, 'icebreaker_relayed_bytes_total')).toBeGreaterThan(50 * 1024 * 1024);
      expect(await metric(t.h.server, 'icebreaker_relays_active')).toBe(2);
    },
    120_000,
  );

  it('is not used when the application turns it off: ICE failing leaves the peer unconnected', async () => {
    const a = await nodePeer(t.h.server.signalingUrl, 'off', { ...LIBDATACHANNEL, ...NO_PATH, relay: false });
    const b = await nodePeer(t.h.server.signalingUrl, 'off', { ...LIBDATACHANNEL, ...NO_PATH, relay: false });
    t.sessions.push(a, b);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const room of [a, b])
      for (const peer of room.peers.values()) expect([peer.path, peer.channelState]).toEqual(['connecting', 'connecting']);
    expect(await metric(t.h.server, 'icebreaker_relayed_bytes_total')).toBe(0);
  });

  it('cancels a relayed transfer on both sides, and the relay carries on', async () => {
    const a = await nodePeer(t.h.server.signalingUrl, 'cancel', { ...LIBDATACHANNEL, ...NO_PATH });
    const b = await nodePeer(t.h.server.signalingUrl, 'cancel', { ...LIBDATACHANNEL, ...NO_PATH });
    t.sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const controller = new AbortController();
    const arriving = new Promise<{ done: Promise<Blob | null> }>((resolve) => b.on('transfer', (_peer, transfer) => resolve(transfer)));
    const sent = toB.sendFile(randomBlob(20 * 1024 * 1024).blob, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 2 * 1024 * 1024) controller.abort();
      },
    });
    await expect(sent.done).rejects.toMatchObject({ code: 'transfer-cancelled' });
    await expect((await arriving).done).rejects.toMatchObject({ code: 'transfer-cancelled' });
    const atB = messages(b, 1);
    await toB.send('still here');
    expect(await atB).toEqual(['still here']);
  }, 60_000);
});

describe('a peer that leaves in the middle of a relayed transfer', () => {
  const t = serverPerTest();

  it("leaves the sender's transfer interrupted, then failed in time, typed; the sender carries on with the next peer", async () => {
    // A peer that left may come back (a reloaded tab) and ask to resume: the transfer waits for it,
    // here 1 s, then fails.
    const a = await nodePeer(t.h.server.signalingUrl, 'leaving', { ...LIBDATACHANNEL, ...NO_PATH, transfers: { resumeWithinMs: 1000 } });
    const b = await nodePeer(t.h.server.signalingUrl, 'leaving', { ...LIBDATACHANNEL, ...NO_PATH });
    t.sessions.push(a);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    expect(toB.path).toBe('relay');
    let left = false;
    const sent = toB.sendFile(randomBlob(30 * 1024 * 1024).blob, {
      onProgress: (p) => {
        if (left || p.bytes < 4 * 1024 * 1024) return;
        left = true;
        b.close();
      },
    });
    const states: string[] = [];
    sent.on('state', (state) => states.push(state));
    await expect(sent.done).rejects.toMatchObject({ code: 'transfer-failed', message: expect.stringMatching(/not resumed within 1 s/) });
    expect(states).toEqual(['sending', 'interrupted', 'failed']);
    expect(toB.channelState).toBe('closed');
    // A third peer joins the room: the sender connects to it (over the relay too) and is heard.
    const c = await nodePeer(t.h.server.signalingUrl, 'leaving', { ...LIBDATACHANNEL, ...NO_PATH });
    t.sessions.push(c);
    const [toC] = await Promise.all([openPeer(a, c.peerId), openPeer(c, a.peerId)]);
    const atC = messages(c, 1);
    await toC.send('after the one who left');
    expect(await atC).toEqual(['after the one who left']);
  }, 60_000);
});

describe('the move from the relay to the direct path', () => {
  // The relay held to 2 MiB/s (the server's per-peer limit): the file is still mostly to come when
  // ICE connects, however long the restart takes on a loaded machine.
  const t: { h: Harness; sessions: Room[] } = { h: undefined as unknown as Harness, sessions: [] };
  beforeEach(async () => {
    t.h = await startHarness({ relayPeerBytesPerSecond: 2 * 1024 * 1024 });
  });
  afterEach(async () => {
    for (const room of t.sessions.splice(0)) room.close();
    await t.h.close();
  });

  it('happens in the middle of a transfer and of a stream of messages, losing and reordering nothing (@roamhq/wrtc)', async () => {
    // libwebrtc can change its ICE policy (setConfiguration) and restart: the relay-only policy with no
    // TURN fails for real, then `all` lets the host candidates connect.
    const a = await nodePeer(t.h.server.signalingUrl, 'upgrade', NO_PATH);
    const b = await nodePeer(t.h.server.signalingUrl, 'upgrade', NO_PATH);
    t.sessions.push(a, b);
    const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    expect(toB.path).toBe('relay');

    const { blob, sha256 } = randomBlob(40 * 1024 * 1024);
    const arriving = new Promise<Blob | null>((resolve) => b.on('transfer', (_peer, transfer) => resolve(transfer.done)));
    let upgradeAt = -1;
    let messagesAtUpgrade = -1;
    let i = 0;
    const upgrade = () => {
      for (const peer of [toB, toA]) {
        peer.pc.setConfiguration({ ...peer.pc.getConfiguration(), iceTransportPolicy: 'all' });
        peer.restartIce();
      }
    };
    const sent = toB.sendFile(blob, {
      onProgress: (p) => {
        // Once 8 MiB have gone over the relay, ICE may use host candidates: it connects, and everything moves.
        if (upgradeAt >= 0 || p.bytes < 2 * 1024 * 1024) return;
        upgradeAt = p.bytes;
        messagesAtUpgrade = i;
        upgrade();
      },
    });
    const count = 3000;
    const atB = messages(b, count);
    const atA = messages(a, count);
    const direct = Promise.all([pathOf(toB, 'direct'), pathOf(toA, 'direct')]);
    // Messages all along: before, during and after the move.
    for (; i < count; i++) {
      await Promise.all([toB.send({ i }), toA.send({ i })]);
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [infoB] = await direct;
    expect(infoB.pair?.local.type).toBe('host');
    const [result, received] = await Promise.all([sent.done, arriving]);
    // The file moved too: most of it went peer to peer.
    expect(await metric(t.h.server, 'icebreaker_relayed_bytes_total')).toBeLessThan(20 * 1024 * 1024);
    // The upgrade came while the file was under way, and it arrived whole.
    expect(upgradeAt).toBeGreaterThan(0);
    expect(upgradeAt).toBeLessThan(40 * 1024 * 1024);
    expect(messagesAtUpgrade).toBeGreaterThan(0);
    expect(messagesAtUpgrade).toBeLessThan(count);
    expect(result.root).toMatch(/^[0-9a-f]{64}$/);
    expect(await sha256Of(received)).toBe(sha256);
    const inOrder = Array.from({ length: count }, (_, i) => ({ i }));
    expect(await atB).toEqual(inOrder);
    expect(await atA).toEqual(inOrder);
    // After the move, messages go peer to peer: the server counts no more relayed bytes.
    const relayed = await metric(t.h.server, 'icebreaker_relayed_bytes_total');
    const after = messages(b, 1);
    await toB.send(new Uint8Array(1024 * 1024));
    await after;
    expect(await metric(t.h.server, 'icebreaker_relayed_bytes_total')).toBeLessThan(relayed + 64 * 1024);
    expect(await metric(t.h.server, 'icebreaker_relay_upgrades_total')).toBe(2);
  }, 120_000);
});
