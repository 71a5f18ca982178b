import type { Session } from '@icebreaker/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messages, nodePeer, openPeer, signalingState, ufrag, until } from '../helpers/peers.js';
import { RedisServer } from '../helpers/redis.js';
import { ServerProcess } from '../helpers/server-process.js';

// A place outlives the server process that held it only in Redis: these servers are cluster nodes
// (an in-memory server that restarts has no places left, and refuses every resume).
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.kill();
});

describe('the signaling server dies mid-session', () => {
  const processes: ServerProcess[] = [];
  const sessions: Session[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    for (const p of processes.splice(0)) await p.kill();
  });

  it('both peers resume with the same ids, lose no signal, and the data channel carries on throughout', async () => {
    const args = ['--ice-servers', 'none', '--redis', redis.url, '--resume-grace', '30s'];
    const first = await ServerProcess.start(['--port', '0', ...args]);
    processes.push(first);
    const options = { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } };
    const a = await nodePeer(first.signalingUrl, 'outage', options);
    const b = await nodePeer(first.signalingUrl, 'outage', options);
    sessions.push(a, b);
    const [toB, toA] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    const ids = [a.id, b.id];

    // A stream of numbered messages over the data channel, before, during and after the outage.
    const received: number[] = [];
    let duringOutage = 0;
    b.on('message', (_peer, data) => {
      received.push(data as number);
      if (b.signalingState !== 'open') duringOutage++;
    });
    let sent = 0;
    const ticker = setInterval(() => void toB.send(sent++), 20);

    await first.kill();
    await Promise.all([signalingState(a, 'reconnecting'), signalingState(b, 'reconnecting')]);
    // Negotiate while the server is gone: these signals must wait, not vanish.
    const before = [ufrag(toB.pc.localDescription), ufrag(toA.pc.localDescription)];
    toB.restartIce();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const second = await ServerProcess.start(['--port', String(first.port), ...args]);
    processes.push(second);
    await Promise.all([signalingState(a, 'open'), signalingState(b, 'open')]);
    expect([a.id, b.id]).toEqual(ids);
    expect(a.peers.get(b.id)).toBe(toB);

    // The offer made during the outage reached b after the resume, and its answer came back.
    await until(toB, () => ufrag(toB.pc.localDescription) !== before[0] && toB.signalingState === 'stable');
    await until(toA, () => ufrag(toA.pc.localDescription) !== before[1]);
    expect(ufrag(toB.pc.remoteDescription)).toBe(ufrag(toA.pc.localDescription));

    clearInterval(ticker);
    await toB.send(-1);
    await new Promise<void>((resolve) => {
      if (received.includes(-1)) resolve();
      else b.on('message', (_p, data) => data === -1 && resolve());
    });
    const numbers = received.filter((n) => n >= 0);
    expect(numbers).toEqual([...Array(numbers.length).keys()]);
    expect(duringOutage).toBeGreaterThan(0);
  }, 60_000);
});

describe('the signaling server drains (SIGTERM) for a deploy', () => {
  const processes: ServerProcess[] = [];
  const sessions: Session[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    for (const p of processes.splice(0)) await p.kill();
  });

  it('clients leave on going-away, the old node exits 0, and they resume on the next node with the same ids', async () => {
    const args = ['--ice-servers', 'none', '--redis', redis.url, '--resume-grace', '30s', '--drain-timeout', '20s'];
    const old = await ServerProcess.start(['--port', '0', ...args]);
    processes.push(old);
    const options = { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } };
    const a = await nodePeer(old.signalingUrl, 'deploy', options);
    const b = await nodePeer(old.signalingUrl, 'deploy', options);
    sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    const ids = [a.id, b.id];

    // The old node exits as soon as both clients have left by themselves: well before its 20 s bound.
    const started = Date.now();
    expect(await old.terminate()).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect([a.signalingState, b.signalingState]).toEqual(['reconnecting', 'reconnecting']);

    const next = await ServerProcess.start(['--port', String(old.port), ...args]);
    processes.push(next);
    await Promise.all([signalingState(a, 'open'), signalingState(b, 'open')]);
    expect([a.id, b.id]).toEqual(ids);

    // Signaling works on the new node (an ICE restart negotiates through it), and data still flows.
    const before = ufrag(toB.pc.localDescription);
    toB.restartIce();
    await until(toB, () => ufrag(toB.pc.localDescription) !== before && toB.signalingState === 'stable');
    const got = messages(b, 1);
    await toB.send('after the deploy');
    expect(await got).toEqual(['after the deploy']);
  }, 60_000);
});
