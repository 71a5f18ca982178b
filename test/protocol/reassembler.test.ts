import { encodeFrame, encodeFrames, type FramedMessage, FrameKind, Reassembler } from '@icebreaker/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const kinds = fc.constantFrom(FrameKind.Text, FrameKind.Binary, FrameKind.Json);

describe('the Reassembler', () => {
  it('splits any message into frames of at most frameBytes and puts it back together', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 2, max: 700 }), kinds, (body, frameBytes, kind) => {
        const reassembler = new Reassembler(10_000);
        const parts = [...encodeFrames(kind, body, frameBytes)];
        expect(parts.every((frame) => frame.byteLength <= frameBytes)).toBe(true);
        const results = parts.map((frame) => reassembler.push(frame.buffer));
        expect(results.slice(0, -1).every((r) => r.ok && r.value === null)).toBe(true);
        expect(results.at(-1)).toEqual({ ok: true, value: { kind, body } });
      }),
    );
  });

  it('gives back every message of a stream of messages, in order, whatever their frame sizes', () => {
    const message = fc.record({ kind: kinds, body: fc.uint8Array({ maxLength: 400 }), frameBytes: fc.integer({ min: 2, max: 300 }) });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), (messages) => {
        const reassembler = new Reassembler(1000);
        const out: FramedMessage[] = [];
        for (const { kind, body, frameBytes } of messages) {
          for (const frame of encodeFrames(kind, body, frameBytes)) {
            const result = reassembler.push(frame);
            if (!result.ok) return expect.fail(result.error.message);
            if (result.value) out.push(result.value);
          }
        }
        expect(out).toEqual(messages.map(({ kind, body }) => ({ kind, body })));
      }),
      { numRuns: 500 },
    );
  });

  it('turns any sequence of arbitrary frames into messages, waits or typed failures, never a throw', () => {
    const anyFrame = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((bytes) => bytes.slice().buffer),
      fc.record({ kind: kinds, final: fc.boolean(), body: fc.uint8Array({ maxLength: 64 }) }).map((f) => encodeFrame(f).buffer),
      fc.anything(),
    );
    fc.assert(
      fc.property(fc.array(anyFrame, { maxLength: 60 }), (input) => {
        const reassembler = new Reassembler(256);
        for (const frame of input) {
          const result = reassembler.push(frame);
          if (result.ok) {
            if (result.value) expect(result.value.body.byteLength).toBeLessThanOrEqual(256);
          } else {
            expect(result.error.code).toBe('message-failed');
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a message beyond its bound as soon as it passes it, drops the rest of it, then reads the next one', () => {
    const reassembler = new Reassembler(10);
    // 30 bytes in frames of 3: the fourth frame takes the message to 12 bytes, past the bound.
    const big = [...encodeFrames(FrameKind.Binary, new Uint8Array(30), 4)];
    const results = big.map((frame) => reassembler.push(frame));
    expect(results.slice(0, 3).every((r) => r.ok && r.value === null)).toBe(true);
    expect(results[3]).toEqual({ ok: false, error: { code: 'message-failed', message: 'message larger than 10 bytes' } });
    // Its tail (frames 5 to 10, the last one final) never passes for a message of its own.
    expect(results.slice(4)).toEqual(results.slice(4).map(() => ({ ok: true, value: null })));
    const [small] = [...encodeFrames(FrameKind.Text, new Uint8Array([104, 105]), 64)];
    expect(reassembler.push(small)).toEqual({ ok: true, value: { kind: FrameKind.Text, body: new Uint8Array([104, 105]) } });
  });

  it('drops a message under way when a bad frame arrives, and starts afresh', () => {
    const reassembler = new Reassembler(100);
    expect(reassembler.push(encodeFrame({ kind: FrameKind.Text, final: false, body: new Uint8Array([1]) }))).toEqual({
      ok: true,
      value: null,
    });
    expect(reassembler.push(new Uint8Array([0x83])).ok).toBe(false);
    expect(reassembler.push(encodeFrame({ kind: FrameKind.Text, final: true, body: new Uint8Array([2]) }))).toEqual({
      ok: true,
      value: { kind: FrameKind.Text, body: new Uint8Array([2]) },
    });
  });
});
