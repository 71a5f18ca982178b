import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/server.js';

const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };
const answer = { kind: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } };
const candidate = (n: number) => ({
  kind: 'candidate',
  candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${5000 + n} typ host`, sdpMid: '0' },
});

describe('rooms and relay', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('welcomes the first peer alone and lists it to the second, oldest first', async () => {
    const a = await h.peer('lobby', { name: 'Ada' });
    expect(a.welcome).toMatchObject({ type: 'welcome', protocol: 1, room: 'lobby', peers: [], iceServers: [] });
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const b = await h.peer('lobby');
    expect(b.welcome.peers).toEqual([{ id: a.id, name: 'Ada' }]);
    expect(b.id).not.toBe(a.id);
    expect(await a.socket.next()).toEqual({ type: 'peer-joined', peer: { id: b.id } });
  });

  it('hands clients the ICE servers it was configured with', async () => {
    const iceServers = [{ urls: 'stun:stun.invalid:3478' }, { urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }];
    const custom = await startHarness({ iceServers });
    try {
      const { welcome } = await custom.peer('r');
      expect(welcome.iceServers).toEqual(iceServers);
    } finally {
      await custom.close();
    }
  });

  it('relays signals both ways, in order, stamped with the sender id', async () => {
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next(); // peer-joined

    a.socket.send({ type: 'signal', to: b.id, data: offer });
    for (let n = 0; n < 5; n++) a.socket.send({ type: 'signal', to: b.id, data: candidate(n) });
    expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: offer });
    for (let n = 0; n < 5; n++) expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: candidate(n) });

    b.socket.send({ type: 'signal', data: answer }); // no `to`: the only other peer
    expect(await a.socket.next()).toEqual({ type: 'signal', from: b.id, data: answer });
  });

  it('overwrites a sender the client forged', async () => {
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next();
    a.socket.send({ type: 'signal', to: b.id, from: 'someone-else', data: { ...offer, from: 'x' } });
    const relayed = await b.socket.next();
    expect(relayed.from).toBe(a.id);
    expect(relayed).toEqual({ type: 'signal', from: a.id, data: offer });
  });

  it('never delivers a signal to a peer of another room', async () => {
    const a = await h.peer('red');
    const b = await h.peer('red');
    const c = await h.peer('blue');
    await a.socket.next();

    c.socket.send({ type: 'signal', id: 7, to: a.id, data: offer });
    expect(await c.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer', re: 7 });
    // a's next frame is b's answer, proving c's offer never reached it.
    b.socket.send({ type: 'signal', to: a.id, data: answer });
    expect(await a.socket.next()).toEqual({ type: 'signal', from: b.id, data: answer });
  });

  it('answers an unknown target, or itself as target, with unknown-peer', async () => {
    const a = await h.peer('r');
    a.socket.send({ type: 'signal', id: 'x1', to: 'nobody', data: offer });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer', re: 'x1' });
    a.socket.send({ type: 'signal', id: 'x2', to: a.id, data: offer });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'unknown-peer', re: 'x2' });
  });

  it('refuses a join beyond the capacity with room-full, and frees the place when a peer leaves', async () => {
    const a = await h.peer('r');
    await h.peer('r');
    await a.socket.next();
    const third = await h.socket();
    third.send({ type: 'join', id: 3, protocol: 1, room: 'r' });
    expect(await third.next()).toMatchObject({ type: 'error', code: 'room-full', re: 3 });

    a.socket.send({ type: 'leave' });
    expect(await third.join('r')).toMatchObject({ type: 'welcome', room: 'r' });
  });

  it('needs an explicit target when several peers share a room', async () => {
    const big = await startHarness({ roomCapacity: 3 });
    try {
      const a = await big.peer('r');
      const b = await big.peer('r');
      const c = await big.peer('r');
      a.socket.send({ type: 'signal', id: 1, data: offer });
      expect(await a.socket.next()).toMatchObject({ type: 'peer-joined', peer: { id: b.id } });
      expect(await a.socket.next()).toMatchObject({ type: 'peer-joined', peer: { id: c.id } });
      expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'target-required', re: 1 });
      a.socket.send({ type: 'signal', to: c.id, data: offer });
      expect(await c.socket.next()).toEqual({ type: 'signal', from: a.id, data: offer });
    } finally {
      await big.close();
    }
  });

  it('tells the others with peer-left when a peer leaves or its socket closes', async () => {
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next();
    b.socket.send({ type: 'leave' });
    expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: b.id, reason: 'left' });

    const c = await h.peer('r');
    expect(await a.socket.next()).toMatchObject({ type: 'peer-joined', peer: { id: c.id } });
    await c.socket.close();
    expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: c.id, reason: 'closed' });
  });

  it('rejects a second join and a wrong protocol version', async () => {
    const a = await h.peer('r');
    a.socket.send({ type: 'join', id: 2, protocol: 1, room: 'other' });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'already-joined', re: 2 });
    const s = await h.socket();
    s.send({ type: 'join', id: 9, protocol: 99, room: 'r' });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'unsupported-version', re: 9 });
  });
});

describe('signals for a peer that has not joined yet (seed steps 8–12)', () => {
  it('holds the caller’s offer and candidates and delivers them, in order, to the next peer', async () => {
    const h = await startHarness();
    try {
      const a = await h.peer('r');
      a.socket.send({ type: 'signal', data: offer });
      for (let n = 0; n < 3; n++) a.socket.send({ type: 'signal', data: candidate(n) });
      a.socket.send({ type: 'signal', data: { kind: 'end-of-candidates' } });

      const b = await h.peer('r');
      expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: offer });
      for (let n = 0; n < 3; n++) expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: candidate(n) });
      expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: { kind: 'end-of-candidates' } });
    } finally {
      await h.close();
    }
  });

  it('tells the sender when the held signals expire, and delivers nothing afterwards', async () => {
    const h = await startHarness({ holdTtlMs: 100 });
    try {
      const a = await h.peer('r');
      a.socket.send({ type: 'signal', id: 'offer-1', data: offer });
      a.socket.send({ type: 'signal', id: 'cand-1', data: candidate(1) });
      const expired = await a.socket.next();
      expect(expired).toMatchObject({ type: 'error', code: 'hold-expired', re: 'offer-1' });
      expect(expired.message).toContain('2 held signals');

      const b = await h.peer('r');
      expect(await a.socket.next()).toMatchObject({ type: 'peer-joined', peer: { id: b.id } });
      a.socket.send({ type: 'signal', data: answer });
      // The first thing b receives is the fresh signal, not the expired offer.
      expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: answer });
    } finally {
      await h.close();
    }
  });

  it('bounds the hold by count and bytes with hold-full', async () => {
    const h = await startHarness({ holdMaxSignals: 2, holdMaxBytes: 4096 });
    try {
      const a = await h.peer('r');
      a.socket.send({ type: 'signal', data: candidate(1) });
      a.socket.send({ type: 'signal', data: candidate(2) });
      a.socket.send({ type: 'signal', id: 3, data: candidate(3) });
      expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'hold-full', re: 3 });

      const big = { kind: 'description', description: { type: 'offer', sdp: 'a'.repeat(5000) } };
      const lone = await h.peer('bytes');
      lone.socket.send({ type: 'signal', id: 4, data: big });
      expect(await lone.socket.next()).toMatchObject({ type: 'error', code: 'hold-full', re: 4 });

      const b = await h.peer('r');
      expect((await b.socket.next()).data).toEqual(candidate(1));
      expect((await b.socket.next()).data).toEqual(candidate(2));
    } finally {
      await h.close();
    }
  });

  it('drops the hold when its sender leaves before anyone joins', async () => {
    const h = await startHarness();
    try {
      const a = await h.peer('r');
      a.socket.send({ type: 'signal', data: offer });
      await a.socket.close();
      const b = await h.peer('r');
      expect(b.welcome.peers).toEqual([]);
      const c = await h.peer('r');
      // b's first frame is c's arrival: no stale offer was delivered.
      expect(await b.socket.next()).toMatchObject({ type: 'peer-joined', peer: { id: c.id } });
    } finally {
      await h.close();
    }
  });
});

describe('heartbeat', () => {
  it('drops a socket that stops answering pings and tells its room peer-left timeout', async () => {
    const h = await startHarness({ heartbeatIntervalMs: 100 });
    try {
      const a = await h.peer('r');
      const mute = await h.socket({ autoPong: false });
      const welcome = await mute.join('r');
      expect(await a.socket.next()).toMatchObject({ type: 'peer-joined' });
      const started = Date.now();
      expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: welcome.peerId, reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(2000);
      // a answers pings (ws does by default), so it stays in the room and is told of the next arrival.
      const b = await h.peer('r');
      expect(await a.socket.next()).toMatchObject({ type: 'peer-joined', peer: { id: b.id } });
    } finally {
      await h.close();
    }
  });
});
