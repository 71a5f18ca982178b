import {
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeFrames,
  encodeMessage,
  type FramedMessage,
  FrameKind,
  type PeerDecodeResult,
  Reassembler,
} from '@icebreaker/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const kinds = fc.constantFrom(FrameKind.Text, FrameKind.Binary, FrameKind.Json);
const frame = fc.record({ kind: kinds, final: fc.boolean(), body: fc.uint8Array({ maxLength: 300 }) });

/** A failure must carry the code the client reports and a readable message: never a bare throw. */
function expectTyped(result: PeerDecodeResult<unknown>, code: string): void {
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.error.message).toMatch(/\S/);
}

describe('the frame header', () => {
  it('round-trips: encodeFrame then decodeFrame gives the frame back', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const bytes = encodeFrame(f);
        expect(bytes.byteLength).toBe(1 + f.body.byteLength);
        const decoded = decodeFrame(bytes.buffer);
        expect(decoded).toEqual({ ok: true, value: { kind: f.kind, final: f.final, body: f.body } });
      }),
      { numRuns: 2000 },
    );
  });

  it('lays the header out as the README says: FINAL in bit 7, KIND in bits 0–1', () => {
    expect([...encodeFrame({ kind: FrameKind.Json, final: true, body: new Uint8Array([7]) })]).toEqual([0x82, 7]);
    expect([...encodeFrame({ kind: FrameKind.Binary, final: false, body: new Uint8Array() })]).toEqual([0x01]);
    // Reserved bits are ignored on arrival, so that a later version may use them.
    expect(decodeFrame(new Uint8Array([0x80 | 0x7c | 0x00, 1]))).toEqual({
      ok: true,
      value: { kind: FrameKind.Text, final: true, body: new Uint8Array([1]) },
    });
  });

  it('decodes any bytes to a frame or a typed message-failed, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const result = decodeFrame(bytes.slice().buffer);
        expectTyped(result, 'message-failed');
        // Every byte string but the empty one, and headers of kind 3, is a frame.
        expect(result.ok).toBe(bytes.length > 0 && ((bytes[0] as number) & 3) !== 3);
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes anything a channel could hand over (strings, objects, views) without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.uint8Array(), fc.int16Array()), (data) => {
        expectTyped(decodeFrame(data), 'message-failed');
      }),
      { numRuns: 2000 },
    );
    expect(decodeFrame('hello')).toEqual({
      ok: false,
      error: { code: 'message-failed', message: 'a frame must be binary (an ArrayBuffer)' },
    });
    expect(decodeFrame(new ArrayBuffer(0))).toEqual({ ok: false, error: { code: 'message-failed', message: 'empty frame' } });
    expect(decodeFrame(new Uint8Array([0x83]))).toEqual({ ok: false, error: { code: 'message-failed', message: 'unknown frame kind 3' } });
  });

  it('splits a body into frames within frameBytes, only the last one FINAL', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 2, max: 500 }), kinds, (body, frameBytes, kind) => {
        const frames = [...encodeFrames(kind, body, frameBytes)].map((bytes) => decodeFrame(bytes));
        expect(frames.length).toBe(Math.max(1, Math.ceil(body.byteLength / (frameBytes - 1))));
        const values = frames.map((result) => (result.ok ? result.value : expect.fail(result.error.message)));
        expect(values.map((f) => f.final)).toEqual(values.map((_, i) => i === values.length - 1));
        expect(values.every((f) => f.kind === kind && f.body.byteLength <= frameBytes - 1)).toBe(true);
      }),
    );
  });

  it('refuses a frameBytes with no room for a body', () => {
    expect(() => [...encodeFrames(FrameKind.Text, new Uint8Array(3), 1)]).toThrow(RangeError);
    expect(() => [...encodeFrames(FrameKind.Text, new Uint8Array(3), Number.NaN)]).toThrow(RangeError);
  });
});

describe('messages', () => {
  it('round-trips strings, bytes and JSON values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue(), fc.uint8Array({ maxLength: 200 })), (data) => {
        const decoded = decodeMessage(encodeMessage(data));
        if (!decoded.ok) return expect.fail(decoded.error.message);
        if (data instanceof Uint8Array) expect(new Uint8Array(decoded.value as ArrayBuffer)).toEqual(data);
        // JSON has no -0: it comes back as 0, as JSON.parse(JSON.stringify(-0)) does.
        else expect(decoded.value).toEqual(typeof data === 'string' ? data : JSON.parse(JSON.stringify(data)));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes any body of any kind to a value or a typed message-failed, never a throw', () => {
    fc.assert(
      fc.property(
        kinds,
        fc.oneof(
          fc.uint8Array({ maxLength: 100 }),
          fc.string().map((s) => new TextEncoder().encode(s)),
        ),
        (kind, body) => {
          const result = decodeMessage({ kind, body });
          expectTyped(result, 'message-failed');
          if (kind !== FrameKind.Json) expect(result.ok).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    expect(decodeMessage({ kind: FrameKind.Json, body: new TextEncoder().encode('{') })).toEqual({
      ok: false,
      error: { code: 'message-failed', message: 'JSON that does not parse' },
    });
  });

  it('copies bytes out of a received frame, and hands over a message put back together from frames as it is', () => {
    const frame = encodeFrame({ kind: FrameKind.Binary, final: true, body: new Uint8Array([1, 2, 3]) });
    const single = new Reassembler(100).push(frame.buffer);
    if (!single.ok || !single.value) return expect.fail('one frame is a message');
    const copied = decodeMessage(single.value);
    if (!copied.ok) return expect.fail(copied.error.message);
    // The frame's buffer holds the header too: the message gets a buffer of its own, of its bytes alone.
    expect(copied.value).not.toBe(frame.buffer);
    expect(new Uint8Array(copied.value as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));

    const reassembler = new Reassembler(100);
    let whole: FramedMessage | null = null;
    for (const part of encodeFrames(FrameKind.Binary, new Uint8Array([1, 2, 3, 4, 5]), 3)) {
      const pushed = reassembler.push(part.buffer);
      if (pushed.ok && pushed.value) whole = pushed.value;
    }
    if (!whole) return expect.fail('three frames are a message');
    const handed = decodeMessage(whole);
    if (!handed.ok) return expect.fail(handed.error.message);
    // Put back together into a buffer of its own already: a second copy would only cost time.
    expect(handed.value).toBe(whole.body.buffer);
    expect(new Uint8Array(handed.value as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
  });

  it('throws a TypeError for what JSON cannot carry (a caller mistake, not a peer fault)', () => {
    expect(() => encodeMessage(undefined)).toThrow(TypeError);
    expect(() => encodeMessage(() => 1)).toThrow(TypeError);
    expect(() => encodeMessage(10n)).toThrow(TypeError);
  });
});
