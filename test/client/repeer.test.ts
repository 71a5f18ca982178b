import type { ConnectOptions, IcebreakerError, RemotePeer, Room } from '@icebreaker/client';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { messages, NODE_STACKS, nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

// Issue 12, §1 prerequisite: when the peer connection between two peers that both stay in the room
// dies, the room makes a new one between the same two peers (the lower id offers), and they talk again.

const FAST = { peerReconnect: { initialDelayMs: 200, maxDelayMs: 400 } };

/** Resolves with the next RemotePeer `session` announces for `id` of at least `generation`, once its channel is open. */
function reconnected(session: Room, id: string, generation: number): Promise<RemotePeer> {
  return new Promise((resolve) => {
    const off = session.on('open', (peer) => {
      if (peer.id !== id || peer.generation < generation) return;
      off();
      resolve(peer);
    });
  });
}

/** Resolves once `peer` has closed. */
function closed(peer: RemotePeer): Promise<void> {
  return peer.channelState === 'closed' ? Promise.resolve() : new Promise((resolve) => peer.on('close', () => resolve()));
}

/** Two peers of `room` whose channel is open, the one with the lower id (which offers again) first. */
async function pair(url: string, room: string, options: Partial<ConnectOptions>) {
  const a = await nodePeer(url, room, { WebSocket: RecordingWebSocket as never, ...options });
  const b = await nodePeer(url, room, { WebSocket: RecordingWebSocket as never, ...options });
  const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
  return a.peerId < b.peerId ? { low: a, high: b, toHigh: toB, toLow: toA } : { low: b, high: a, toHigh: toA, toLow: toB };
}

/** Each side sends one message on its peer and the other receives it. */
async function chat(one: Room, toTwo: RemotePeer, two: Room, toOne: RemotePeer, text: string): Promise<void> {
  const atTwo = messages(two, 1, one.peerId);
  const atOne = messages(one, 1, two.peerId);
  await toTwo.send(`${text} →`);
  await toOne.send(`← ${text}`);
  expect(await atTwo).toEqual([`${text} →`]);
  expect(await atOne).toEqual([`← ${text}`]);
}

/** Every frame the `ws` WebSocket sends, by socket, so that a test can see what a peer signaled. */
const frames = new Map<WebSocket, string[]>();
class RecordingWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    frames.set(this, []);
  }
  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data === 'string') frames.get(this)?.push(data);
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

/**
 * The signals sent from now on to a named peer (the kinds, with `gen` if any), acks aside. A peer left
 * alone also sends an offer without `to`, held for the next one to join: not a reconnection.
 */
function recordSignals(): () => string[] {
  const since = new Map([...frames].map(([socket, sent]) => [socket, sent.length]));
  return () =>
    [...frames].flatMap(([socket, sent]) =>
      sent
        .slice(since.get(socket) ?? 0)
        .map((text) => JSON.parse(text) as { type: string; to?: string; data?: { kind: string; gen?: number } })
        .filter((frame) => frame.type === 'signal' && frame.to !== undefined && frame.data?.kind !== 'ack')
        .map((frame) => `${frame.data?.kind}${frame.data?.gen === undefined ? '' : ` ${frame.data.gen}`}`),
    );
}

/**
 * Waits until `ms` after `since`: a back-off that was not stopped has made its attempt by then. An
 * absence cannot be awaited as an event; this waits for the moment the unwanted event would come.
 */
function past(since: number, ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, since + ms - Date.now())));
}

describe('a new peer connection between the same two peers', () => {
  const t = serverPerTest();

  it.each(NODE_STACKS)(
    'replaces one whose pc either side closed mid-chat, again and again, same ids, both ways (%s)',
    async (_s, stack) => {
      const { low, high, toHigh, toLow } = await pair(t.h.server.signalingUrl, 'again', { ...stack, ...FAST });
      t.sessions.push(low, high);
      const announced: Array<[string, number]> = [];
      for (const session of [low, high]) session.on('peer', (peer) => announced.push([session === low ? 'low' : 'high', peer.generation]));
      const errors: string[] = [];
      for (const session of [low, high]) session.on('error', (error: IcebreakerError) => errors.push(error.code));
      await chat(low, toHigh, high, toLow, 'before');

      let [atLow, atHigh] = [toHigh, toLow];
      // The side that makes the new connection, then the side that only asks for it, then the first again.
      for (const [round, closer] of [low, high, low].entries()) {
        const generation = round + 1;
        const next = Promise.all([reconnected(low, high.peerId, generation), reconnected(high, low.peerId, generation)]);
        (closer === low ? atLow : atHigh).pc.close();
        const old = [atLow, atHigh];
        [atLow, atHigh] = await next;
        await Promise.all(old.map(closed));
        expect([atLow.generation, atHigh.generation]).toEqual([generation, generation]);
        expect([atLow.id, atHigh.id]).toEqual([high.peerId, low.peerId]);
        expect([low.peers.get(high.peerId), high.peers.get(low.peerId)]).toEqual([atLow, atHigh]);
        await chat(low, atLow, high, atHigh, `round ${generation}`);
      }
      expect(announced.filter(([, g]) => g > 0).sort()).toEqual([
        ['high', 1],
        ['high', 2],
        ['high', 3],
        ['low', 1],
        ['low', 2],
        ['low', 3],
      ]);
      // Stale signals of the dead connections broke nothing: no negotiation error on either side.
      expect(errors.filter((code) => code === 'negotiation-failed')).toEqual([]);
    },
    60_000,
  );

  it.each([
    ['the remote peer leaves during the back-off (it made the new connections)', 'low'],
    ['the remote peer leaves during the back-off (it asked for them)', 'high'],
  ] as const)(
    'stops when %s',
    async (_title, leaver) => {
      const slow = { peerReconnect: { initialDelayMs: 1500, maxDelayMs: 1500 } };
      const { low, high, toHigh, toLow } = await pair(t.h.server.signalingUrl, 'leave', slow);
      t.sessions.push(low, high);
      // Each side's end of the connection: the leaving side's RemotePeer, and the staying side's.
      const [gone, stays, goneEnd, staysEnd] = leaver === 'low' ? [low, high, toHigh, toLow] : [high, low, toLow, toHigh];
      const announced: number[] = [];
      stays.on('peer', (peer) => announced.push(peer.generation));
      // The leaving side's pc dies first: the side that stays sees its channel close (SCTP abort) and
      // starts its back-off; a pc closed by hand says nothing to its own side.
      const cut = Date.now();
      const lost = closed(staysEnd);
      goneEnd.pc.close();
      await lost;
      const left = new Promise<void>((resolve) => stays.on('peer-left', () => resolve()));
      gone.close();
      await left;
      expect(Date.now() - cut).toBeLessThan(1500);
      const signaled = recordSignals();
      await past(cut, 3 * 1500);
      // Neither a new connection (it offers) nor a request for one (it asks).
      expect(announced).toEqual([]);
      expect(signaled()).toEqual([]);
      expect(stays.peers.size).toBe(0);
    },
    30_000,
  );

  it('stops when the room is closed during the back-off, on both sides', async () => {
    const slow = { peerReconnect: { initialDelayMs: 1500, maxDelayMs: 1500 } };
    const { low, high, toHigh, toLow } = await pair(t.h.server.signalingUrl, 'close', slow);
    t.sessions.push(low, high);
    const announced: number[] = [];
    for (const session of [low, high]) session.on('peer', (peer) => announced.push(peer.generation));
    const cut = Date.now();
    // Closed through the library, so that both sides know at once and both start a back-off.
    const bothClosed = Promise.all([closed(toHigh), closed(toLow)]);
    toHigh.close();
    await bothClosed;
    const left = new Promise<void>((resolve) => high.on('peer-left', () => resolve()));
    low.close();
    await left;
    expect(Date.now() - cut).toBeLessThan(1500);
    const signaled = recordSignals();
    await past(cut, 3 * 1500);
    expect(announced).toEqual([]);
    expect(signaled()).toEqual([]);
    expect([low.peers.size, high.peers.size]).toEqual([0, 0]);
  }, 30_000);

  it('stays dead with peerReconnect: false', async () => {
    const { low, high, toHigh, toLow } = await pair(t.h.server.signalingUrl, 'off', { peerReconnect: false });
    t.sessions.push(low, high);
    const announced: number[] = [];
    for (const session of [low, high]) session.on('peer', (peer) => announced.push(peer.generation));
    const cut = Date.now();
    const lost = closed(toHigh);
    toLow.pc.close();
    await lost;
    // The default first wait is 1 s.
    await past(cut, 2500);
    expect(announced).toEqual([]);
    expect(low.peers.get(high.peerId)).toBe(toHigh);
    expect(toHigh.channelState).toBe('closed');
  }, 30_000);
});
