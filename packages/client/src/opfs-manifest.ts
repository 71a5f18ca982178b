/**
 * The manifest of one partial file in the OPFS store: an append-only log, one JSON record a line.
 *
 * - `{"info":{…},"at":ms}`: what the file is (the transfer's head); a later one replaces it (the
 *   same file re-keyed to the id a sender gave it after a reload);
 * - `{"i":n,"h":"…","at":ms}`: chunk `n` is on disk, with that SHA-256; written only once the
 *   chunk's bytes were written and flushed, so a record never names bytes that are not there (a
 *   chunk written again replaces the chunks from it on);
 * - `{"keep":n,"at":ms}`: only the first `n` chunks count (the sender's file changed after them);
 * - `{"done":true,"at":ms}`: every chunk is in: the data file is the finished file.
 *
 * A log is never rewritten in place: a tab killed mid-append leaves at most one torn last line,
 * which {@link readManifest} stops at (and the next writer cuts off), never a half-updated record.
 */

import type { TransferInfo } from '@icebreaker/protocol';

/** A manifest replayed: the file, its chunks' hashes in order, when it last changed, whether it is finished. */
export interface ManifestState {
  readonly info: unknown;
  readonly hashes: string[];
  readonly updatedAt: number;
  readonly done: boolean;
  /** Bytes (UTF-8) of the records read: where the next record goes. Past it is a torn line. */
  readonly validBytes: number;
}

const HASH = /^[0-9a-f]{64}$/;

/** Replays a manifest's records, stopping at the first line that is torn, not JSON, or leaves a gap. */
export function readManifest(text: string): ManifestState {
  let info: unknown = null;
  const hashes: string[] = [];
  let updatedAt = 0;
  let done = false;
  let validBytes = 0;
  const encoder = new TextEncoder();
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    const line = text.slice(start, end);
    const record = parse(line);
    if (record === null) break;
    if ('info' in record) info = record.info;
    else if ('i' in record) {
      // Chunk i written again (its writer started over from there): on disk it is the later bytes, as
      // records are appended in the order the chunks were written. A record past the next chunk is a gap.
      const i = record.i;
      if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0 || i > hashes.length) break;
      if (typeof record.h !== 'string' || !HASH.test(record.h)) break;
      hashes.length = i;
      hashes.push(record.h);
    } else if ('keep' in record) {
      if (!Number.isSafeInteger(record.keep) || (record.keep as number) < 0) break;
      hashes.length = Math.min(hashes.length, record.keep as number);
    } else if ('done' in record) done = record.done === true;
    else break;
    if (typeof record.at === 'number') updatedAt = Math.max(updatedAt, record.at);
    validBytes += encoder.encode(line).length + 1;
  }
  return { info, hashes, updatedAt, done, validBytes };
}

function parse(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The record that names the file (first in a new manifest; appended again when re-keyed). */
export const infoRecord = (info: TransferInfo, at: number): string => `${JSON.stringify({ info, at })}\n`;

/** The record that says chunk `index` is on disk. */
export const chunkRecord = (index: number, hash: string, at: number): string => `${JSON.stringify({ i: index, h: hash, at })}\n`;

/** The record that keeps only the first `chunks` chunks. */
export const keepRecord = (chunks: number, at: number): string => `${JSON.stringify({ keep: chunks, at })}\n`;

/** The record that marks the file finished. */
export const doneRecord = (at: number): string => `${JSON.stringify({ done: true, at })}\n`;
