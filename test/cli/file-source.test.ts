import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSource } from '../../packages/cli/src/file-source.js';
import { scratch } from '../helpers/files.js';

const GiB = 1024 ** 3;

describe('the terminal peer reads the files it sends', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeEach(async () => {
    files = await scratch();
  });
  afterEach(async () => {
    await files.dispose();
  });

  it('reads the right bytes past 2 and 4 GiB, where fs.openAsBlob reports the size modulo 4 GiB and empty slices', async () => {
    // A sparse file (no disk used) of 4 GiB + 3 bytes, with marks just before 2 GiB, across 4 GiB and at its end.
    const path = join(files.dir, 'huge.bin');
    const size = 4 * GiB + 3;
    const handle = await open(path, 'w');
    await handle.write(Buffer.from([1, 2, 3, 4]), 0, 4, 2 * GiB - 2);
    await handle.write(Buffer.from([5, 6, 7, 8, 9]), 0, 5, 4 * GiB - 2);
    await handle.close();

    const source = fileSource(path, size, 'huge.bin');
    const read = async (start: number, end: number) => [...new Uint8Array(await source.slice(start, end).arrayBuffer())];
    expect(source).toMatchObject({ size, name: 'huge.bin' });
    expect(await read(2 * GiB - 3, 2 * GiB + 3)).toEqual([0, 1, 2, 3, 4, 0]);
    expect(await read(4 * GiB - 2, size)).toEqual([5, 6, 7, 8, 9]);
    // A slice past the end stops at the end, as a Blob's does.
    expect(await read(size - 1, size + 10)).toEqual([9]);
  });
});
