import type { Session } from '@icebreaker/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messages, nodePeer, openPeer } from '../helpers/peers.js';
import { RedisServer } from '../helpers/redis.js';
import { type Harness, startHarness } from '../helpers/server.js';
import type { TestSocket } from '../helpers/socket.js';

const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };

describe('three nodes on one Redis', () => {
  let redis: RedisServer;
  let nodes: Harness[];
  const sessions: Session[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    nodes = await Promise.all(
      [0, 1, 2].map(() =>
        startHarness({ redisUrl: redis.url, roomCapacity: 3, rateMessagesPerSecond: 0, rateBytesPerSecond: 0, resumeGraceMs: 10_000 }),
      ),
    );
  });
  afterEach(() => {
    for (const s of sessions.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await redis.kill();
  });

  it('lets peers on different nodes see each other, in join order, and relays between them', async () => {
    const [a, b, c] = nodes as [Harness, Harness, Harness];
    const first = await a.peer('spread');
    const second = await b.peer('spread');
    expect(second.welcome.peers).toEqual([{ id: first.id }]);
    expect(await first.socket.next()).toEqual({ type: 'peer-joined', peer: { id: second.id } });
    const third = await c.peer('spread', { name: 'Cy' });
    expect((third.welcome.peers as Array<{ id: string }>).map((p) => p.id)).toEqual([first.id, second.id]);
    expect(await first.socket.next()).toEqual({ type: 'peer-joined', peer: { id: third.id, name: 'Cy' } });
    expect(await second.socket.next()).toEqual({ type: 'peer-joined', peer: { id: third.id, name: 'Cy' } });

    first.socket.send({ type: 'signal', to: third.id, data: offer });
    expect(await third.socket.next()).toEqual({ type: 'signal', from: first.id, data: offer });
    third.socket.send({ type: 'signal', to: second.id, seq: 4, data: offer });
    expect(await second.socket.next()).toEqual({ type: 'signal', from: third.id, seq: 4, data: offer });

    // Three in the room: a signal must name its target.
    first.socket.send({ type: 'signal', id: 'which', data: offer });
    expect(await first.socket.next()).toMatchObject({ type: 'error', code: 'target-required', re: 'which' });

    await second.socket.send({ type: 'leave' });
    expect(await first.socket.next()).toEqual({ type: 'peer-left', peerId: second.id, reason: 'left' });
    expect(await third.socket.next()).toEqual({ type: 'peer-left', peerId: second.id, reason: 'left' });
  });

  it('never relays across rooms: a peer of another room is unknown, wherever it is', async () => {
    const [a, b] = nodes as [Harness, Harness];
    const here = await a.peer('room-one');
    const there = await b.peer('room-two');
    here.socket.send({ type: 'signal', id: 9, to: there.id, data: offer });
    expect(await here.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer', re: 9 });
    expect(there.socket.pending).toEqual([]);
  });

  it('holds an offer sent to an empty room on one node for the peer that joins on another', async () => {
    const [a, b] = nodes as [Harness, Harness];
    const caller = await a.peer('held');
    caller.socket.send({ type: 'signal', data: offer });
    const callee = await b.peer('held');
    expect(await callee.socket.next()).toEqual({ type: 'signal', from: caller.id, data: offer });
  });

  it('gives the last place of a room to exactly one of two peers racing for it on two nodes', async () => {
    const [a, b, c] = nodes as [Harness, Harness, Harness];
    for (let round = 0; round < 20; round++) {
      const room = `race-${round}`;
      await a.peer(room);
      await a.peer(room);
      const [x, y] = [await b.socket(), await c.socket()];
      for (const s of [x, y]) s.send({ type: 'join', protocol: 1, room });
      const got = await Promise.all([x, y].map((s) => firstAnswer(s)));
      expect(got.sort()).toEqual(['room-full', 'welcome']);
    }
  });

  it('keeps the order of signals between two peers on different nodes under load', async () => {
    const [a, b] = nodes as [Harness, Harness];
    const sender = await a.peer('order');
    const receiver = await b.peer('order');
    await sender.socket.next();
    const count = 2000;
    for (let seq = 0; seq < count; seq++) sender.socket.send({ type: 'signal', data: { kind: 'ack', seq } });
    const got: number[] = [];
    while (got.length < count) {
      const frame = await receiver.socket.next();
      if (frame.type === 'signal') got.push((frame.data as { seq: number }).seq);
    }
    expect(got).toEqual([...Array(count).keys()]);
  });

  it('queues in Redis what is sent to a dropped peer, and hands it over, in order, when it resumes on another node', async () => {
    const [a, b, c] = nodes as [Harness, Harness, Harness];
    const x = await a.peer('queued');
    const y = await b.peer('queued');
    await x.socket.next();
    await x.socket.close();
    for (let seq = 0; seq < 5; seq++) y.socket.send({ type: 'signal', to: x.id, data: { kind: 'ack', seq } });
    y.socket.send({ type: 'signal', id: 'probe', to: 'nobody', data: offer });
    expect(await y.socket.next()).toMatchObject({ code: 'unknown-peer', re: 'probe' });
    const back = await c.socket();
    const welcome = await back.join('queued', { resume: x.welcome.resumeToken });
    expect(welcome).toMatchObject({ peerId: x.id, resumed: true, peers: [{ id: y.id }] });
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push(((await back.next()).data as { seq: number }).seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
    expect(y.socket.pending).toEqual([]);
  });

  it('closes the old connection (4000) when a peer resumes on another node while it still looks attached', async () => {
    const [a, b] = nodes as [Harness, Harness];
    const x = await a.peer('moved');
    const again = await b.socket();
    expect(await again.join('moved', { resume: x.welcome.resumeToken })).toMatchObject({ peerId: x.id, resumed: true });
    expect((await x.socket.closed).code).toBe(4000);
  });

  it('connects WebRTC peers through different nodes: data crosses', async () => {
    const [a, , c] = nodes as [Harness, Harness, Harness];
    const left = await nodePeer(a.server.signalingUrl, 'webrtc');
    const right = await nodePeer(c.server.signalingUrl, 'webrtc');
    sessions.push(left, right);
    const [toRight] = await Promise.all([openPeer(left, right.id), openPeer(right, left.id)]);
    const got = messages(right, 1);
    await toRight.send('across nodes');
    expect(await got).toEqual(['across nodes']);
  });
});

/** The answer to a join just sent: 'welcome' or the error code. */
async function firstAnswer(socket: TestSocket): Promise<string> {
  const frame = await socket.next();
  return frame.type === 'welcome' ? 'welcome' : String(frame.code);
}

describe('a hold that expires in a cluster', () => {
  it('tells the sender, on its node, that no peer came in time', async () => {
    const redis = await RedisServer.start();
    const nodes = await Promise.all([0, 1].map(() => startHarness({ redisUrl: redis.url, holdTtlMs: 300 })));
    try {
      const [a, b] = nodes as [Harness, Harness];
      const caller = await a.peer('late');
      caller.socket.send({ type: 'signal', id: 'first', data: offer });
      caller.socket.send({ type: 'signal', id: 'second', data: offer });
      expect(await caller.socket.next()).toMatchObject({
        type: 'error',
        code: 'hold-expired',
        re: 'first',
        message: expect.stringContaining('2 held signals'),
      });
      // Nothing is left for a peer that comes now.
      const late = await b.peer('late');
      late.socket.send({ type: 'signal', id: 'probe', to: 'nobody', data: offer });
      expect(await late.socket.next()).toMatchObject({ code: 'unknown-peer', re: 'probe' });
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await redis.kill();
    }
  });
});
