import { mintRoomToken, type StartOptions } from '@icebreaker/server';
import { describe, expect, it } from 'vitest';
import { type Harness, STORES, serverOnStore } from '../helpers/server.js';
import type { Frame, TestSocket } from '../helpers/socket.js';

const AUTH = 'resume-token-auth-secret-0123456789';

/**
 * A resume token is a one-time claim on one parked place, never a room pass: each case below is a way
 * it was reused in the field (issue "field defects" C8). The same suite runs on the in-memory server
 * and on a cluster node over a real redis-server.
 */
describe.each(STORES)('resume tokens (%s)', (_name, onRedis) => {
  let h: Harness;
  const store = serverOnStore(onRedis, { resumeGraceMs: 5000 }, false);
  const start = async (options: StartOptions = {}) => {
    h = await store.start(options);
    return h;
  };

  const room = () => `r-${Math.random().toString(36).slice(2, 8)}`;

  /** Tries to resume with `token`: the welcome, or the error. */
  async function resume(name: string, token: unknown): Promise<{ socket: TestSocket; answer: Frame }> {
    const socket = await h.socket();
    socket.send({ type: 'join', id: 'again', protocol: 1, room: name, resume: token });
    return { socket, answer: await socket.next() };
  }

  it('works once, for the parked place, and the new welcome carries the only token that works next', async () => {
    await start();
    const name = room();
    const a = await h.peer(name);
    const b = await h.peer(name);
    await a.socket.next();
    const first = b.welcome.resumeToken;
    b.socket.ws.terminate();
    await b.socket.closed;

    const back = await resume(name, first);
    expect(back.answer).toMatchObject({ type: 'welcome', peerId: b.id, resumed: true });
    const second = back.answer.resumeToken;
    expect(second).not.toBe(first);

    // The spent token neither takes the live place over nor founds a new one.
    const replay = await resume(name, first);
    expect(replay.answer).toMatchObject({ type: 'error', code: 'resume-failed', re: 'again' });
    back.socket.send({ type: 'signal', to: a.id, data: { kind: 'end-of-candidates' } });
    expect(await a.socket.next()).toEqual({ type: 'signal', from: b.id, data: { kind: 'end-of-candidates' } });
    expect(back.socket.ws.readyState).toBe(back.socket.ws.OPEN);

    // The fresh one works, once.
    back.socket.ws.terminate();
    await back.socket.closed;
    expect((await resume(name, second)).answer).toMatchObject({ type: 'welcome', peerId: b.id, resumed: true });
    expect((await resume(name, second)).answer).toMatchObject({ type: 'error', code: 'resume-failed' });
  });

  it('is revoked by leave: the peer is gone for good', async () => {
    await start();
    const name = room();
    const a = await h.peer(name);
    const b = await h.peer(name);
    await a.socket.next();
    b.socket.send({ type: 'leave' });
    expect(await a.socket.next()).toEqual({ type: 'peer-left', peerId: b.id, reason: 'left' });
    expect((await resume(name, b.welcome.resumeToken)).answer).toMatchObject({ type: 'error', code: 'resume-failed' });
    expect(a.socket.pending).toEqual([]);
  });

  it('dies with the grace: after peer-left it brings nobody back', async () => {
    await start({ resumeGraceMs: 300 });
    const name = room();
    const a = await h.peer(name);
    const b = await h.peer(name);
    await a.socket.next();
    b.socket.ws.terminate();
    expect(await a.socket.next()).toMatchObject({ type: 'peer-left', peerId: b.id });
    expect((await resume(name, b.welcome.resumeToken)).answer).toMatchObject({ type: 'error', code: 'resume-failed' });
    expect(a.socket.pending).toEqual([]);
  });

  it('is not issued when resuming is off (--resume-grace 0), and an old one is refused', async () => {
    await start({ resumeGraceMs: 0 });
    const name = room();
    const a = await h.peer(name);
    expect(a.welcome).not.toHaveProperty('resumeToken');
    const port = h.server.port;
    await h.close();
    // A token of a server that had resuming on, shown to one that has it off.
    await start({ port, resumeSecret: 'the-same-secret-0123456789' });
    const b = await h.peer(name);
    await h.close();
    await start({ port, resumeGraceMs: 0, resumeSecret: 'the-same-secret-0123456789' });
    expect((await resume(name, b.welcome.resumeToken)).answer).toMatchObject({ type: 'error', code: 'resume-failed' });
  });

  it('never outlives the room token: after its exp the place cannot be taken back (nor fresh TURN credentials had)', async () => {
    await start({ authSecret: AUTH, turnUrls: ['turn:127.0.0.1:3478'], turnSecret: 'turn-secret-0123456789' });
    const name = room();
    // exp is in whole seconds: a 2 s token is valid for 1 to 2 s from now.
    const a = await h.peer(name, { token: await mintRoomToken(AUTH, { room: name, ttlMs: 2000 }) });
    const b = await h.peer(name, { token: await mintRoomToken(AUTH, { room: name, ttlMs: 2000 }) });
    await a.socket.next();
    b.socket.ws.terminate();
    await b.socket.closed;
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const late = await resume(name, b.welcome.resumeToken);
    expect(late.answer).toMatchObject({ type: 'error', code: 'resume-failed' });
    expect(late.answer).not.toHaveProperty('iceServers');
  });

  it('is bound to its room', async () => {
    await start();
    const name = room();
    const a = await h.peer(name);
    a.socket.ws.terminate();
    await a.socket.closed;
    expect((await resume(room(), a.welcome.resumeToken)).answer).toMatchObject({ type: 'error', code: 'resume-failed' });
    expect((await resume(name, a.welcome.resumeToken)).answer).toMatchObject({ type: 'welcome', peerId: a.id });
  });
});
