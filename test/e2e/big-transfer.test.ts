import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomFile, scratch } from '../helpers/files.js';
import { MEMORY_BOUNDS } from '../helpers/memory-bounds.js';
import { tabTransfer } from '../helpers/tab-transfer.js';

const MiB = 1024 * 1024;
/**
 * Larger than the bound on purpose: a receiving tab that held the file in memory (a Blob of chunks,
 * chunks kept after their write) would pass the bound, and the test would fail.
 */
const SIZE = 512 * MiB;

describe('a large file between two Chromium tabs, received into the OPFS store', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeEach(async () => {
    files = await scratch();
  });
  afterEach(async () => {
    await files.dispose();
  });

  it(`arrives with the source's SHA-256 while the receiving renderer stays under ${MEMORY_BOUNDS.receivingRenderer / MiB} MiB`, {
    timeout: 600_000,
  }, async () => {
    const source = join(files.dir, 'big.bin');
    const digest = await randomFile(source, SIZE);
    const result = await tabTransfer(source, SIZE, files.dir);
    const text = (name: keyof typeof result.peaks) => `${name} ${(result.peaks[name].hwm / MiB).toFixed(0)} MiB`;
    console.log(
      `512 MiB tab → tab: ${(SIZE / MiB / result.seconds).toFixed(1)} MiB/s; peak RSS ${(['receiver', 'sender', 'browser', 'server'] as const).map(text).join(', ')}; JS heap after GC: receiver ${(result.heapAfterGc.receiver / MiB).toFixed(1)} MiB, sender ${(result.heapAfterGc.sender / MiB).toFixed(1)} MiB`,
    );
    expect(result.sha256).toBe(digest);
    // Sampled while the file moved, and more than once a second: the peaks are of this transfer.
    expect(result.peaks.receiver.samples).toBeGreaterThan(result.seconds * 2);
    expect(result.peaks.receiver.hwm).toBeLessThan(MEMORY_BOUNDS.receivingRenderer);
  });
});
