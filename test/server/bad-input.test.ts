import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/server.js';
import type { TestSocket } from '../helpers/socket.js';

const MAX = 8 * 1024;
const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };

/** Each bad frame, the error code it must get, and whether the sender must have joined first. */
const CASES: Array<{ name: string; frame: object | string | Buffer; code: string; joined?: boolean }> = [
  { name: 'text that is not JSON', frame: 'hello', code: 'bad-json' },
  { name: 'truncated JSON', frame: '{"type":"join"', code: 'bad-json' },
  // Binary frames are relay frames: this one names a peer (1 byte: "\u0002") with a payload of one byte.
  { name: 'a binary relay frame before join', frame: Buffer.from([1, 1, 2, 3]), code: 'not-joined' },
  { name: 'a binary frame that is not a relay frame', frame: Buffer.from([2, 2, 3]), code: 'bad-relay-frame' },
  { name: 'a relay frame to no peer of the room', frame: Buffer.from([1, 1, 65, 3]), code: 'unknown-peer', joined: true },
  { name: 'a JSON array', frame: '[1,2]', code: 'invalid-message' },
  { name: 'JSON null', frame: 'null', code: 'invalid-message' },
  { name: 'a numeric type', frame: { type: 5 }, code: 'invalid-message' },
  { name: 'an unknown type', frame: { type: 'subscribe' }, code: 'unknown-type' },
  { name: 'a join without a room', frame: { type: 'join', protocol: 1 }, code: 'invalid-message' },
  { name: 'a join with a room name that is not URL-safe', frame: { type: 'join', protocol: 1, room: 'a/../b' }, code: 'invalid-message' },
  { name: 'a join with a 65-character room', frame: { type: 'join', protocol: 1, room: 'r'.repeat(65) }, code: 'invalid-message' },
  { name: 'a signal of an unknown kind', frame: { type: 'signal', data: { kind: 'sdp' } }, code: 'invalid-message', joined: true },
  {
    name: 'a rollback description',
    frame: { type: 'signal', data: { kind: 'description', description: { type: 'rollback', sdp: '' } } },
    code: 'invalid-message',
    joined: true,
  },
  {
    name: 'a candidate with a string line index',
    frame: { type: 'signal', data: { kind: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: '0' } } },
    code: 'invalid-message',
    joined: true,
  },
  {
    name: 'deeply nested JSON',
    frame: `{"type":"signal","data":${'['.repeat(3000)}${']'.repeat(3000)}}`,
    code: 'invalid-message',
    joined: true,
  },
  { name: 'a signal before join', frame: { type: 'signal', data: offer }, code: 'not-joined' },
  { name: 'a leave before join', frame: { type: 'leave' }, code: 'not-joined' },
  {
    name: 'a message over the size limit',
    frame: { type: 'signal', data: { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(MAX) } } },
    code: 'message-too-large',
    joined: true,
  },
];

describe('bad input', () => {
  let h: Harness;
  let a: { socket: TestSocket; id: string };
  let b: { socket: TestSocket; id: string };

  beforeAll(async () => {
    h = await startHarness({ maxMessageBytes: MAX });
    // A well-behaved pair in another room: it must never notice anything below.
    a = await h.peer('calm');
    b = await h.peer('calm');
    await a.socket.next();
  });
  afterAll(async () => {
    await h.close();
  });

  async function pairStillRelays(): Promise<void> {
    a.socket.send({ type: 'signal', to: b.id, data: offer });
    expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: offer });
    expect(a.socket.pending).toEqual([]);
  }

  it.each(CASES)('answers $name with $code and keeps serving', async ({ frame, code, joined }) => {
    const s = await h.socket();
    if (joined) await s.join(`bad-${code}-${Math.random().toString(36).slice(2, 8)}`);
    s.send(frame);
    expect(await s.next()).toMatchObject({ type: 'error', code, message: expect.any(String) });
    // The offender's connection survives too: it can still join a room.
    if (!joined) expect(await s.join(`after-${Math.random().toString(36).slice(2, 8)}`)).toMatchObject({ type: 'welcome' });
    await pairStillRelays();
  });

  it('echoes the request id of a bad message when it can read one', async () => {
    const s = await h.socket();
    s.send({ type: 'join', id: 'req-42', protocol: 1, room: '' });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'invalid-message', re: 'req-42' });
    s.send({ type: 'nope', id: 7 });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'unknown-type', re: 7 });
  });

  it('closes with 1009 a frame so large the transport refuses to buffer it, and only that connection', async () => {
    const s = await h.socket();
    s.send('x'.repeat(MAX * 4 + 1));
    expect((await s.closed).code).toBe(1009);
    await pairStillRelays();
  });
});

describe('a client that never joins', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ joinDeadlineMs: 300 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is closed with 1008 after the join deadline, while peers that joined in time stay and relay', async () => {
    const idle = await h.socket();
    const a = await h.peer('deadline');
    const b = await h.peer('deadline');
    expect(await a.socket.next()).toMatchObject({ type: 'peer-joined' });
    expect(await idle.closed).toEqual({ code: 1008, reason: 'no join in time' });
    // Well past the joined peers' own deadlines too.
    await new Promise((resolve) => setTimeout(resolve, 400));
    a.socket.send({ type: 'signal', data: offer });
    expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: offer });
  });
});
