import { mintRoomToken } from '@icebreaker/server';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/server.js';

const SECRET = 'auth-test-secret-0123456789abcdef-xyz';
const OTHER_SECRET = 'another-secret-0123456789abcdef-xyz!';
const HOUR = 3_600_000;

const token = (room: string, { now, ...extra }: { name?: string; role?: string; ttlMs?: number; now?: number } = {}) =>
  mintRoomToken(SECRET, { room, ttlMs: extra.ttlMs ?? HOUR, ...extra }, now);

describe('room tokens (--auth-secret)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ authSecret: SECRET, resumeGraceMs: 10_000 });
  });
  afterAll(() => h.close());

  it('admits a peer whose token names the room, with the name and role the token gives', async () => {
    const host = await h.peer('stage', { token: await token('stage', { name: 'Ada', role: 'host' }), name: 'Mallory' });
    const guest = await h.peer('stage', { token: await token('stage') });
    expect(guest.welcome.peers).toEqual([{ id: host.id, name: 'Ada', role: 'host' }]);
    expect(await host.socket.next()).toEqual({ type: 'peer-joined', peer: { id: guest.id } });
  });

  it('keeps the name a client asks for when the token gives none', async () => {
    const first = await h.peer('names', { token: await token('names') });
    await h.peer('names', { token: await token('names'), name: 'Grace' });
    expect(await first.socket.next()).toMatchObject({ type: 'peer-joined', peer: { name: 'Grace' } });
  });

  let refusals = 0;
  /** Sends a join and returns the error code it got; the connection stays open for another try. */
  async function refusal(room: string, join: object): Promise<{ code: unknown; message: unknown; re: unknown; open: boolean }> {
    const socket = await h.socket();
    socket.send({ type: 'join', id: 7, protocol: 1, room, ...join });
    const answer = await socket.next();
    expect(answer.type).toBe('error');
    // Still usable: a refused join does not cost the connection.
    const fresh = `after-${++refusals}`;
    await socket.join(fresh, { token: await token(fresh) });
    return { code: answer.code, message: answer.message, re: answer.re, open: socket.ws.readyState === socket.ws.OPEN };
  }

  it.each([
    ['no token', async () => ({}), 'auth-required'],
    [
      'a token signed with another secret',
      async () => ({ token: await mintRoomToken(OTHER_SECRET, { room: 'r1', ttlMs: HOUR }) }),
      'auth-invalid',
    ],
    [
      'an unsigned token ("alg": "none")',
      async () => ({ token: new UnsecuredJWT({ room: 'r1' }).setExpirationTime('1h').encode() }),
      'auth-invalid',
    ],
    [
      'a token without an expiry',
      async () => ({
        token: await new SignJWT({ room: 'r1' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET)),
      }),
      'auth-invalid',
    ],
    [
      'a token with a bad room claim',
      async () => ({
        token: await new SignJWT({ room: 'a/b' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(SECRET)),
      }),
      'auth-invalid',
    ],
    ['garbage', async () => ({ token: 'not.a.jwt' }), 'auth-invalid'],
    ['an expired token', async () => ({ token: await token('r1', { ttlMs: 60_000, now: Date.now() - 2 * HOUR }) }), 'auth-expired'],
    ['a token for another room', async () => ({ token: await token('elsewhere') }), 'auth-wrong-room'],
  ])('refuses %s with its own code, answering the join', async (_name, join, code) => {
    expect(await refusal('r1', await join())).toEqual({ code, message: expect.any(String), re: 7, open: true });
  });

  it.each([
    ['an object as its name', { room: 'r1', name: { first: 'A' } }, /claims do not: .*name/],
    ['a string as its expiry', { room: 'r1', exp: 'tomorrow' }, /claims do not/],
    ['a start in the future (nbf)', { room: 'r1', nbf: Math.floor(Date.now() / 1000) + 3600 }, /claims do not: .*nbf/],
  ])('says which claim is wrong in a well-signed token with %s (not "check the secret")', async (_name, claims, message) => {
    const jwt = new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ alg: 'HS256' });
    if (!('exp' in claims)) jwt.setExpirationTime('1h');
    const answer = await refusal('r1', { token: await jwt.sign(new TextEncoder().encode(SECRET)) });
    expect(answer.code).toBe('auth-invalid');
    expect(answer.message).toMatch(message);
    expect(answer.message).not.toMatch(/signature does not verify/);
  });

  it('gives the same answer whether or not the room exists, so room names cannot be probed', async () => {
    await h.peer('secret-room', { token: await token('secret-room') });
    const wrong = { token: await token('mine') };
    const existing = await refusal('secret-room', wrong);
    const missing = await refusal('no-such-room', wrong);
    expect(existing).toEqual(missing);
    const bare = await refusal('secret-room', {});
    expect(bare).toEqual(await refusal('no-such-room', {}));
  });

  it('checks the token before the room: a full room is not revealed to a peer without a token', async () => {
    await h.peer('full', { token: await token('full') });
    await h.peer('full', { token: await token('full') });
    expect((await refusal('full', {})).code).toBe('auth-required');
  });

  it('handles frames sent right behind the join once the token is checked, in order', async () => {
    const socket = await h.socket();
    const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };
    socket.send({ type: 'join', protocol: 1, room: 'eager', token: await token('eager') });
    socket.send({ type: 'signal', id: 1, data: offer });
    expect((await socket.next()).type).toBe('welcome');
    const late = await h.peer('eager', { token: await token('eager') });
    expect(await late.socket.next()).toMatchObject({ type: 'signal', data: offer });
    expect(await socket.next()).toEqual({ type: 'peer-joined', peer: { id: late.id } });
    expect(socket.pending).toEqual([]);
  });

  it('keeps a bounded number of frames while the token is checked, refusing the rest', async () => {
    const socket = await h.socket();
    const join = JSON.stringify({ type: 'join', protocol: 1, room: 'hasty', token: await token('hasty') });
    const signal = JSON.stringify({ type: 'signal', data: { kind: 'end-of-candidates' } });
    // One write: the server reads the join and all 100 signals before the token check can finish.
    (socket.ws as unknown as { _socket: NodeJS.WritableStream })._socket.write(
      Buffer.concat([join, ...Array(100).fill(signal)].map((text) => maskedFrame(text))),
    );
    // 68 refusals and the welcome; the 32 kept signals are then held for the next peer (no answer).
    const frames = [];
    for (let i = 0; i < 69; i++) frames.push(await socket.next());
    expect(frames.filter((f) => f.code === 'rate-limited')).toHaveLength(100 - 32);
    expect(frames.filter((f) => f.type === 'welcome')).toHaveLength(1);
    const late = await h.peer('hasty', { token: await token('hasty') });
    for (let i = 0; i < 32; i++) expect(await late.socket.next()).toMatchObject({ type: 'signal', data: { kind: 'end-of-candidates' } });
  });

  it('lets a peer resume with its resume token alone: no room token needed to come back', async () => {
    const a = await h.peer('resume', { token: await token('resume', { role: 'host' }) });
    const b = await h.peer('resume', { token: await token('resume') });
    await a.socket.next();
    await a.socket.close();
    const back = await h.socket();
    const welcome = await back.join('resume', { resume: a.welcome.resumeToken });
    expect(welcome).toMatchObject({ peerId: a.id, resumed: true });
    b.socket.send({ type: 'signal', data: { kind: 'end-of-candidates' } });
    expect(await back.next()).toEqual({ type: 'signal', from: b.id, data: { kind: 'end-of-candidates' } });
  });
});

describe('an open server (no --auth-secret)', () => {
  it('admits joins without a token and ignores any token given', async () => {
    const h = await startHarness();
    try {
      const a = await h.peer('open');
      const b = await h.peer('open', { token: 'anything' });
      expect(b.welcome.peers).toEqual([{ id: a.id }]);
    } finally {
      await h.close();
    }
  });
});

describe('mintRoomToken', () => {
  it('refuses a short secret and a bad room, naming the problem', async () => {
    await expect(mintRoomToken('short', { room: 'r', ttlMs: HOUR })).rejects.toThrow(/at least 32 characters/);
    await expect(mintRoomToken(SECRET, { room: 'a b', ttlMs: HOUR })).rejects.toThrow(/room token/);
  });
});

/** A client WebSocket text frame (RFC 6455 §5.2), masked with a zero key, for a test that batches frames in one write. */
function maskedFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}
