import type { Session } from '@icebreaker/client';
import { afterEach, describe, expect, it } from 'vitest';
import { Balancer } from '../helpers/balancer.js';
import { messages, nodePeer, openPeer, signalingState, ufrag, until } from '../helpers/peers.js';
import { RedisServer } from '../helpers/redis.js';
import { ServerProcess } from '../helpers/server-process.js';
import { type Frame, TestSocket, upgradeStatus } from '../helpers/socket.js';

const SECRET = 'cluster-failover-secret-0123456789';

/** Records the ids of the peers `session` is told have left. */
function peerLeft(session: Session): { left: string[] } {
  const seen = { left: [] as string[] };
  session.on('peer-left', (peer) => seen.left.push(peer.id));
  return seen;
}

describe('a cluster node or Redis dies mid-session', () => {
  const cleanup: Array<() => Promise<void>> = [];
  const sessions: Session[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  /** Redis, two node processes on it (with `extra` flags) and a balancer in front of them, all stopped after the test. */
  async function cluster(extra: string[] = []): Promise<{ redis: RedisServer; a: ServerProcess; b: ServerProcess; balancer: Balancer }> {
    const redis = await RedisServer.start();
    cleanup.push(() => redis.kill());
    const args = [
      '--port',
      '0',
      '--redis',
      redis.url,
      '--ice-servers',
      'none',
      '--resume-secret',
      SECRET,
      '--node-timeout',
      '2s',
      ...extra,
    ];
    const a = await ServerProcess.start(args);
    cleanup.push(() => a.kill());
    const b = await ServerProcess.start(args);
    cleanup.push(() => b.kill());
    const balancer = await Balancer.start([a.port, b.port]);
    cleanup.push(() => balancer.close());
    return { redis, a, b, balancer };
  }

  it('kill -9 of a node: its peer resumes on another node with its id, loses no signal, and nobody saw it leave', async () => {
    const { a, b, balancer } = await cluster();
    const options = { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } };
    // x reaches node A through the balancer; y is on node B.
    const x = await nodePeer(balancer.signalingUrl, 'failover', options);
    const y = await nodePeer(b.signalingUrl, 'failover', options);
    sessions.push(x, y);
    const [toY, toX] = await Promise.all([openPeer(x, y.id), openPeer(y, x.id)]);
    const ids = [x.id, y.id];
    const departures = peerLeft(y);

    const received: number[] = [];
    y.on('message', (_peer, data) => received.push(data as number));
    let sent = 0;
    const ticker = setInterval(() => void toY.send(sent++), 20);

    await a.kill();
    await signalingState(x, 'reconnecting');
    // Renegotiate while x has no signaling: its offer must reach y through node B once x is back.
    const before = [ufrag(toY.pc.localDescription), ufrag(toX.pc.localDescription)];
    toY.restartIce();
    await signalingState(x, 'open');
    expect([x.id, y.id]).toEqual(ids);
    await until(toY, () => ufrag(toY.pc.localDescription) !== before[0] && toY.signalingState === 'stable');
    await until(toX, () => ufrag(toX.pc.localDescription) !== before[1]);

    clearInterval(ticker);
    const last = messages(y, 1);
    await toY.send(-1);
    await last;
    const numbers = received.filter((n) => n >= 0);
    expect(numbers).toEqual([...Array(numbers.length).keys()]);
    expect(departures.left).toEqual([]);
  }, 60_000);

  it('kill -9 of a node whose peer does not come back: the others get peer-left once the node timeout and the grace are over', async () => {
    const { a, b } = await cluster(['--resume-grace', '1s']);
    const gone = await TestSocket.open(a.signalingUrl);
    const { peerId } = await gone.join('abandoned');
    const stays = await TestSocket.open(b.signalingUrl);
    await stays.join('abandoned');
    cleanup.push(() => stays.close());
    await a.kill();
    const started = Date.now();
    let frame: Frame | undefined;
    while (frame?.type !== 'peer-left' && Date.now() - started < 20_000) frame = await stays.next().catch(() => undefined);
    expect(frame).toEqual({ type: 'peer-left', peerId, reason: 'timeout' });
  }, 30_000);

  it('Redis restarted empty: nodes stop accepting while it is gone, then recover, and sessions carry on', async () => {
    const { redis, a, b } = await cluster();
    const options = { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } };
    const x = await nodePeer(a.signalingUrl, 'restart', options);
    const y = await nodePeer(b.signalingUrl, 'restart', options);
    sessions.push(x, y);
    const [toY, toX] = await Promise.all([openPeer(x, y.id), openPeer(y, x.id)]);

    await redis.kill();
    await expect.poll(async () => (await fetch(new URL('/readyz', a.url))).status, { timeout: 10_000 }).toBe(503);
    expect(await (await fetch(new URL('/readyz', a.url))).json()).toEqual({ status: 'unavailable' });
    // Not accepting: a load balancer's new connections go to another node.
    expect(await upgradeStatus(a.signalingUrl)).toBe(503);

    await redis.launch();
    await expect.poll(async () => (await fetch(new URL('/readyz', a.url))).status, { timeout: 15_000 }).toBe(200);
    await expect.poll(async () => (await fetch(new URL('/readyz', b.url))).status, { timeout: 15_000 }).toBe(200);

    // Signaling works again across the two nodes: an ICE restart negotiates through them.
    const before = [ufrag(toY.pc.localDescription), ufrag(toX.pc.localDescription)];
    toY.restartIce();
    await until(toY, () => ufrag(toY.pc.localDescription) !== before[0] && toY.signalingState === 'stable');
    await until(toX, () => ufrag(toX.pc.localDescription) !== before[1]);
    const got = messages(x, 1);
    await toX.send('still here');
    expect(await got).toEqual(['still here']);
  }, 60_000);
});
