import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { mintRoomToken } from '@icebreaker/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, metric, startHarness } from '../helpers/server.js';
import { type TestSocket, tryUpgrade } from '../helpers/socket.js';

const SECRET = 'adversarial-secret-0123456789abcdef';
const MAX = 16 * 1024;
const PER_IP = 16;
const token = (room: string) => mintRoomToken(SECRET, { room, ttlMs: 600_000 });

/**
 * One server, attacked in turn by every kind of bad client, while a well-behaved pair in its own room
 * streams numbered signals through it every 10 ms. Each attack must get its specific answer; at the
 * end the pair must have received every number, in order, with its connection never disturbed.
 */
describe('an adversarial client never disturbs a well-behaved pair', () => {
  let h: Harness;
  let a: { socket: TestSocket; id: string };
  let b: { socket: TestSocket; id: string };
  let ticker: ReturnType<typeof setInterval>;
  let sent = 0;
  const received: number[] = [];

  beforeAll(async () => {
    h = await startHarness({
      authSecret: SECRET,
      maxMessageBytes: MAX,
      maxConnectionsPerIp: PER_IP,
      joinDeadlineMs: 500,
      rateMessagesPerSecond: 200,
      rateBytesPerSecond: 0,
      maxBufferedBytes: 64 * 1024,
      httpHeadersTimeoutMs: 500,
    });
    a = await h.peer('calm', { token: await token('calm') });
    b = await h.peer('calm', { token: await token('calm') });
    await a.socket.next();
    b.socket.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; data?: { kind: string; seq: number } };
      if (frame.type === 'signal' && frame.data?.kind === 'ack') received.push(frame.data.seq);
    });
    ticker = setInterval(() => a.socket.send({ type: 'signal', data: { kind: 'ack', seq: sent++ } }), 10);
  });

  afterAll(async () => {
    clearInterval(ticker);
    await h.close();
  });

  /** A joined attacker in a room of its own. */
  async function attacker(): Promise<{ socket: TestSocket; id: string }> {
    const room = `attack-${Math.random().toString(36).slice(2, 8)}`;
    return h.peer(room, { token: await token(room) });
  }

  it.each([
    { name: 'malformed JSON', frame: '{"type":"signal",', code: 'bad-json' },
    { name: 'a binary frame that is not a relay frame', frame: Buffer.from([0xde, 0xad]), code: 'bad-relay-frame' },
    { name: 'a relay frame naming no peer of its room', frame: Buffer.from([1, 4, 99, 97, 108, 109, 0]), code: 'unknown-peer' },
    { name: 'deeply nested JSON', frame: `{"type":"signal","data":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`, code: 'invalid-message' },
    { name: 'a string where a number belongs', frame: { type: 'join', protocol: '1', room: 'x' }, code: 'invalid-message' },
    { name: 'a candidate as an array', frame: { type: 'signal', data: { kind: 'candidate', candidate: [] } }, code: 'invalid-message' },
    { name: 'a frame just over the message limit', frame: `{"type":"signal","pad":"${'x'.repeat(MAX)}"}`, code: 'message-too-large' },
    {
      name: 'a lone surrogate in a candidate',
      frame: '{"type":"signal","data":{"kind":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 \\ud800 9 typ host"}}}',
      code: 'invalid-message',
    },
    {
      name: 'an escape sequence in a name',
      frame: { type: 'join', protocol: 1, room: 'x', name: 'hi \u001b[31mRED' },
      code: 'invalid-message',
    },
    ...['\u202e', '\u200e', '\u061c', '\u2028', '\u200b', '\ufeff', '\u00ad', '\u{e0041}', '\uffff', '\u{10ffff}', '\ue000'].map((c) => ({
      name: `U+${(c.codePointAt(0) as number).toString(16).toUpperCase()} in a name`,
      frame: { type: 'join', protocol: 1, room: 'x', name: `evil${c}txt` },
      code: 'invalid-message',
    })),
  ])('$name gets $code', async ({ frame, code }) => {
    const { socket } = await attacker();
    socket.send(frame);
    expect(await socket.next()).toMatchObject({ type: 'error', code });
    await socket.close();
  });

  it('a frame four times over the limit is closed with 1009 before it is buffered', async () => {
    const { socket } = await attacker();
    socket.send('x'.repeat(MAX * 4 + 1));
    expect((await socket.closed).code).toBe(1009);
  });

  it('a name with emoji joined by zero-width joiners, or in a script that needs a non-joiner, is welcome', async () => {
    for (const name of ['family \u{1F468}\u200D\u{1F469}\u200D\u{1F467}', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645']) {
      const room = `names-${Math.random().toString(36).slice(2, 8)}`;
      const { welcome } = await h.peer(room, { token: await token(room), name });
      expect(welcome.type).toBe('welcome');
    }
  });

  it('a client stalled in the middle of a large frame is cut off soon after its join deadline', async () => {
    const before = await metric(h.server, 'icebreaker_connections');
    const socket = await h.socket();
    const raw = (socket.ws as unknown as { _socket: import('node:net').Socket })._socket;
    // A masked text frame announcing 60,000 bytes (16-bit length), of which 50,000 arrive; then the
    // client reads nothing more, so it never answers the server's close frame.
    raw.write(Buffer.concat([Buffer.from([0x81, 0x80 | 126, 0xea, 0x60, 0, 0, 0, 0]), Buffer.alloc(50_000, 0x20)]));
    raw.pause();
    const started = Date.now();
    while ((await metric(h.server, 'icebreaker_connections')) > before) await new Promise((resolve) => setTimeout(resolve, 50));
    // The deadline (500 ms here), the sweep, and 2 s for a close answer that never comes: not ws's 30 s.
    expect(Date.now() - started).toBeLessThan(5000);
    raw.destroy();
  });

  it('a forged sender and unknown fields are dropped: the server stamps the real id', async () => {
    const room = 'forgery';
    const liar = await h.peer(room, { token: await token(room) });
    const victim = await h.peer(room, { token: await token(room) });
    await liar.socket.next();
    liar.socket.send({ type: 'signal', from: a.id, admin: true, data: { kind: 'end-of-candidates', from: a.id } });
    expect(await victim.socket.next()).toEqual({ type: 'signal', from: liar.id, data: { kind: 'end-of-candidates' } });
    await Promise.all([liar.socket.close(), victim.socket.close()]);
  });

  it('a signal to a peer of another room gets unknown-peer, the same as a made-up id, and reaches no one', async () => {
    const { socket } = await attacker();
    socket.send({ type: 'signal', id: 1, to: b.id, data: { kind: 'end-of-candidates' } });
    socket.send({ type: 'signal', id: 2, to: 'no-such-peer', data: { kind: 'end-of-candidates' } });
    const [real, madeUp] = [await socket.next(), await socket.next()];
    expect([real.code, madeUp.code]).toEqual(['unknown-peer', 'unknown-peer']);
    await socket.close();
  });

  it('room probing learns nothing: a room with peers and no room answer alike', async () => {
    const answers = [];
    for (const room of ['calm', 'nobody-here']) {
      const socket = await h.socket();
      socket.send({ type: 'join', protocol: 1, room, token: await token('mine') });
      const { code, message } = await socket.next();
      answers.push({ code, message });
      await socket.close();
    }
    expect(answers[0]).toEqual({ code: 'auth-wrong-room', message: expect.any(String) });
    expect(answers[1]).toEqual(answers[0]);
  });

  it('a flood gets rate-limited, then the connection is closed with 1008', async () => {
    const { socket } = await attacker();
    for (let i = 0; i < 3000; i++) socket.send({ type: 'signal', data: { kind: 'end-of-candidates' } });
    expect(await socket.closed).toEqual({ code: 1008, reason: 'rate limit exceeded' });
    expect(socket.pending.some((f) => f.code === 'rate-limited')).toBe(true);
  });

  it(`a connection flood from one address is cut at ${PER_IP} with 429`, async () => {
    const before = await metric(h.server, 'icebreaker_connections');
    const opened = [];
    let refusal = 0;
    while (refusal === 0 && opened.length < 100) {
      const result = await tryUpgrade(h.server.signalingUrl);
      if (typeof result === 'number') refusal = result;
      else opened.push(result);
    }
    expect(refusal).toBe(429);
    // The pair (and any attacker the server has not finished closing) is on the same address.
    expect(opened.length).toBe(PER_IP - before);
    for (const ws of opened) ws.close();
    await Promise.all(opened.map((ws) => once(ws, 'close')));
    // The server counts a place free once it has seen the close itself.
    while ((await metric(h.server, 'icebreaker_connections')) > before) await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('a client that never joins is closed with 1008 at the join deadline', async () => {
    const idle = await h.socket();
    expect(await idle.closed).toEqual({ code: 1008, reason: 'no join in time' });
  });

  it('a client that never reads is cut off once its unsent output passes the bound', async () => {
    const room = 'deaf';
    const talker = await h.peer(room, { token: await token(room) });
    const deaf = await h.peer(room, { token: await token(room) });
    await talker.socket.next();
    deaf.socket.ws.pause();
    const big = { type: 'signal', data: { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(14_000) } } };
    const before = await metric(h.server, 'icebreaker_connections_rejected_total{reason="slow-consumer"}');
    // Paced under the talker's own rate limit (200/s, 800 at once).
    for (let i = 1; i <= 1500; i++) {
      talker.socket.send(big);
      if (i % 10 > 0) continue;
      await new Promise((resolve) => setTimeout(resolve, 55));
      if ((await metric(h.server, 'icebreaker_connections_rejected_total{reason="slow-consumer"}')) > before) break;
    }
    expect(await metric(h.server, 'icebreaker_connections_rejected_total{reason="slow-consumer"}')).toBe(before + 1);
    deaf.socket.ws.resume();
    expect((await deaf.socket.closed).code).toBe(1006);
    await talker.socket.close();
  });

  it('a client that sends its HTTP headers too slowly gets 408', async () => {
    const socket = tcpConnect(h.server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('and through all of it, the pair received every signal, in order, on the same connections', async () => {
    clearInterval(ticker);
    const last = sent - 1;
    while (received.at(-1) !== last) await once(b.socket.ws, 'message');
    expect(received).toEqual([...Array(sent).keys()]);
    expect(sent).toBeGreaterThan(100);
    expect([a.socket.ws.readyState, b.socket.ws.readyState]).toEqual([a.socket.ws.OPEN, b.socket.ws.OPEN]);
  });
});
