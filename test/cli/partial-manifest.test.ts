import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeManifest, encodeManifest } from '../../packages/cli/src/partial-manifest.js';

const info = { id: 'abc', name: 'a.bin', size: 40_000, type: '', chunk: 16_384, hash: 'sha-256' as const };
const hash = (n: number) => n.toString(16).padStart(64, '0');

describe('partial manifests: what a killed receiver left on disk', () => {
  it('reads back what was written, a line cut short ignored and marked for rewriting', () => {
    const text = encodeManifest(info, [hash(1), hash(2)]);
    expect(decodeManifest(text)).toEqual({ info, hashes: [hash(1), hash(2)], ragged: false });
    expect(decodeManifest(`${text}${hash(3).slice(0, 30)}`)).toEqual({ info, hashes: [hash(1), hash(2)], ragged: true });
    expect(decodeManifest(encodeManifest(info, [hash(1), hash(2), hash(3), hash(4)]))).toMatchObject({
      hashes: [hash(1), hash(2), hash(3)],
      ragged: true,
    });
  });

  it('answers any text with a manifest or a transfer-failed error, never anything else', () => {
    const good = encodeManifest(info, [hash(1)]);
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.tuple(fc.nat(good.length), fc.string({ maxLength: 40 })).map(([cut, tail]) => good.slice(0, cut) + tail),
      fc.json().map((json) => `${json}\n`),
      fc.record({ format: fc.constant('icebreaker-partial/1'), info: fc.anything() }).map((head) => `${JSON.stringify(head)}\n`),
    );
    fc.assert(
      fc.property(text, (input) => {
        try {
          const { info: read, hashes } = decodeManifest(input);
          expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
          expect(read.chunk).toBeGreaterThanOrEqual(16_384);
        } catch (error) {
          expect(error).toMatchObject({ name: 'IcebreakerError', code: 'transfer-failed' });
        }
      }),
      { numRuns: 3000 },
    );
  });
});
