import { createHash } from 'node:crypto';
import type { Room } from '@icebreaker/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIBDATACHANNEL, messages, nodePeer, openPeer } from '../helpers/peers.js';
import { RedisServer } from '../helpers/redis.js';
import { type Harness, metric, startHarness } from '../helpers/server.js';

/**
 * Two library peers on two server nodes that share a real redis-server, with ICE unable to connect
 * (TURN candidates only, no TURN server): their data goes through both nodes and Redis, sealed.
 */
describe('the relay between peers on two nodes of a cluster', () => {
  let redis: RedisServer;
  let nodes: [Harness, Harness];
  const rooms: Room[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    nodes = (await Promise.all([0, 1].map(() => startHarness({ redisUrl: redis.url })))) as [Harness, Harness];
  });
  afterEach(() => {
    for (const room of rooms.splice(0)) room.close();
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await redis.kill();
  });

  it('carries messages and a 10 MiB file whole from one node to the other', async () => {
    const options = { ...LIBDATACHANNEL, rtcConfiguration: { iceTransportPolicy: 'relay' as const }, relay: { afterMs: 300 } };
    const a = await nodePeer(nodes[0].server.signalingUrl, 'across', options);
    const b = await nodePeer(nodes[1].server.signalingUrl, 'across', options);
    rooms.push(a, b);
    const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    expect([toB.path, toA.path]).toEqual(['relay', 'relay']);
    const atA = messages(a, 100);
    for (let i = 0; i < 100; i++) await toA.send({ i });
    expect(await atA).toEqual(Array.from({ length: 100 }, (_, i) => ({ i })));

    const data = new Uint8Array(10 * 1024 * 1024);
    for (let at = 0; at < data.byteLength; at += 65_536) crypto.getRandomValues(data.subarray(at, at + 65_536));
    const sha256 = createHash('sha256').update(data).digest('hex');
    const arriving = new Promise<Blob | null>((resolve) => b.on('transfer', (_peer, transfer) => resolve(transfer.done)));
    const [sent, blob] = await Promise.all([toB.sendFile(new Blob([data])).done, arriving]);
    expect(sent.root).toMatch(/^[0-9a-f]{64}$/);
    expect(
      createHash('sha256')
        .update(new Uint8Array(await (blob as Blob).arrayBuffer()))
        .digest('hex'),
    ).toBe(sha256);
    // Each node counts what its own clients sent it to relay: both carried some.
    expect(await metric(nodes[0].server, 'icebreaker_relayed_bytes_total')).toBeGreaterThan(10 * 1024 * 1024);
    expect(await metric(nodes[1].server, 'icebreaker_relayed_bytes_total')).toBeGreaterThan(0);
  }, 120_000);
});
