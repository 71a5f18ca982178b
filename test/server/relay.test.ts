/**
 * The relay through the server (issue 11 §1, server side): binary relay frames between the peers of a
 * room, over real WebSocket connections to a real server. What is asserted is what a client sees: the
 * bytes that arrive and their SHA-256, the sender the server names, error codes, and metrics.
 */

import { ERROR_CODES, encodeRelayFrame, RELAY_PAYLOAD_MAX } from '@icebreaker/protocol';
import { mintRoomToken } from '@icebreaker/server';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomData, receiveRelayed, sendRelayed } from '../helpers/relay.js';
import { captureLog, type Harness, metric, startHarness } from '../helpers/server.js';
import type { Frame, TestSocket } from '../helpers/socket.js';

const MiB = 1024 * 1024;
const SECRET = 'relay-test-secret-0123456789abcdef-xyz';

/** Two peers of one room, each knowing the other's id. */
async function pair(h: Harness, room: string, extra: object = {}) {
  const a = await h.peer(room, extra);
  const b = await h.peer(room, extra);
  await a.socket.next();
  return { a, b };
}

describe('the relay', () => {
  let h: Harness;
  let calm: { a: { socket: TestSocket; id: string }; b: { socket: TestSocket; id: string } };

  beforeAll(async () => {
    h = await startHarness({ rateMessagesPerSecond: 0, rateBytesPerSecond: 0 });
    // A pair in a room of its own, which must never notice anything the tests below do.
    calm = await pair(h, 'calm');
  });
  afterAll(() => h.close());

  async function calmStillRelays(): Promise<void> {
    const { data, sha256 } = randomData(40_000);
    sendRelayed(calm.a.socket, calm.b.id, data);
    expect(await receiveRelayed(calm.b.socket, calm.a.id, data.byteLength)).toEqual({ sha256, frames: 3 });
    expect([calm.a.socket.pending, calm.b.socket.pending, calm.b.socket.binaryPending]).toEqual([[], [], []]);
  }

  it('welcomes a peer with the relay payload size', async () => {
    const { a } = await pair(h, 'welcome');
    expect(a.welcome.relay).toEqual({ payloadBytes: RELAY_PAYLOAD_MAX });
  });

  it('carries 5 MiB each way in 16 KiB frames: the same bytes, in order, naming the sender', async () => {
    const { a, b } = await pair(h, 'five');
    const ab = randomData(5 * MiB);
    const ba = randomData(5 * MiB);
    sendRelayed(a.socket, b.id, ab.data);
    sendRelayed(b.socket, a.id, ba.data);
    const [atB, atA] = await Promise.all([
      receiveRelayed(b.socket, a.id, ab.data.byteLength),
      receiveRelayed(a.socket, b.id, ba.data.byteLength),
    ]);
    expect(atB).toEqual({ sha256: ab.sha256, frames: 320 });
    expect(atA).toEqual({ sha256: ba.sha256, frames: 320 });
    expect([a.socket.pending, b.socket.pending, a.socket.binaryPending, b.socket.binaryPending]).toEqual([[], [], [], []]);
  });

  it('keeps the largest payload whole and interleaves relay frames with signals in the order they were sent', async () => {
    const { a, b } = await pair(h, 'mixed');
    const big = randomData(RELAY_PAYLOAD_MAX);
    a.socket.send({ type: 'signal', to: b.id, data: { kind: 'end-of-candidates' } });
    a.socket.ws.send(encodeRelayFrame(b.id, big.data));
    a.socket.send({ type: 'signal', to: b.id, seq: 1, data: { kind: 'end-of-candidates' } });
    expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: { kind: 'end-of-candidates' } });
    expect(await receiveRelayed(b.socket, a.id, RELAY_PAYLOAD_MAX)).toEqual({ sha256: big.sha256, frames: 1 });
    expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, seq: 1, data: { kind: 'end-of-candidates' } });
  });

  const id16 = 'AAAAAAAAAAAAAAAA';
  const BAD: Array<{ name: string; frame: (self: string) => Buffer; code: string }> = [
    { name: 'an empty binary frame', frame: () => Buffer.alloc(0), code: 'bad-relay-frame' },
    { name: 'two bytes', frame: () => Buffer.from([1, 1]), code: 'bad-relay-frame' },
    { name: 'another frame type', frame: () => Buffer.from([2, 1, 65, 0]), code: 'bad-relay-frame' },
    { name: 'a peer id of length 0', frame: () => Buffer.from([1, 0, 65, 0]), code: 'bad-relay-frame' },
    { name: 'an id longer than the frame', frame: () => Buffer.from([1, 200, 65, 65]), code: 'bad-relay-frame' },
    { name: 'no payload', frame: () => Buffer.from([1, 16, ...Buffer.from(id16)]), code: 'bad-relay-frame' },
    { name: 'an id that is not UTF-8', frame: () => Buffer.from([1, 2, 0xc3, 0x28, 1]), code: 'bad-relay-frame' },
    {
      name: 'a payload one byte over the limit',
      frame: () => Buffer.concat([Buffer.from([1, 16]), Buffer.from(id16), Buffer.alloc(RELAY_PAYLOAD_MAX + 1)]),
      code: 'bad-relay-frame',
    },
    { name: 'a peer that does not exist', frame: () => Buffer.from(encodeRelayFrame(id16, Buffer.from('hi'))), code: 'unknown-peer' },
    { name: 'itself', frame: (self) => Buffer.from(encodeRelayFrame(self, Buffer.from('hi'))), code: 'unknown-peer' },
    { name: 'a 255-byte id', frame: () => Buffer.from(encodeRelayFrame('x'.repeat(255), Buffer.from('hi'))), code: 'unknown-peer' },
  ];

  it.each(BAD)('answers $name with $code, keeps the connection, and disturbs no other room', async ({ frame, code }) => {
    const { a, b } = await pair(h, `bad-${Math.random().toString(36).slice(2, 8)}`);
    a.socket.send(frame(a.id));
    expect(await a.socket.next()).toMatchObject({ type: 'error', code, message: expect.any(String) });
    // The offender still relays to its own peer.
    a.socket.ws.send(encodeRelayFrame(b.id, Buffer.from('still here')));
    expect((await b.socket.nextBinary()).subarray(18).toString()).toBe('still here');
    await calmStillRelays();
  });

  it('answers a relay frame before join with not-joined', async () => {
    const s = await h.socket();
    s.send(Buffer.from(encodeRelayFrame(calm.b.id, Buffer.from('x'))));
    expect(await s.next()).toMatchObject({ type: 'error', code: 'not-joined' });
    expect(await s.join('later')).toMatchObject({ type: 'welcome' });
    await calmStillRelays();
  });

  it('never reaches a peer of another room, and says no more than for an id that does not exist', async () => {
    const outsider = await h.peer('elsewhere');
    outsider.socket.send(Buffer.from(encodeRelayFrame(calm.b.id, Buffer.from('knock'))));
    const real = await outsider.socket.next();
    outsider.socket.send(Buffer.from(encodeRelayFrame('QUFBQUFBQUFBQUFB', Buffer.from('knock'))));
    const fake = await outsider.socket.next();
    expect(real).toMatchObject({ type: 'error', code: 'unknown-peer' });
    expect(String(real.message).replace(calm.b.id, 'ID')).toBe(String(fake.message).replace('QUFBQUFBQUFBQUFB', 'ID'));
    await calmStillRelays();
    expect(calm.b.socket.binaryPending).toEqual([]);
  });

  it('answers any bytes with a typed error and keeps serving (fast-check, 2,000 frames)', async () => {
    const { a } = await pair(h, 'fuzz');
    const relayish = fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 60 }))
      .map(([length, rest]) => Buffer.concat([Buffer.from([1, length]), Buffer.from(rest)]));
    const anyBytes = fc.oneof(
      fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
      relayish,
    );
    await fc.assert(
      fc.asyncProperty(anyBytes, async (frame) => {
        a.socket.send(frame);
        const answer = await a.socket.next();
        expect(answer.type).toBe('error');
        expect(['bad-relay-frame', 'unknown-peer']).toContain(answer.code);
        expect(Object.keys(ERROR_CODES)).toContain(answer.code);
      }),
      { numRuns: 2000 },
    );
    expect(a.socket.ws.readyState).toBe(a.socket.ws.OPEN);
    expect((await fetch(new URL('/healthz', h.server.url))).status).toBe(200);
    await calmStillRelays();
  }, 60_000);
});

describe('relay modes, requests and metrics', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('--relay off: no relay in the welcome; frames and open requests get relay-unavailable', async () => {
    h = await startHarness({ relay: 'off' });
    const { a, b } = await pair(h, 'off');
    expect(a.welcome).not.toHaveProperty('relay');
    expect(b.welcome).not.toHaveProperty('relay');
    a.socket.send(Buffer.from(encodeRelayFrame(b.id, Buffer.from('x'))));
    expect(await a.socket.next()).toMatchObject({
      type: 'error',
      code: 'relay-unavailable',
      message: expect.stringContaining('--relay off'),
    });
    a.socket.send({ type: 'relay', id: 'r1', to: b.id, state: 'open' });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'relay-unavailable', re: 'r1' });
    expect(b.socket.binaryPending).toEqual([]);
  });

  it('--relay token: only a peer whose room token carries relay: true hears of the relay and may use it, resumed or not', async () => {
    h = await startHarness({ relay: 'token', authSecret: SECRET, resumeGraceMs: 10_000 });
    const token = (relay?: boolean, room = 'tok') =>
      mintRoomToken(SECRET, { room, ttlMs: 60_000, ...(relay === undefined ? {} : { relay }) });
    const a = await h.peer('tok', { token: await token(true) });
    const b = await h.peer('tok', { token: await token() });
    await a.socket.next();
    expect(a.welcome.relay).toEqual({ payloadBytes: RELAY_PAYLOAD_MAX });
    expect(b.welcome).not.toHaveProperty('relay');

    b.socket.send(Buffer.from(encodeRelayFrame(a.id, Buffer.from('x'))));
    expect(await b.socket.next()).toMatchObject({
      type: 'error',
      code: 'relay-unavailable',
      message: expect.stringContaining('"relay": true'),
    });
    b.socket.send({ type: 'relay', id: 2, to: a.id, state: 'open' });
    expect(await b.socket.next()).toMatchObject({ type: 'error', code: 'relay-unavailable', re: 2 });

    a.socket.send(Buffer.from(encodeRelayFrame(b.id, Buffer.from('granted'))));
    expect((await b.socket.nextBinary()).subarray(18).toString()).toBe('granted');

    // The claim travels in the resume token: the place taken back may still relay.
    await a.socket.close();
    const back = await h.socket();
    const welcome = await back.join('tok', { resume: a.welcome.resumeToken });
    expect(welcome).toMatchObject({ resumed: true, relay: { payloadBytes: RELAY_PAYLOAD_MAX } });
    back.send(Buffer.from(encodeRelayFrame(b.id, Buffer.from('again'))));
    expect((await b.socket.nextBinary()).subarray(18).toString()).toBe('again');

    // And a token that says relay: false is a token without the claim.
    const c = await h.peer('tok-2', { token: await token(false, 'tok-2') });
    expect(c.welcome).not.toHaveProperty('relay');
  });

  it('counts relayed bytes, active relays and upgrades, and logs each relay request', async () => {
    const { logger, lines } = captureLog();
    h = await startHarness({ logger, roomCapacity: 3 });
    const m = (sample: string) => metric(h.server, sample);
    const { a, b } = await pair(h, 'metrics');
    const c = await h.peer('metrics');
    await Promise.all([a.socket.next(), b.socket.next()]);

    const { data } = randomData(100_000);
    sendRelayed(a.socket, b.id, data);
    await receiveRelayed(b.socket, a.id, data.byteLength);
    // Frames as they crossed: 7 frames, each with its 18-byte header.
    expect(await m('icebreaker_relayed_bytes_total')).toBe(100_000 + 7 * 18);

    const ask = async (socket: TestSocket, to: string, state: string) => {
      socket.send({ type: 'relay', to, state });
      // Requests are not answered; a probe that is tells that they have been handled.
      socket.send({ type: 'probe', id: 'p' });
      expect(await socket.next()).toMatchObject({ code: 'unknown-type', re: 'p' });
    };
    await ask(a.socket, b.id, 'open');
    await ask(b.socket, a.id, 'open');
    await ask(a.socket, b.id, 'open');
    expect(await m('icebreaker_relays_active')).toBe(2);
    await ask(a.socket, b.id, 'upgraded');
    expect([await m('icebreaker_relays_active'), await m('icebreaker_relay_upgrades_total')]).toEqual([1, 1]);
    await ask(b.socket, a.id, 'closed');
    expect([await m('icebreaker_relays_active'), await m('icebreaker_relay_upgrades_total')]).toEqual([0, 1]);
    // A relay still open when its peer leaves ends with it.
    await ask(c.socket, a.id, 'open');
    expect(await m('icebreaker_relays_active')).toBe(1);
    c.socket.send({ type: 'leave' });
    const left: Frame = await a.socket.next();
    expect(left).toMatchObject({ type: 'peer-left', peerId: c.id });
    expect(await m('icebreaker_relays_active')).toBe(0);
    expect(lines.filter((l) => l.event === 'relay').map((l) => [l.peer, l.to, l.state])).toEqual([
      [a.id, b.id, 'open'],
      [b.id, a.id, 'open'],
      [a.id, b.id, 'upgraded'],
      [b.id, a.id, 'closed'],
      [c.id, a.id, 'open'],
    ]);
  });
});
