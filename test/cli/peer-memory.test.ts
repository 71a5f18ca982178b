import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliTransfer } from '../helpers/cli-transfer.js';
import { randomFile, scratch } from '../helpers/files.js';
import { MEMORY_BOUNDS } from '../helpers/memory-bounds.js';
import { killPeers } from './peer-process.js';

const MiB = 1024 * 1024;
/** Larger than the bound on purpose: a receiver that held the file in memory would fail the test. */
const SIZE = 512 * MiB;

describe('icebreaker peer --send → --receive of a large file', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeEach(async () => {
    files = await scratch();
  });
  afterEach(async () => {
    killPeers();
    await files.dispose();
  });

  it(`lands with the source's SHA-256 while the receiving process stays under ${MEMORY_BOUNDS.cliReceiver / MiB} MiB`, {
    timeout: 300_000,
  }, async () => {
    const source = join(files.dir, 'big.bin');
    const digest = await randomFile(source, SIZE);
    const result = await cliTransfer(source, SIZE, files.dir);
    console.log(
      `512 MiB CLI → CLI: ${(SIZE / MiB / result.seconds).toFixed(1)} MiB/s; peak RSS receiver ${(result.peaks.receiver.hwm / MiB).toFixed(0)} MiB, sender ${(result.peaks.sender.hwm / MiB).toFixed(0)} MiB, server ${(result.peaks.server.hwm / MiB).toFixed(0)} MiB`,
    );
    expect(result.sha256).toBe(digest);
    expect(result.peaks.receiver.samples).toBeGreaterThan(result.seconds * 2);
    expect(result.peaks.receiver.hwm).toBeLessThan(MEMORY_BOUNDS.cliReceiver);
  });
});
