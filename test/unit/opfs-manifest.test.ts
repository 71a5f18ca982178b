import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkRecord, doneRecord, infoRecord, keepRecord, readManifest } from '../../packages/client/src/opfs-manifest.js';

const INFO = { id: 'x', name: 'été.bin', size: 3 * 65_536, type: '', chunk: 65_536, hash: 'sha-256' as const };
const hash = (n: number) => n.toString(16).padStart(64, '0');

/**
 * The OPFS store's manifest log, replayed: what a reloaded tab believes is on disk. The browser tests
 * (test/e2e/opfs-store.test.ts) run it against real files; these pin down the torn-write rules.
 */
describe('the OPFS manifest', () => {
  it('replays info, chunks, keep and done, the last info winning', () => {
    const text =
      infoRecord(INFO, 1) + chunkRecord(0, hash(0), 2) + chunkRecord(1, hash(1), 3) + keepRecord(1, 4) + chunkRecord(1, hash(9), 5);
    const state = readManifest(text + infoRecord({ ...INFO, id: 'y' }, 6) + doneRecord(7));
    expect(state).toMatchObject({ info: { ...INFO, id: 'y' }, hashes: [hash(0), hash(9)], updatedAt: 7, done: true });
    expect(state.validBytes).toBe(new TextEncoder().encode(text + infoRecord({ ...INFO, id: 'y' }, 6) + doneRecord(7)).length);
  });

  it('takes a chunk written again as the chunks from it on (a writer that started over there)', () => {
    const text = infoRecord(INFO, 1) + chunkRecord(0, hash(0), 2) + chunkRecord(1, hash(1), 3) + chunkRecord(1, hash(7), 4);
    expect(readManifest(text + chunkRecord(2, hash(2), 5)).hashes).toEqual([hash(0), hash(7), hash(2)]);
    expect(
      readManifest(infoRecord(INFO, 1) + chunkRecord(0, hash(0), 2) + chunkRecord(1, hash(1), 3) + chunkRecord(0, hash(5), 4)).hashes,
    ).toEqual([hash(5)]);
  });

  it('stops at a torn last line, and counts only the bytes before it (UTF-8)', () => {
    const whole = infoRecord(INFO, 1) + chunkRecord(0, hash(0), 2);
    const torn = chunkRecord(1, hash(1), 3).slice(0, 20);
    const state = readManifest(whole + torn);
    expect(state.hashes).toEqual([hash(0)]);
    expect(state.validBytes).toBe(new TextEncoder().encode(whole).length);
  });

  it('stops at a chunk past the next one or a bad hash, never skipping one', () => {
    expect(readManifest(infoRecord(INFO, 1) + chunkRecord(1, hash(1), 2)).hashes).toEqual([]);
    expect(readManifest(infoRecord(INFO, 1) + chunkRecord(0, hash(0), 2) + chunkRecord(-1, hash(1), 3)).hashes).toEqual([hash(0)]);
    expect(readManifest(infoRecord(INFO, 1) + chunkRecord(0, 'nope', 2) + chunkRecord(1, hash(1), 3)).hashes).toEqual([]);
  });

  it('never throws, and never yields more chunks than records, on any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const state = readManifest(text);
        expect(state.hashes.length).toBeLessThanOrEqual(text.split('\n').length);
        expect(state.validBytes).toBeLessThanOrEqual(new TextEncoder().encode(text).length);
      }),
    );
  });
});
