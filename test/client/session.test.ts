import type { Session } from '@icebreaker/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messages, nodePeer, openPeer, ufrag, until } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

describe('two Node peers over real WebRTC (libwebrtc)', () => {
  let h: Harness;
  const sessions: Session[] = [];
  const join = async (room: string) => {
    const session = await nodePeer(h.server.signalingUrl, room);
    sessions.push(session);
    return session;
  };
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const session of sessions.splice(0)) session.close();
    await h.close();
  });

  it('connects and carries text, JSON, bytes and a Blob both ways', async () => {
    const a = await join('r');
    const b = await join('r');
    const [toB, toA] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    expect(toB.connectionState).toBe('connected');

    const atB = messages(b, 4);
    await toB.send('hello');
    await toB.send({ n: 1, list: [true, null, 'x'] });
    await toB.send(new Uint8Array([1, 2, 3]));
    await toB.send(new Blob(['blob bytes']));
    const [text, json, bytes, blob] = await atB;
    expect(text).toBe('hello');
    expect(json).toEqual({ n: 1, list: [true, null, 'x'] });
    expect([...new Uint8Array(bytes as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(new TextDecoder().decode(blob as ArrayBuffer)).toBe('blob bytes');

    const atA = messages(a, 1);
    await toA.send('and back');
    expect(await atA).toEqual(['and back']);
  });

  it('sends one offer and one answer to set up, however many times negotiation is asked for', async () => {
    const a = await join('once');
    const descriptions: string[] = [];
    a.on('peer', (peer) =>
      peer.on('signal', (direction, data) => {
        if (data.kind === 'description') descriptions.push(`${direction} ${data.description.type}`);
      }),
    );
    const b = await join('once');
    const [toB] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    // A duplicate offer would be answered twice, and a late second answer could land on a later
    // offer (an ICE restart) and break it.
    const atB = messages(b, 1);
    await toB.send('settled');
    await atB;
    expect(descriptions).toEqual(['out offer', 'in answer']);
  });

  it('splits a message larger than the channel allows and reassembles it intact', async () => {
    const a = await join('r');
    const b = await join('r');
    const toB = await openPeer(a, b.id);
    const big = new Uint8Array(1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
    const text = 'é'.repeat(200_000);
    const atB = messages(b, 2);
    await toB.send(big);
    await toB.send(text);
    const [bytes, again] = await atB;
    // Buffer.equals: a deep toEqual over a megabyte of elements takes seconds.
    expect(Buffer.from(bytes as ArrayBuffer).equals(big)).toBe(true);
    expect(again).toBe(text);
  });

  it('forms a full mesh when the room holds more than two', async () => {
    await h.close();
    h = await startHarness({ roomCapacity: 3 });
    const all = [await join('mesh'), await join('mesh'), await join('mesh')];
    const received = all.map((s) => messages(s, 2));
    for (const s of all) {
      for (const other of all) if (other !== s) await (await openPeer(s, other.id)).send(`from ${s.id}`);
    }
    for (const [i, s] of all.entries()) {
      const expected = all.filter((o) => o !== s).map((o) => `from ${o.id}`);
      expect((await received[i])?.sort()).toEqual(expected.sort());
      expect(s.peers.size).toBe(2);
    }
  });

  it('converges when both sides renegotiate at the same moment, again and again (glare)', async () => {
    const a = await join('glare');
    const b = await join('glare');
    const [toB, toA] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    for (let round = 0; round < 10; round++) {
      toB.renegotiate();
      toA.renegotiate();
      await Promise.all([until(toB, () => toB.signalingState === 'stable'), until(toA, () => toA.signalingState === 'stable')]);
      const atB = messages(b, 1);
      await toB.send(`round ${round}`);
      expect(await atB).toEqual([`round ${round}`]);
    }
    expect(toB.connectionState).toBe('connected');
  });

  it('restarts ICE on demand: new credentials on both sides, and the channel carries data after', async () => {
    const a = await join('ice');
    const b = await join('ice');
    const [toB, toA] = await Promise.all([openPeer(a, b.id), openPeer(b, a.id)]);
    const before = ufrag(toB.pc.localDescription);
    const remoteBefore = ufrag(toA.pc.localDescription);
    toB.restartIce();
    await until(toB, () => ufrag(toB.pc.localDescription) !== before && toB.signalingState === 'stable');
    await until(toA, () => ufrag(toA.pc.localDescription) !== remoteBefore && toA.signalingState === 'stable');
    // Both ends agree on A's new credentials (once any negotiation still in flight has settled).
    await until(toB, () => ufrag(toB.pc.remoteDescription) === ufrag(toA.pc.localDescription) && toB.signalingState === 'stable');
    expect(ufrag(toB.pc.remoteDescription)).not.toBe(remoteBefore);
    const atB = messages(b, 1);
    await toB.send('after the restart');
    expect(await atB).toEqual(['after the restart']);
  });
});
