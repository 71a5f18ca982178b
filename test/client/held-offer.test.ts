import type { Room } from '@icebreaker/client';
import { afterEach, describe, expect, it } from 'vitest';
import { messages, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

// Issue 11 §3, the seed's steps 8–12: the first peer of a room makes its offer before anyone else is
// there; the server holds it and hands it to the next peer right after its welcome.

let h: Harness;
const sessions: Room[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  await h.close();
});

async function peer(room: string): Promise<Room> {
  const session = await nodePeer(h.server.signalingUrl, room);
  sessions.push(session);
  return session;
}

/** How many signals of `kind` the server has relayed or held so far, from its own metrics. */
async function relayed(kind: string): Promise<number> {
  const text = await (await fetch(`${h.server.url}metrics`)).text();
  return Number(new RegExp(`icebreaker_signals_relayed_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

/** Counts the descriptions a session's peers send and receive, by direction and type. */
function countDescriptions(session: Room): Map<string, number> {
  const counts = new Map<string, number>();
  session.on('peer', (p) =>
    p.on('signal', (direction, data) => {
      if (data.kind !== 'description') return;
      const key = `${direction} ${data.description.type}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }),
  );
  return counts;
}

describe('the first peer of a room', () => {
  it('has its offer held before anyone joins, and a joiner gets it right after its welcome', async () => {
    h = await startHarness();
    const a = await peer('held');
    // Nobody else is in the room: the offer can only have been held.
    await expect.poll(() => relayed('description')).toBe(1);
    const { socket, id } = await h.peer('held');
    const first = await socket.next();
    expect(first).toMatchObject({ type: 'signal', from: a.peerId, seq: 0, data: { kind: 'description', description: { type: 'offer' } } });
    const second = await socket.next();
    expect(second).toMatchObject({ type: 'signal', from: a.peerId, data: { kind: 'candidate' } });
    // The room names the peer that joined, and the prepared peer is bound to it.
    await expect.poll(() => [...a.peers.keys()]).toEqual([id]);
  });

  it('connects to a library peer that joins later, each offer answered once', async () => {
    h = await startHarness();
    const a = await peer('later');
    const atA = countDescriptions(a);
    await expect.poll(() => relayed('description')).toBe(1);
    const b = await peer('later');
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const got = messages(b, 1);
    await toB.send('held and answered');
    expect(await got).toEqual(['held and answered']);
    expect(Object.fromEntries(atA)).toEqual({ 'out offer': 1, 'in answer': 1 });
    // The joiner answered that offer once, and nothing else was negotiated.
    expect(await relayed('description')).toBe(2);
  });

  it('connects when two peers join at the same moment (perfect negotiation holds), ten times', async () => {
    h = await startHarness();
    for (let round = 0; round < 10; round++) {
      const room = `together-${round}`;
      const [a, b] = await Promise.all([peer(room), peer(room)]);
      const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
      const [atA, atB] = [messages(a, 1), messages(b, 1)];
      await Promise.all([toB.send(`to b ${round}`), toA.send(`to a ${round}`)]);
      expect([await atA, await atB]).toEqual([[`to a ${round}`], [`to b ${round}`]]);
      // One offer and one answer per pair: the held offer was not answered twice.
      expect(await relayed('description')).toBe(2 * (round + 1));
    }
  });

  it('forms a mesh of three: the held offer goes to the first joiner, the third negotiates as before', async () => {
    h = await startHarness({ roomCapacity: 3 });
    const a = await peer('mesh');
    await expect.poll(() => relayed('description')).toBe(1);
    const b = await peer('mesh');
    const c = await peer('mesh');
    const pairs = [
      [a, b],
      [a, c],
      [b, c],
    ] as const;
    const links = await Promise.all(pairs.flatMap(([x, y]) => [openPeer(x, y.peerId), openPeer(y, x.peerId)]));
    for (const [i, [x, y]] of pairs.entries()) {
      const got = messages(y, 1, x.peerId);
      await links[2 * i]?.send(`${x.peerId}→${y.peerId}`);
      expect(await got).toEqual([`${x.peerId}→${y.peerId}`]);
    }
    // Three pairs, one offer and one answer each.
    expect(await relayed('description')).toBe(6);
  });

  it('makes a fresh offer when the held one expires, and connects to the peer that comes after', async () => {
    h = await startHarness({ holdTtlMs: 300 });
    const a = await peer('expired');
    const errors: string[] = [];
    a.on('error', (error) => errors.push(error.code));
    // The first offer expires unclaimed; the second one is held in its place.
    await expect.poll(() => relayed('description'), { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    const b = await peer('expired');
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const got = messages(b, 1);
    await toB.send('after expiry');
    expect(await got).toEqual(['after expiry']);
    // Its own held offer expiring is the session's business, not the application's.
    expect(errors).toEqual([]);
  });

  it('prepares again when the peer that took its offer leaves unanswered, or after a connection, and connects to the next one', async () => {
    h = await startHarness();
    const a = await peer('next');
    const b = await peer('next');
    await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const left = a.next('peer-left');
    b.close();
    await left;
    // The fresh offer is held again: it makes three descriptions with the first pair's two.
    await expect.poll(() => relayed('description')).toBe(3);
    // A joiner that takes the held offer and leaves without answering it.
    const { socket } = await h.peer('next');
    expect(await socket.next()).toMatchObject({ type: 'signal', from: a.peerId, data: { description: { type: 'offer' } } });
    const leftToo = a.next('peer-left');
    await socket.close();
    await leftToo;
    await expect.poll(() => relayed('description')).toBe(4);
    const c = await peer('next');
    const [toC] = await Promise.all([openPeer(a, c.peerId), openPeer(c, a.peerId)]);
    const got = messages(c, 1);
    await toC.send('next one');
    expect(await got).toEqual(['next one']);
  });
});
