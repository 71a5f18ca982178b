import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** A scratch folder for one test file; `dispose` removes it. */
export async function scratch(): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'icebreaker-files-'));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `bytes` of random data to `path` (1 MiB at a time) and returns its SHA-256. */
export async function randomFile(path: string, bytes: number): Promise<string> {
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < bytes; written += block.length) {
    const chunk = block.subarray(0, Math.min(block.length, bytes - written));
    randomFillSync(chunk);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  return hash.digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A file on disk as the library's FileSource (a file-backed Blob: nothing is read ahead). */
export async function fileSource(path: string, name: string) {
  const blob = await openAsBlob(path);
  return Object.assign(blob, { name });
}

/** A WritableStream that writes to a file, for IncomingTransfer.accept. */
export function fileSink(path: string): WritableStream<Uint8Array> {
  return Writable.toWeb(createWriteStream(path)) as WritableStream<Uint8Array>;
}

/** Samples this process's resident memory until stopped; returns the peak growth over the start. */
export function memoryPeak(): { stop: () => number } {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) - start;
    },
  };
}
