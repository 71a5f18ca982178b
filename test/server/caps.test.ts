import type { StartOptions } from '@icebreaker/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, metric, STORES, serverOnStore, startHarness } from '../helpers/server.js';
import type { Frame, TestSocket } from '../helpers/socket.js';

const offer = (bytes: number) => ({ kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(bytes) } });

/**
 * The server-wide caps of issue "field defects" B4/B5: rooms, parked places and waiting bytes, each
 * refused with a typed answer beyond its flag; and what one address may hold (its parked places count
 * against its slots; its spent rate limit is not reset by reconnecting). In memory and on Redis alike.
 */
describe.each(STORES)('server-wide caps (%s)', (_name, onRedis) => {
  let h: Harness;
  const store = serverOnStore(onRedis, { rateMessagesPerSecond: 0, rateBytesPerSecond: 0 }, true);
  const start = async (options: StartOptions = {}) => {
    h = await store.start(options);
    return h;
  };

  it('--max-rooms: a join that would open one more room gets server-full; joining an open room still works', async () => {
    await start({ maxRooms: 2 });
    const one = await h.peer('one');
    const two = await h.peer('two');
    const third = await h.socket();
    third.send({ type: 'join', id: 'j', protocol: 1, room: 'three' });
    expect(await third.next()).toMatchObject({ type: 'error', code: 'server-full', re: 'j' });
    expect((await h.peer('one')).welcome.peers).toEqual([{ id: one.id }]);
    // A room that empties makes room for another (once the server has seen the close).
    await two.socket.close();
    let answer: Frame = { type: 'none' };
    for (let tries = 0; tries < 50 && answer.type !== 'welcome'; tries++) {
      third.send({ type: 'join', id: 'j', protocol: 1, room: 'three' });
      answer = await third.next();
    }
    expect(answer.type).toBe('welcome');
  });

  it('--max-parked: beyond it a dropped peer leaves at once (peer-left), within it the place is kept', async () => {
    await start({ maxParked: 1, resumeGraceMs: 10_000 });
    const [a1, b1] = [await h.peer('p1'), await h.peer('p1')];
    const [a2, b2] = [await h.peer('p2'), await h.peer('p2')];
    await Promise.all([a1.socket.next(), a2.socket.next()]);
    b1.socket.ws.terminate();
    await b1.socket.closed;
    // The first drop is parked: a1 hears nothing; once the server has seen it go, b2 drops too.
    await waitForMetric(h, 'icebreaker_connections', 3);
    b2.socket.ws.terminate();
    expect(await a2.socket.next()).toEqual({ type: 'peer-left', peerId: b2.id, reason: 'closed' });
    expect(a1.socket.pending).toEqual([]);
    const back = await h.socket();
    back.send({ type: 'join', protocol: 1, room: 'p1', resume: b1.welcome.resumeToken });
    expect(await back.next()).toMatchObject({ type: 'welcome', peerId: b1.id, resumed: true });
  });

  it('--max-queued-bytes: held and queued signals of all rooms together stay under it (server-full beyond)', async () => {
    await start({ maxQueuedBytes: 64 * 1024, holdMaxBytes: 48 * 1024, resumeGraceMs: 10_000 });
    const first = await h.peer('held-1');
    first.socket.send({ type: 'signal', id: 1, data: offer(40_000) });
    const second = await h.peer('held-2');
    second.socket.send({ type: 'signal', id: 2, data: offer(40_000) });
    expect(await second.socket.next()).toMatchObject({ type: 'error', code: 'server-full', re: 2 });
    // The first hold is handed over when a peer joins: its bytes are free again.
    const joiner = await h.peer('held-1');
    expect(await joiner.socket.next()).toMatchObject({ type: 'signal', from: first.id });
    expect(await first.socket.next()).toEqual({ type: 'peer-joined', peer: { id: joiner.id } });
    second.socket.send({ type: 'signal', id: 3, data: offer(40_000) });
    const joiner2 = await h.peer('held-2');
    expect(await joiner2.socket.next()).toMatchObject({ type: 'signal', from: second.id });
    expect(await second.socket.next()).toEqual({ type: 'peer-joined', peer: { id: joiner2.id } });
    expect(second.socket.pending).toEqual([]);

    // A resume queue counts too: a parked peer's queue may not take what the budget has not.
    joiner.socket.ws.terminate();
    await joiner.socket.closed;
    await waitForMetric(h, 'icebreaker_connections', 3);
    first.socket.send({ type: 'signal', id: 4, to: joiner.id, data: offer(30_000) });
    const third = await h.peer('held-3');
    third.socket.send({ type: 'signal', id: 5, data: offer(40_000) });
    expect(await third.socket.next()).toMatchObject({ type: 'error', code: 'server-full', re: 5 });
    expect(first.socket.pending).toEqual([]);
  });

  it('parked places count against the address that parked them: beyond its allowance a drop leaves at once', async () => {
    await start({ maxConnectionsPerIp: 4, resumeGraceMs: 10_000 });
    const watcher = await h.peer('churn');
    const dropped = [];
    for (let i = 0; i < 4; i++) {
      const peer = await h.peer(`churn-${i}`);
      peer.socket.ws.terminate();
      await peer.socket.closed;
      dropped.push(peer);
    }
    // Four places parked, and no connection open but the watcher's: the address may still connect,
    // but the next place it drops is not kept.
    const fifth = await h.peer('churn');
    expect(await watcher.socket.next()).toEqual({ type: 'peer-joined', peer: { id: fifth.id } });
    await waitForMetric(h, 'icebreaker_connections', 2);
    fifth.socket.ws.terminate();
    expect(await watcher.socket.next()).toEqual({ type: 'peer-left', peerId: fifth.id, reason: 'closed' });
    // The parked ones are still there to be taken back, from the same address; that frees an allowance.
    const first = dropped[0] as (typeof dropped)[number];
    const socket = await h.socket();
    socket.send({ type: 'join', protocol: 1, room: 'churn-0', resume: first.welcome.resumeToken });
    expect(await socket.next()).toMatchObject({ type: 'welcome', peerId: first.id });
    const sixth = await h.peer('churn');
    expect(await watcher.socket.next()).toEqual({ type: 'peer-joined', peer: { id: sixth.id } });
    sixth.socket.ws.terminate();
    await sixth.socket.closed;
    // Parked this time: the watcher hears nothing while the grace runs.
    await waitForMetric(h, 'icebreaker_connections', 2);
    expect(watcher.socket.pending).toEqual([]);
  });
});

describe('rate limits an address cannot reset by reconnecting', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('a new connection of an address that spent its burst starts with a join, not a fresh burst', async () => {
    h = await startHarness({ rateMessagesPerSecond: 10, rateBytesPerSecond: 0 });
    const spender = await h.peer('spent');
    // 40 is the burst (4 s of 10/s): all but the join's share pass, then the rest is dropped.
    for (let i = 0; i < 60; i++) spender.socket.send({ type: 'signal', data: { kind: 'end-of-candidates' } });
    expect(await nextError(spender.socket)).toBe('rate-limited');
    await spender.socket.close();

    const again = await h.peer('spent-again');
    for (let i = 0; i < 10; i++) again.socket.send({ type: 'signal', data: { kind: 'end-of-candidates' } });
    expect(await nextError(again.socket)).toBe('rate-limited');

    // Another server, same client: ten at once are nothing for a fresh connection.
    const fresh = await startHarness({ rateMessagesPerSecond: 10, rateBytesPerSecond: 0 });
    try {
      const peer = await fresh.peer('fresh');
      for (let i = 0; i < 10; i++) peer.socket.send({ type: 'signal', id: i, data: { kind: 'end-of-candidates' } });
      peer.socket.send({ type: 'leave' });
      peer.socket.send({ type: 'leave', id: 'done' });
      expect(await nextError(peer.socket)).toBe('not-joined');
    } finally {
      await fresh.close();
    }
  });
});

describe.each(STORES)('names that are not well-formed UTF-16 (%s)', (_name, onRedis) => {
  const store = serverOnStore(onRedis, {});
  it('get invalid-message, not unavailable', async () => {
    const socket = await (await store.start()).socket();
    for (const name of ['\ud800', 'a\udc00b', '\udbff\ud800']) {
      socket.send(`{"type":"join","protocol":1,"room":"utf","name":${JSON.stringify(name)}}`);
      expect(await socket.next()).toMatchObject({ type: 'error', code: 'invalid-message' });
    }
    // A real pair (an emoji) is fine.
    expect((await socket.join('utf', { name: 'ice \ud83e\uddca' })).type).toBe('welcome');
  });
});

async function nextError(socket: TestSocket): Promise<unknown> {
  for (;;) {
    const frame = await socket.next();
    if (frame.type === 'error') return frame.code;
  }
}

async function waitForMetric(h: Harness, sample: string, value: number): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if ((await metric(h.server, sample)) === value) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${sample} never reached ${value}`);
}
