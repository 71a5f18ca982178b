import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frames, Kind, Reassembler } from '../../packages/client/src/framing.js';

describe('framing and the Reassembler', () => {
  it('splits any message into frames of at most frameBytes and puts it back together', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.integer({ min: 2, max: 700 }),
        fc.constantFrom(Kind.Text, Kind.Binary, Kind.Json),
        (body, frameBytes, kind) => {
          const reassembler = new Reassembler(10_000);
          const parts = [...frames(kind, body, frameBytes)];
          expect(parts.every((frame) => frame.byteLength <= frameBytes)).toBe(true);
          const results = parts.map((frame) => reassembler.push(frame));
          expect(results.slice(0, -1).every((r) => 'done' in r && !r.done)).toBe(true);
          expect(results.at(-1)).toEqual({ done: true, kind, body });
        },
      ),
    );
  });

  it('turns any bytes into a message, a wait, or an error: never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 50 }), (input) => {
        const reassembler = new Reassembler(256);
        for (const frame of input) {
          const result = reassembler.push(frame);
          expect('error' in result || 'done' in result).toBe(true);
        }
      }),
    );
  });

  it('refuses a message beyond its bound, then reads the next one', () => {
    const reassembler = new Reassembler(10);
    const big = [...frames(Kind.Binary, new Uint8Array(11), 4)];
    const results = big.map((frame) => reassembler.push(frame));
    expect(results.some((r) => 'error' in r && /larger than 10 bytes/.test(r.error))).toBe(true);
    const [small] = [...frames(Kind.Text, new Uint8Array([104, 105]), 64)];
    expect(reassembler.push(small as Uint8Array)).toEqual({ done: true, kind: Kind.Text, body: new Uint8Array([104, 105]) });
  });

  it('names an empty frame and an unknown kind', () => {
    const reassembler = new Reassembler(10);
    expect(reassembler.push(new Uint8Array())).toEqual({ error: 'empty frame' });
    expect(reassembler.push(new Uint8Array([0x83]))).toEqual({ error: 'unknown frame kind 3' });
  });
});
