import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/server.js';

const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };
const candidate = (n: number) => ({
  kind: 'candidate',
  candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${5000 + n} typ host`, sdpMid: '0' },
});
const SECRET = 'a-test-secret-of-some-length';

describe('resuming a dropped connection', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('keeps a dropped peer’s place, queues its signals in order, and hands them over on resume', async () => {
    h = await startHarness({ resumeGraceMs: 5000 });
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next();
    const token = b.welcome.resumeToken as string;
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);

    b.socket.ws.terminate();
    await b.socket.closed;
    a.socket.send({ type: 'signal', to: b.id, seq: 0, data: offer });
    a.socket.send({ type: 'signal', to: b.id, seq: 1, data: candidate(1) });

    const back = await h.socket();
    back.send({ type: 'join', protocol: 1, room: 'r', resume: token });
    const welcome = await back.next();
    expect(welcome).toMatchObject({ type: 'welcome', peerId: b.id, resumed: true, peers: [{ id: a.id }] });
    expect(await back.next()).toEqual({ type: 'signal', from: a.id, seq: 0, data: offer });
    expect(await back.next()).toEqual({ type: 'signal', from: a.id, seq: 1, data: candidate(1) });
    // a never saw b leave or come back.
    back.send({ type: 'signal', to: a.id, data: { kind: 'ack', seq: 1 } });
    expect(await a.socket.next()).toEqual({ type: 'signal', from: b.id, data: { kind: 'ack', seq: 1 } });
  });

  it('tells the room peer-left only when the grace period ends', async () => {
    h = await startHarness({ resumeGraceMs: 200 });
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next();
    const dropped = Date.now();
    await b.socket.close();
    expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: b.id, reason: 'closed' });
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(190);
  });

  it('lets a peer leave at once with leave, and then refuses its token for that place', async () => {
    h = await startHarness({ resumeGraceMs: 5000, roomCapacity: 2 });
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next();
    b.socket.send({ type: 'leave' });
    expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: b.id, reason: 'left' });
  });

  it('refuses a forged or foreign token with resume-failed', async () => {
    h = await startHarness({ resumeGraceMs: 5000 });
    const a = await h.peer('r');
    const s = await h.socket();
    const [payload] = (a.welcome.resumeToken as string).split('.');
    for (const resume of ['nonsense', `${payload}.AAAA`, `${payload}`, a.welcome.resumeToken as string]) {
      // The last one is valid, but for room "r", not "other".
      s.send({ type: 'join', id: resume.length, protocol: 1, room: 'other', resume });
      expect(await s.next()).toMatchObject({ type: 'error', code: 'resume-failed', re: resume.length });
    }
  });

  it('refuses the tokens of before a restart: an in-memory server that restarted has no places', async () => {
    h = await startHarness({ resumeGraceMs: 5000, resumeSecret: SECRET });
    const a = await h.peer('r');
    const port = h.server.port;
    await h.close();
    // The same secret: the signature verifies, but the place is gone with the process (--redis keeps it).
    h = await startHarness({ port, resumeGraceMs: 5000, resumeSecret: SECRET });
    const again = await h.socket();
    again.send({ type: 'join', id: 'back', protocol: 1, room: 'r', resume: a.welcome.resumeToken });
    expect(await again.next()).toMatchObject({ type: 'error', code: 'resume-failed', re: 'back' });
  });

  it('bounds the queue of a parked peer with queue-full', async () => {
    h = await startHarness({ resumeGraceMs: 5000, holdMaxSignals: 2 });
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next();
    await b.socket.close();
    a.socket.send({ type: 'signal', to: b.id, data: candidate(1) });
    a.socket.send({ type: 'signal', to: b.id, data: candidate(2) });
    a.socket.send({ type: 'signal', id: 'third', to: b.id, data: candidate(3) });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'queue-full', re: 'third' });
  });

  it('replaces a connection whose drop was not noticed yet', async () => {
    h = await startHarness({ resumeGraceMs: 5000 });
    const a = await h.peer('r');
    const b = await h.peer('r');
    await a.socket.next();
    const again = await h.socket();
    again.send({ type: 'join', protocol: 1, room: 'r', resume: b.welcome.resumeToken });
    expect(await again.next()).toMatchObject({ type: 'welcome', peerId: b.id, resumed: true });
    expect((await b.socket.closed).code).toBe(4000);
    a.socket.send({ type: 'signal', to: b.id, data: offer });
    expect(await again.next()).toEqual({ type: 'signal', from: a.id, data: offer });
  });
});
