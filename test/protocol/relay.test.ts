import { decodeClientMessage, decodeServerMessage, encode, encodeRelayedSignal } from '@icebreaker/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const FROM = 'sender-id';

/** What a receiver must decode from any relay of `request`: the protocol's `signal` message. */
function expected(request: Record<string, unknown>) {
  const decoded = decodeClientMessage(JSON.stringify(request));
  if (!decoded.ok || decoded.message.type !== 'signal') throw new Error('not a valid signal request');
  const { seq, data } = decoded.message;
  return seq === undefined ? { type: 'signal', from: FROM, data } : { type: 'signal', from: FROM, seq, data };
}

/** Relays a request's text as the server does (decode, then encodeRelayedSignal) and decodes it as a client does. */
function relayed(text: string) {
  const request = decodeClientMessage(text);
  if (!request.ok || request.message.type !== 'signal') return request;
  return decodeServerMessage(encodeRelayedSignal(FROM, request.message, text));
}

const candidate = fc.record({
  candidate: fc.string({ maxLength: 200 }),
  sdpMid: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  sdpMLineIndex: fc.option(fc.nat(8), { nil: null }),
});
const data = fc.oneof(
  fc.record({ kind: fc.constant('candidate'), candidate }),
  fc.record({ kind: fc.constant('description'), description: fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.string() }) }),
  fc.constant({ kind: 'end-of-candidates' }),
);
/** Signal requests with what a client may add: `to`, `id`, `seq`, fields of its own, and tries at a `from`. */
const request = fc.record(
  {
    type: fc.constant('signal'),
    data,
    to: fc.string({ minLength: 1, maxLength: 12 }),
    id: fc.oneof(fc.string({ maxLength: 8 }), fc.nat()),
    seq: fc.nat(),
    from: fc.string({ maxLength: 12 }),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ['type', 'data'] },
);

describe('encodeRelayedSignal', () => {
  it('gives any receiver the signal the server decoded, stamped with the sender, whatever else the request carried', () => {
    fc.assert(
      fc.property(request, fc.constantFrom(0, 2), (req, indent) => {
        const text = JSON.stringify(req, null, indent);
        const result = relayed(text);
        if (!decodeClientMessage(text).ok) return;
        expect(result).toEqual({ ok: true, message: expected(req) });
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets the request name its own sender: a from key, spelled plainly or with escapes, or repeated', () => {
    const data = '{"kind":"end-of-candidates"}';
    for (const text of [
      `{"type":"signal","from":"mallory","data":${data}}`,
      `{"type":"signal","data":${data},"from":"mallory"}`,
      `{"type":"signal","\\u0066rom":"mallory","data":${data}}`,
      `{"type":"signal","data":${data},"fr\\u006fm":"mallory","from":"eve"}`,
      ` {"type":"signal","data":${data},"from":"mallory"}`,
    ]) {
      expect(relayed(text), text).toEqual({ ok: true, message: { type: 'signal', from: FROM, data: { kind: 'end-of-candidates' } } });
    }
  });

  it("sends a plain request's own text on, the sender's id put in front, so nothing is encoded twice", () => {
    const text = '{"type":"signal","seq":7,"data":{"kind":"end-of-candidates"}}';
    const request = decodeClientMessage(text);
    if (!request.ok || request.message.type !== 'signal') throw new Error('fixture');
    expect(encodeRelayedSignal(FROM, request.message, text)).toBe(`{"from":"${FROM}",${text.slice(1)}`);
    // Without the text (or when it cannot be used), the message is encoded from what was decoded.
    expect(encodeRelayedSignal(FROM, request.message)).toBe(
      encode({ type: 'signal', from: FROM, seq: 7, data: { kind: 'end-of-candidates' } }),
    );
  });

  it('keeps the last of two equal keys, as the server did when it checked the request', () => {
    const text = '{"type":"signal","data":{"kind":"bogus"},"data":{"kind":"end-of-candidates"}}';
    expect(relayed(text)).toEqual({ ok: true, message: { type: 'signal', from: FROM, data: { kind: 'end-of-candidates' } } });
    expect(decodeClientMessage('{"type":"signal","data":{"kind":"end-of-candidates"},"data":{"kind":"bogus"}}').ok).toBe(false);
  });
});
