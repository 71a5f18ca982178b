import { open } from 'node:fs/promises';
import type { FileSource } from '@icebreaker/client';

/**
 * The file at `path` (`size` bytes, from its `stat`) as the library's {@link FileSource}: each slice
 * is one positioned read of exactly its bytes, into a buffer of its own, so nothing but the chunks
 * being sent is ever held. Not `fs.openAsBlob`: Node (20 to 23 at least) reports such a Blob's size
 * modulo 4 GiB and returns empty slices past 2 GiB (nodejs/node#52585), so a 4 GiB file was sent as
 * an empty one, "done" and verified (found by bench/big.ts). A read opens the file and closes it
 * again: a folder of thousands of files holds no descriptor between chunks.
 */
export function fileSource(path: string, size: number, name: string): FileSource {
  return {
    size,
    name,
    slice: (start, end) => ({ arrayBuffer: () => readRange(path, start, Math.min(end, size) - start) }),
  };
}

/** Reads `length` bytes of `path` from `position` (fewer if the file has shrunk meanwhile). */
async function readRange(path: string, position: number, length: number): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(Math.max(length, 0));
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === bytes.length ? bytes.buffer : bytes.buffer.slice(0, filled);
  } finally {
    await handle.close();
  }
}
