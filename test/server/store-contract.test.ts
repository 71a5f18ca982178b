/**
 * The contract every RoomStore keeps (issue 10 §1), run against each store the server can have: this
 * process's memory, Redis behind one server node, and Redis shared by three nodes (the peers of a case
 * spread over them, so that every relay, hold and resume crosses nodes). The cases go through real
 * servers and real WebSocket clients: what is asserted is what a client sees.
 *
 * The single-node bounds with their exact texts are in caps.test.ts; here the same bounds are checked
 * as the service's, wherever its peers are.
 */

import { encodeRelayFrame } from '@icebreaker/protocol';
import type { StartOptions } from '@icebreaker/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../helpers/redis.js';
import { randomData, receiveRelayed, sendRelayed } from '../helpers/relay.js';
import { type Harness, metric, startHarness } from '../helpers/server.js';
import type { Frame } from '../helpers/socket.js';

const SETUPS = [
  { store: 'the memory store', nodes: 1, redis: false },
  { store: 'the Redis store, one node', nodes: 1, redis: true },
  { store: 'the Redis store, three nodes', nodes: 3, redis: true },
] as const;

const offer = (n = 0) => ({ kind: 'description', description: { type: 'offer', sdp: `v=0\r\n${'a'.repeat(n)}` } });
const candidate = (n: number) => ({ kind: 'candidate', candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${n} typ host` } });

describe.each(SETUPS)('$store', ({ nodes: count, redis: onRedis }) => {
  let redis: RedisServer | null = null;
  let running: Harness[] = [];

  beforeAll(async () => {
    if (onRedis) redis = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(running.map((h) => h.close()));
    running = [];
    // Each case starts from an empty Redis: no case sees what another left.
    if (redis) {
      await redis.kill();
      await redis.launch();
    }
  });
  afterAll(async () => {
    await redis?.kill();
  });

  /** Starts the setup's nodes with `options`; → the node the n-th peer of a case connects to. */
  async function service(options: StartOptions = {}): Promise<(n: number) => Harness> {
    running = await Promise.all(
      Array.from({ length: count }, () => startHarness({ ...options, ...(redis ? { redisUrl: redis.url } : {}) })),
    );
    return (n) => running[n % count] as Harness;
  }

  /** Waits until every node's `sample` adds up to `value` (a server sees a close a moment after the client). */
  async function waitForTotal(sample: string, value: number): Promise<void> {
    for (let tries = 0; tries < 300; tries++) {
      const values = await Promise.all(running.map((h) => metric(h.server, sample)));
      if (values.reduce((a, b) => a + b, 0) === value) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`${sample} never reached ${value}`);
  }

  it('rooms: the welcome lists the others in join order, peer-joined and peer-left reach the rest, rooms never mix', async () => {
    const node = await service({ roomCapacity: 3 });
    const a = await node(0).peer('r');
    const b = await node(1).peer('r', { name: 'Bo' });
    expect(b.welcome.peers).toEqual([{ id: a.id }]);
    expect(await a.socket.next()).toEqual({ type: 'peer-joined', peer: { id: b.id, name: 'Bo' } });
    const c = await node(2).peer('r');
    expect(c.welcome.peers).toEqual([{ id: a.id }, { id: b.id, name: 'Bo' }]);
    await Promise.all([a.socket.next(), b.socket.next()]);

    a.socket.send({ type: 'signal', id: 't', data: offer() });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'target-required', re: 't' });
    const elsewhere = await node(1).peer('other');
    elsewhere.socket.send({ type: 'signal', id: 'x', to: a.id, data: offer() });
    expect(await elsewhere.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer', re: 'x' });

    c.socket.send({ type: 'leave' });
    expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: c.id, reason: 'left' });
    expect(await b.socket.next()).toEqual({ type: 'peer-left', peerId: c.id, reason: 'left' });
    await c.socket.close();
    expect([a.socket.pending, b.socket.pending, elsewhere.socket.pending]).toEqual([[], [], []]);
  });

  it('capacity races: of 12 joins sent at once to a room of 3, exactly 3 get in', async () => {
    const node = await service({ roomCapacity: 3 });
    const sockets = await Promise.all(Array.from({ length: 12 }, (_, n) => node(n).socket()));
    for (const s of sockets) s.send({ type: 'join', id: 'j', protocol: 1, room: 'race' });
    const answers = await Promise.all(sockets.map((s) => s.next()));
    expect(answers.filter((f) => f.type === 'welcome')).toHaveLength(3);
    expect(answers.filter((f) => f.type === 'error' && f.code === 'room-full')).toHaveLength(9);
    const ids = answers.filter((f) => f.type === 'welcome').map((f) => f.peerId);
    expect(new Set(ids).size).toBe(3);
  });

  it('holds: what a lone peer sends reaches the next one, in order, after its welcome', async () => {
    const node = await service();
    const a = await node(0).peer('h');
    for (let n = 0; n < 5; n++) a.socket.send({ type: 'signal', seq: n, data: candidate(n) });
    // The signals are held once the server answers something sent after them.
    a.socket.send({ type: 'signal', id: 'probe', to: 'nobody', data: offer() });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer', re: 'probe' });
    const b = await node(1).peer('h');
    const held = await Promise.all([0, 1, 2, 3, 4].map(() => b.socket.next()));
    expect(held).toEqual([0, 1, 2, 3, 4].map((n) => ({ type: 'signal', from: a.id, seq: n, data: candidate(n) })));
  });

  it('holds expire: the sender is told how many were discarded, and a later peer gets none', async () => {
    const node = await service({ holdTtlMs: 200 });
    const a = await node(0).peer('e');
    a.socket.send({ type: 'signal', id: 'first', data: offer() });
    a.socket.send({ type: 'signal', id: 'second', data: offer() });
    expect(await a.socket.next()).toMatchObject({
      type: 'error',
      code: 'hold-expired',
      re: 'first',
      message: expect.stringContaining('2 held signals'),
    });
    const b = await node(1).peer('e');
    expect(await a.socket.next()).toEqual({ type: 'peer-joined', peer: { id: b.id } });
    b.socket.send({ type: 'signal', id: 'after', data: offer() });
    expect(await a.socket.next()).toMatchObject({ type: 'signal', from: b.id });
    expect(b.socket.pending).toEqual([]);
  });

  it('ordering: 300 signals from one peer to another arrive complete and in order', async () => {
    const node = await service({ rateMessagesPerSecond: 0, rateBytesPerSecond: 0 });
    const a = await node(0).peer('o');
    const b = await node(1).peer('o');
    await a.socket.next();
    for (let n = 0; n < 300; n++) a.socket.send({ type: 'signal', to: b.id, seq: n, data: candidate(n) });
    const seqs: unknown[] = [];
    for (let n = 0; n < 300; n++) seqs.push(((await b.socket.next()) as Frame & { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, n) => n));
  });

  it('resume: the current token takes the place back with what was queued, in order; a spent token brings nobody back', async () => {
    const node = await service({ resumeGraceMs: 10_000 });
    const a = await node(0).peer('z');
    const b = await node(1).peer('z');
    await a.socket.next();
    await b.socket.close();
    await waitForTotal('icebreaker_connections', 1);
    for (let n = 0; n < 3; n++) a.socket.send({ type: 'signal', seq: n, data: candidate(n) });

    const back = await node(2).socket();
    back.send({ type: 'join', protocol: 1, room: 'z', resume: b.welcome.resumeToken });
    const welcome = await back.next();
    expect(welcome).toMatchObject({ type: 'welcome', peerId: b.id, resumed: true, peers: [{ id: a.id }] });
    expect(welcome.resumeToken).not.toBe(b.welcome.resumeToken);
    expect(await Promise.all([0, 1, 2].map(() => back.next()))).toEqual(
      [0, 1, 2].map((n) => ({ type: 'signal', from: a.id, seq: n, data: candidate(n) })),
    );

    const again = await node(0).socket();
    again.send({ type: 'join', id: 'old', protocol: 1, room: 'z', resume: b.welcome.resumeToken });
    expect(await again.next()).toMatchObject({ type: 'error', code: 'resume-failed', re: 'old' });
    // The current token, used while its place is still attached, moves the place: the old connection ends.
    const moved = await node(1).socket();
    moved.send({ type: 'join', protocol: 1, room: 'z', resume: welcome.resumeToken });
    expect(await moved.next()).toMatchObject({ type: 'welcome', peerId: b.id, resumed: true });
    expect(await back.closed).toMatchObject({ code: 4000 });
    a.socket.send({ type: 'signal', seq: 9, data: candidate(9) });
    expect(await moved.next()).toMatchObject({ type: 'signal', from: a.id, seq: 9 });
    expect(a.socket.pending).toEqual([]);
  });

  it('park and reap: a dropped peer is kept for the grace, then the others hear it left and its token is worthless', async () => {
    const node = await service({ resumeGraceMs: 300 });
    const a = await node(0).peer('p');
    const b = await node(1).peer('p');
    await a.socket.next();
    b.socket.ws.terminate();
    expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: b.id, reason: 'closed' });
    const late = await node(2).socket();
    late.send({ type: 'join', id: 'late', protocol: 1, room: 'p', resume: b.welcome.resumeToken });
    expect(await late.next()).toMatchObject({ type: 'error', code: 'resume-failed', re: 'late' });
  });

  it('--max-rooms bounds the rooms of the whole service, whichever node opens them', async () => {
    const node = await service({ maxRooms: 2 });
    await node(0).peer('one');
    await node(1).peer('two');
    const third = await node(2).socket();
    third.send({ type: 'join', id: 'j', protocol: 1, room: 'three' });
    expect(await third.next()).toMatchObject({ type: 'error', code: 'server-full', re: 'j' });
    // An open room still takes peers.
    await node(2).peer('two');
  });

  it('--max-parked bounds the places kept for a resume across the service: beyond it a drop leaves at once', async () => {
    const node = await service({ maxParked: 1, resumeGraceMs: 10_000 });
    const a1 = await node(0).peer('p1');
    const b1 = await node(1).peer('p1');
    const a2 = await node(0).peer('p2');
    const b2 = await node(2).peer('p2');
    await Promise.all([a1.socket.next(), a2.socket.next()]);
    b1.socket.ws.terminate();
    await waitForTotal('icebreaker_connections', 3);
    // With Redis the count of parked places is the cluster's, read by each node at its heartbeat.
    await waitForTotal('icebreaker_parked_peers', count);
    b2.socket.ws.terminate();
    expect(await a2.socket.next()).toEqual({ type: 'peer-left', peerId: b2.id, reason: 'closed' });
    expect(a1.socket.pending).toEqual([]);
  });

  it('--max-queued-bytes bounds held signals of all rooms together: server-full beyond, free again once handed over', async () => {
    const node = await service({ maxQueuedBytes: 64 * 1024, holdMaxBytes: 48 * 1024 });
    const first = await node(0).peer('q1');
    first.socket.send({ type: 'signal', id: 1, data: offer(40_000) });
    const second = await node(1).peer('q2');
    second.socket.send({ type: 'signal', id: 2, data: offer(40_000) });
    expect(await second.socket.next()).toMatchObject({ type: 'error', code: 'server-full', re: 2 });
    const joiner = await node(2).peer('q1');
    expect(await joiner.socket.next()).toMatchObject({ type: 'signal', from: first.id });
    second.socket.send({ type: 'signal', id: 3, data: offer(40_000) });
    const joiner2 = await node(0).peer('q2');
    expect(await joiner2.socket.next()).toMatchObject({ type: 'signal', from: second.id });
    expect(await second.socket.next()).toEqual({ type: 'peer-joined', peer: { id: joiner2.id } });
  });

  it('relay: 24 MiB one way and 2 MiB the other, sent at once, arrive exact and in order between signals, wherever the peers are', async () => {
    // No rate: only the flow control keeps the node from taking in more than Redis and the receiver take.
    const node = await service({ relayPeerBytesPerSecond: 0, relayRoomBytesPerSecond: 0, relayServerBytesPerSecond: 0 });
    const a = await node(0).peer('relay');
    const b = await node(1).peer('relay');
    await a.socket.next();
    const ab = randomData(24 * 1024 * 1024);
    const ba = randomData(2 * 1024 * 1024);
    a.socket.send({ type: 'signal', to: b.id, seq: 0, data: candidate(0) });
    sendRelayed(a.socket, b.id, ab.data);
    a.socket.send({ type: 'signal', to: b.id, seq: 1, data: candidate(1) });
    sendRelayed(b.socket, a.id, ba.data);
    expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, seq: 0, data: candidate(0) });
    const [atB, atA] = await Promise.all([
      receiveRelayed(b.socket, a.id, ab.data.byteLength, 10_000),
      receiveRelayed(a.socket, b.id, ba.data.byteLength, 10_000),
    ]);
    expect(atB).toEqual({ sha256: ab.sha256, frames: 1536 });
    expect(atA).toEqual({ sha256: ba.sha256, frames: 128 });
    // The signal sent after the frames came after them.
    expect(b.socket.pending).toEqual([{ type: 'signal', from: a.id, seq: 1, data: candidate(1) }]);
    expect(a.socket.pending).toEqual([]);
    expect(await waitForTotal('icebreaker_relayed_bytes_total', ab.data.byteLength + ba.data.byteLength + 1664 * 18)).toBeUndefined();
  });

  it('relay: a peer of another room, one that does not exist, and a dropped one waiting to resume get unknown-peer; the frame goes nowhere', async () => {
    const node = await service({ resumeGraceMs: 10_000 });
    const a = await node(0).peer('mine');
    const b = await node(1).peer('mine');
    await a.socket.next();
    const outsider = await node(2).peer('theirs');
    outsider.socket.send(Buffer.from(encodeRelayFrame(a.id, Buffer.from('knock'))));
    expect(await outsider.socket.next()).toMatchObject({
      type: 'error',
      code: 'unknown-peer',
      message: expect.stringContaining('"theirs"'),
    });
    outsider.socket.send(Buffer.from(encodeRelayFrame('QUFBQUFBQUFBQUFB', Buffer.from('knock'))));
    expect(await outsider.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer' });
    await b.socket.close();
    await waitForTotal('icebreaker_connections', 2);
    a.socket.send(Buffer.from(encodeRelayFrame(b.id, Buffer.from('are you there'))));
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer', message: expect.stringContaining('may come back') });
    const back = await node(2).socket();
    await back.join('mine', { resume: b.welcome.resumeToken });
    a.socket.send(Buffer.from(encodeRelayFrame(b.id, Buffer.from('welcome back'))));
    expect((await back.nextBinary()).subarray(18).toString()).toBe('welcome back');
    expect([a.socket.binaryPending, back.binaryPending, back.pending]).toEqual([[], [], []]);
  });
});
