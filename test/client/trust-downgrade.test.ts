import type { RemotePeer, Room } from '@icebreaker/client';
import { createInvite } from '@icebreaker/client/pairing';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { NodeRTCPeerConnection } from '../../packages/cli/src/node-rtc.js';
import { attackerKey, firstPeer, messages, NO_PATH, NODE_STACKS, nodePeer, openPeer, safetyOf, serverPerTest } from '../helpers/peers.js';
import { startHarness } from '../helpers/server.js';

// Outsider tests of issue 13 (downgrades): a signaling path that tries to get two peers talking
// without the safety numbers telling them that it sits between them.

type Frame = { type?: string; seq?: number; data?: { kind?: string; key?: string } };

/**
 * A signaling path that never delivers a description or a candidate (so there are no fingerprints to
 * compare), and passes each relay key without its `seq`, so that the link delivers it at once rather
 * than wait for the description it dropped. `swap` replaces each key with one of the path's own.
 */
function droppingSocket(swap: boolean) {
  return class DroppingWebSocket extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      const frame = typeof data === 'string' ? (JSON.parse(data) as Frame) : null;
      const kind = frame?.type === 'signal' ? frame.data?.kind : undefined;
      const out = (text: unknown) => (super.send as (...args: unknown[]) => void)(text, ...rest);
      if (kind === 'description' || kind === 'candidate' || kind === 'end-of-candidates') return;
      if (kind !== 'relay-key' || !frame) {
        out(data);
        return;
      }
      const { seq: _dropped, ...unsequenced } = frame;
      void (swap ? attackerKey() : Promise.resolve(frame.data?.key)).then((key) =>
        out(JSON.stringify({ ...unsequenced, data: { ...frame.data, key } })),
      );
    }
  };
}

describe('a signaling path that withholds the descriptions and carries the relay', () => {
  const t = serverPerTest();

  it('the peers talk over the relay: each has a safety number, and they are equal (honest keys)', async () => {
    const options = { ...NO_PATH, WebSocket: droppingSocket(false) as never };
    const a = await nodePeer(t.h.server.signalingUrl, 'no-descriptions', options);
    t.sessions.push(a);
    const b = await nodePeer(t.h.server.signalingUrl, 'no-descriptions', options);
    t.sessions.push(b);
    const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const got = messages(b, 1, a.peerId);
    await toB.send('over a relay nobody can check');
    expect(await got).toEqual(['over a relay nobody can check']);
    expect(toB.path).toBe('relay');
    // Data flows end to end over keys the server handed out: the users must have a number to compare.
    const [atA, atB] = await Promise.all([
      safetyOf(toB, (n) => n.relayKeys !== undefined),
      safetyOf(toA, (n) => n.relayKeys !== undefined),
    ]);
    expect(atA.digits).toBe(atB.digits);
  });

  it('with a link: the relay keys are proved, the peers count as paired and talk', async () => {
    const { room, secret } = createInvite('http://localhost/');
    const options = { ...NO_PATH, secret, WebSocket: droppingSocket(false) as never };
    const a = await nodePeer(t.h.server.signalingUrl, room, options);
    t.sessions.push(a);
    const b = await nodePeer(t.h.server.signalingUrl, room, options);
    t.sessions.push(b);
    const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const got = messages(b, 1, a.peerId);
    await toB.send('relayed, proved');
    expect(await got).toEqual(['relayed, proved']);
    // Each side proved the link with its relay key, the only thing it sent: that is pairing.
    expect([toB.paired, toA.paired]).toEqual([true, true]);
  });

  it('with the relay keys swapped, the two safety numbers differ', async () => {
    const options = { ...NO_PATH, WebSocket: droppingSocket(true) as never };
    const a = await nodePeer(t.h.server.signalingUrl, 'no-descriptions-swapped', options);
    t.sessions.push(a);
    const b = await nodePeer(t.h.server.signalingUrl, 'no-descriptions-swapped', options);
    t.sessions.push(b);
    const [toB, toA] = await Promise.all([firstPeer(a), firstPeer(b)]);
    const [atA, atB] = await Promise.all([
      safetyOf(toB, (n) => n.relayKeys !== undefined),
      safetyOf(toA, (n) => n.relayKeys !== undefined),
    ]);
    expect(atA.relayKeys?.remote).not.toBe(atB.relayKeys?.local);
    expect(atA.digits).not.toBe(atB.digits);
  });
});

/**
 * A path in the middle of the relay that also covers its tracks: it swaps each relay key for its own,
 * then sends the peer's real key as a second `relay-key` (without `seq`, delivered at once), so that
 * each side would hash the other's real key into its number while the relay runs on the path's.
 */
class KeyTrackCoveringWebSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    const frame = typeof data === 'string' ? (JSON.parse(data) as Frame) : null;
    const out = (text: unknown) => (super.send as (...args: unknown[]) => void)(text, ...rest);
    if (frame?.type !== 'signal' || frame.data?.kind !== 'relay-key') {
      out(data);
      return;
    }
    void attackerKey().then((key) => {
      out(JSON.stringify({ ...frame, data: { ...frame.data, key } }));
      const { seq: _none, ...unsequenced } = frame;
      out(JSON.stringify(unsequenced));
    });
  }
}

describe('a relay key sent after the agreed one', () => {
  const t = serverPerTest();

  it('does not replace the agreed key in the safety number: the numbers of a path in the middle still differ', async () => {
    const options = { ...NO_PATH, WebSocket: KeyTrackCoveringWebSocket as never };
    const a = await nodePeer(t.h.server.signalingUrl, 'second-key', options);
    t.sessions.push(a);
    const b = await nodePeer(t.h.server.signalingUrl, 'second-key', options);
    t.sessions.push(b);
    const [toB, toA] = await Promise.all([firstPeer(a), firstPeer(b)]);
    const secondKey = Promise.all(
      [a, b].map(
        (room) =>
          new Promise<void>((resolve) => {
            const off = room.on('error', (error) => {
              if (error.code !== 'relay-failed' || !/second relay key/.test(error.message)) return;
              off();
              resolve();
            });
          }),
      ),
    );
    await secondKey;
    // Both second keys came (and the relay refused them): the numbers are the agreed keys' still.
    const [atA, atB] = await Promise.all([
      safetyOf(toB, (n) => n.relayKeys !== undefined),
      safetyOf(toA, (n) => n.relayKeys !== undefined),
    ]);
    expect(atA.relayKeys?.remote).not.toBe(atB.relayKeys?.local);
    expect(atA.digits).not.toBe(atB.digits);
  });
});

/** The signaling path into a peer, which can hand it signals of its own making (as if from `from`). */
class InjectingWebSocket extends WebSocket {
  static last: InjectingWebSocket | undefined;
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    InjectingWebSocket.last = this;
  }
  inject(from: string, data: object): void {
    this.emit('message', Buffer.from(JSON.stringify({ type: 'signal', from, data })), false);
  }
}

const CLI_STACK = { RTCPeerConnection: NodeRTCPeerConnection as unknown as typeof RTCPeerConnection };

describe('a description with another certificate, on a connection already made', () => {
  const t = serverPerTest();

  it.each([...NODE_STACKS, ['the terminal peer', CLI_STACK] as (typeof NODE_STACKS)[number]])(
    'is refused: the number never moves to a certificate the connection does not use (%s)',
    async (_name, stack) => {
      const a = await nodePeer(t.h.server.signalingUrl, 'cert-change', { ...stack, WebSocket: InjectingWebSocket as never });
      t.sessions.push(a);
      const path = InjectingWebSocket.last as InjectingWebSocket;
      const b = await nodePeer(t.h.server.signalingUrl, 'cert-change', stack);
      t.sessions.push(b);
      const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
      const before = await safetyOf(toB);
      expect(before.digits).toBe((await safetyOf(toA)).digits);
      const refused = new Promise<string>((resolve) => {
        const off = a.on('error', (error) => {
          if (error.code !== 'fingerprint-mismatch' && error.code !== 'tampered') return;
          off();
          resolve(error.code);
        });
      });
      // B's own description again, as a re-offer, with another certificate's fingerprint: what a path
      // in the middle would send to put the honest peer's fingerprint back in a number.
      const other = `sha-256 ${Array.from({ length: 32 }, () => 'CD').join(':')}`;
      const sdp = (toA.pc.localDescription as RTCSessionDescription).sdp
        .replace(/a=fingerprint:\S+ \S+/g, `a=fingerprint:${other}`)
        .replace(/a=setup:(active|passive)/g, 'a=setup:actpass');
      path.inject(b.peerId, { kind: 'description', description: { type: 'offer', sdp } });
      expect(await refused).toBe('fingerprint-mismatch');
      expect(toB.safetyNumber?.remote).toBe(before.remote);
      expect(toB.channelState).not.toBe('open');
    },
  );
});

/** Resolves with the RemotePeer `room` opens for `id` at `generation` or later. */
function openedAt(room: Room, id: string, generation: number): Promise<RemotePeer> {
  return new Promise((resolve) => {
    const off = room.on('open', (peer) => {
      if (peer.id !== id || peer.generation < generation) return;
      off();
      resolve(peer);
    });
  });
}

describe('a new peer connection between the same two paired peers', () => {
  const t = serverPerTest();

  it.each(NODE_STACKS)(
    'is proved again, both sides agree on its new number, and the old mark does not carry over (%s)',
    async (_name, stack) => {
      const { room, secret } = createInvite('http://localhost/');
      const options = { ...stack, secret, peerReconnect: { initialDelayMs: 100, maxDelayMs: 200 } };
      const a = await nodePeer(t.h.server.signalingUrl, room, options);
      t.sessions.push(a);
      const b = await nodePeer(t.h.server.signalingUrl, room, options);
      t.sessions.push(b);
      const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
      const [first, firstB] = await Promise.all([safetyOf(toB), safetyOf(toA)]);
      expect(first.digits).toBe(firstB.digits);
      toB.markVerified();
      expect(toB.verified).toBe(true);

      const next = Promise.all([openedAt(a, b.peerId, 1), openedAt(b, a.peerId, 1)]);
      toB.pc.close();
      const [toB1, toA1] = await next;
      expect([toB1.paired, toA1.paired]).toEqual([true, true]);
      const [second, secondB] = await Promise.all([safetyOf(toB1), safetyOf(toA1)]);
      expect(second.digits).toBe(secondB.digits);
      // New certificates, a new number: the users compare again (README, "Trust no server").
      expect(second.digits).not.toBe(first.digits);
      expect(toB1.verified).toBe(false);
      // …and the room says the number changed since it was marked, on the side that marked it only.
      expect(toB1.verifiedChanged).toBe(true);
      expect(toA1.verifiedChanged).toBe(false);
      const got = messages(b, 1, a.peerId);
      await toB1.send('generation 1');
      expect(await got).toEqual(['generation 1']);
    },
  );
});

describe('a third peer joining a paired room mid-way (a server that lets three in)', () => {
  it('refuses both (tampered), neither opens to it, and the paired two go on talking', async () => {
    const h = await startHarness({ roomCapacity: 3 });
    const sessions: Room[] = [];
    onTestFinished(async () => {
      for (const session of sessions) session.close();
      await h.close();
    });
    const { room, secret } = createInvite('http://localhost/');
    const a = await nodePeer(h.server.signalingUrl, room, { secret });
    sessions.push(a);
    const b = await nodePeer(h.server.signalingUrl, room, { secret });
    sessions.push(b);
    const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    // The third side checks the offers of the two first: it refuses both and answers neither.
    const c = await nodePeer(h.server.signalingUrl, room, { secret: createInvite('http://localhost/').secret });
    sessions.push(c);
    const refused = await new Promise<string[]>((resolve) => {
      const ids: string[] = [];
      const off = c.on('error', (error, peer) => {
        if (error.code !== 'tampered' || !peer) return;
        ids.push(peer.id);
        if (ids.length < 2) return;
        off();
        resolve(ids.sort());
      });
    });
    expect(refused).toEqual([a.peerId, b.peerId].sort());
    expect([...c.peers.values()].some((peer) => peer.channelState === 'open')).toBe(false);
    const atB = messages(b, 1, a.peerId);
    const atA = messages(a, 1, b.peerId);
    await toB.send('still us');
    await toA.send('still us too');
    expect(await atB).toEqual(['still us']);
    expect(await atA).toEqual(['still us too']);
    expect([toB.paired, toA.paired, toB.refused, toA.refused]).toEqual([true, true, null, null]);
  });
});
