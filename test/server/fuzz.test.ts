import { decodeServerMessage, ERROR_CODES } from '@icebreaker/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/server.js';
import type { Frame, TestSocket } from '../helpers/socket.js';

/** Pieces the server's schemas care about, mixed with anything at all. */
const anything = fc.oneof(fc.jsonValue(), fc.string(), fc.constantFrom(null, -1, 1.5, 2 ** 53, '', 'x'.repeat(70)));
const room = fc.oneof(fc.constantFrom('fuzz', 'fuzz-2'), fc.string({ maxLength: 70 }), anything);
const data = fc.oneof(
  fc.record({
    kind: fc.constant('description'),
    description: fc.record({ type: fc.constantFrom('offer', 'answer', 'rollback', 'x'), sdp: fc.oneof(fc.string(), anything) }),
  }),
  fc.record({
    kind: fc.constant('candidate'),
    candidate: fc.oneof(
      fc.record({ candidate: fc.string(), sdpMid: fc.option(fc.string()), sdpMLineIndex: fc.option(fc.integer()) }),
      anything,
    ),
  }),
  fc.record({ kind: fc.constantFrom('end-of-candidates', 'ack', 'other'), seq: fc.oneof(fc.nat(), anything) }),
  anything,
);
const message = fc.oneof(
  fc.record(
    {
      type: fc.constant('join'),
      id: anything,
      protocol: fc.oneof(fc.constant(1), anything),
      room,
      name: anything,
      token: anything,
      resume: anything,
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('signal'), id: anything, to: anything, seq: anything, data, from: anything }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('leave'), id: anything }, { requiredKeys: ['type'] }),
  fc.record(
    { type: fc.constant('relay'), id: anything, to: anything, state: fc.oneof(fc.constantFrom('open', 'upgraded', 'closed'), anything) },
    { requiredKeys: ['type'] },
  ),
  fc.dictionary(fc.string({ maxLength: 8 }), anything),
);
/** One frame as it goes on the wire: JSON of a message, any text, or binary (what the server reads as a relay frame). */
const frame = fc.oneof(
  { weight: 6, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from([1, bytes.length - 1, ...bytes])) },
);

/**
 * Arbitrary frame sequences against a real server over a real socket. Each case starts from a
 * connection that is open and not in a room (a `leave` resets it) and ends with a frame whose answer
 * is known, so every reply of the case is in hand when it is checked.
 */
describe('the server under arbitrary frame sequences (fast-check)', () => {
  let h: Harness;
  let socket: TestSocket;
  let bystander: { a: TestSocket; b: TestSocket; aId: string };

  beforeAll(async () => {
    h = await startHarness({ rateMessagesPerSecond: 0, rateBytesPerSecond: 0, joinDeadlineMs: 600_000 });
    const a = await h.peer('bystanders');
    const b = await h.peer('bystanders');
    await a.socket.next();
    bystander = { a: a.socket, b: b.socket, aId: a.id };
    socket = await h.socket();
  });
  afterAll(() => h.close());

  it('answers every frame of 10,000 sequences with a typed message, and keeps serving', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (frames) => {
        cases++;
        socket.send('{"type":"leave"}');
        for (const f of frames) socket.send(f);
        socket.send('{"type":"end","id":"end-of-case"}');
        const replies: Frame[] = [];
        for (;;) {
          const reply = await socket.next();
          if (reply.type === 'error' && reply.re === 'end-of-case') break;
          replies.push(reply);
        }
        for (const reply of replies) {
          expect(decodeServerMessage(JSON.stringify(reply)).ok, JSON.stringify(reply)).toBe(true);
          if (reply.type === 'error') expect(Object.keys(ERROR_CODES)).toContain(reply.code);
        }
        expect(socket.ws.readyState).toBe(socket.ws.OPEN);
      }),
      { numRuns: 10_000 },
    );
    expect(cases).toBe(10_000);
    const health = await fetch(new URL('/healthz', h.server.url));
    expect(health.status).toBe(200);
    bystander.a.send({ type: 'signal', data: { kind: 'end-of-candidates' } });
    expect(await bystander.b.next()).toEqual({ type: 'signal', from: bystander.aId, data: { kind: 'end-of-candidates' } });
  }, 120_000);
});
