import { chunkCount, describeIssues, IcebreakerError, TransferHead, type TransferInfo } from '@icebreaker/protocol';
import * as v from 'valibot';

/** A partial file's bytes are kept in `<name>` + this, beside where the file will be saved. */
export const PART_SUFFIX = '.icebreaker-part';

/** …and what is known of them in `<name>` + this: see {@link encodeManifestHead}. */
export const MANIFEST_SUFFIX = '.icebreaker-manifest';

/** What marks a manifest's first line as one, and which version of this format it is. */
const FORMAT = 'icebreaker-partial/1';

/** A line of the manifest is one chunk's SHA-256 in hex, and its newline. */
export const HASH_LINE_BYTES = 65;

/**
 * A manifest larger than this is not read (one of a 1 TiB file in 1 MiB chunks is 68 MB): a file
 * that grew without bound, or was never a manifest, is not loaded into memory.
 */
export const MANIFEST_MAX_BYTES = 128 * 1024 * 1024;

const Head = v.object({ format: v.literal(FORMAT), info: v.unknown() });

/** What a manifest holds: the transfer's `info`, and the hashes of the chunks written, in order. */
export interface Manifest {
  readonly info: TransferInfo;
  /** Hashes of complete lines only: a line cut short by a kill mid-append does not count. */
  readonly hashes: readonly string[];
  /** Whether the text ends in a line cut short, or holds more hashes than the file has chunks: it needs rewriting. */
  readonly ragged: boolean;
}

/**
 * The first line of a manifest: the format, and the transfer's `info` as the sender's head gave it,
 * as JSON. Each chunk's hash is then appended on a line of its own, once the chunk's bytes are
 * written, so the manifest never claims a chunk the part file may lack, and a chunk costs one small
 * append rather than a rewrite (a 4 GiB file has 4,096 chunks).
 */
export function encodeManifestHead(info: TransferInfo): string {
  return `${JSON.stringify({ format: FORMAT, info })}\n`;
}

/** A complete manifest: the head, then a line per hash. */
export function encodeManifest(info: TransferInfo, hashes: readonly string[]): string {
  return encodeManifestHead(info) + hashes.map((hash) => `${hash}\n`).join('');
}

/**
 * Reads a manifest's text. Throws an `IcebreakerError` with code `transfer-failed` for anything that
 * is not one: no head line, a head that is not this format, info the protocol's `head` schema
 * refuses, or a complete line that is not a SHA-256. The last line, without its newline, is taken for
 * an append a kill cut short, and ignored.
 */
export function decodeManifest(text: string): Manifest {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const [first, ...hashLines] = lines;
  if (first === undefined) throw junk('it has no complete first line');
  let json: unknown;
  try {
    json = JSON.parse(first);
  } catch {
    throw junk('its first line is not JSON');
  }
  const head = v.safeParse(Head, json);
  if (!head.success) throw junk(`its first line is not an ${FORMAT} head`);
  const parsed = v.safeParse(TransferHead, { ...(head.output.info as object), t: 'head' });
  if (!parsed.success) throw junk(`its transfer info is not valid: ${describeIssues(parsed.issues)}`);
  const { t: _, ...info } = parsed.output;
  const bad = hashLines.findIndex((line) => !/^[0-9a-f]{64}$/.test(line));
  if (bad !== -1) throw junk(`line ${bad + 2} is not a SHA-256`);
  const count = chunkCount(info.size, info.chunk);
  return { info, hashes: hashLines.slice(0, count), ragged: tail !== '' || hashLines.length > count };
}

function junk(why: string): IcebreakerError {
  return new IcebreakerError('transfer-failed', `not a partial transfer's manifest: ${why}`);
}
