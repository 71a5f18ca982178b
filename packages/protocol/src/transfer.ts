import * as v from 'valibot';
import { describeIssues } from './issues.js';
import { type PeerDecodeResult, refuse } from './peer-result.js';

/**
 * The control messages of a file transfer (version 2: resumable). Each transfer runs over a data
 * channel of its own, labelled {@link TRANSFER_LABEL}; on it, control messages are JSON text with a
 * `t` field, and the file's bytes are binary messages of raw bytes (no frame header).
 *
 * The file is cut into chunks of `chunk` bytes (the last one shorter); each chunk is checked on its
 * own with the hash the header names ({@link TRANSFER_HASH}), so a transfer cut off anywhere resumes
 * from the first chunk the receiver has not stored, and what was stored is never read again.
 *
 * 1. sender → `head` (what the file is; the first message of a channel the sender opened);
 * 2. receiver → `go` with `from`, the number of chunks it already holds from an earlier attempt (0
 *    for a new file), and their `proof` (see {@link proofOf}), or `cancel` to decline;
 * 3. sender → `at` with the chunk it starts from: `from` if the proof matches its own chunks, else 0;
 * 4. sender → for each chunk, its bytes, then `chunk` with the chunk's index and hash; it keeps at
 *    most a bounded number of chunks ahead of the receiver's `ack`s (so the receiver holds a bounded amount);
 * 5. receiver → `ack` once chunks `0 … i-1` are stored, or `rewind` when chunk `i` did not check (bytes
 *    lost when a path died): the sender goes back to chunk `i` (`at`), the receiver drops what
 *    arrives before that `at`;
 * 6. sender → `end` with the `root` (the hash of every chunk's hash, in order) after the last chunk;
 * 7. receiver → `ok` once every chunk is stored and the roots match, else `fail`; the sender closes.
 *
 * A channel that closes before `ok` interrupts the transfer without failing it. To resume, the
 * receiver opens a new transfer channel and sends `resume` with the transfer's id; a sender that
 * still has it answers with its `head` (same id) and the steps go on from 2; one that does not
 * answers `unknown`. A sender that picks the same file again (after a reload) sends a new `head`; a
 * receiver holding a partial file of that name and size answers `go` with its `from` and `proof`.
 * Either side may send `cancel` at any time; the side that receives it closes the channel.
 */

/** Data channels of file transfers carry this label; the peer's main channel has another. */
export const TRANSFER_LABEL = 'icebreaker-file';

/** Names, paths and media types are cut to this many characters on arrival: they are shown, and a peer chose them. */
export const TRANSFER_TEXT_MAX = 255;

/** A relative path in a folder sent whole is cut to this many characters. */
export const TRANSFER_PATH_MAX = 1024;

/** The hash of every chunk, and of the list of chunk hashes: SHA-256 (WebCrypto has it everywhere). */
export const TRANSFER_HASH = 'sha-256';

/** The chunk size a sender picks unless told otherwise: 1 MiB (a chunk is held whole while it is checked). */
export const CHUNK_BYTES = 1024 * 1024;

/** Bounds on the chunk size a header may name: the receiver holds a few chunks in memory. */
export const CHUNK_BYTES_MIN = 16 * 1024;
export const CHUNK_BYTES_MAX = 16 * 1024 * 1024;

const cut = (max: number) =>
  v.pipe(
    v.string(),
    v.transform((text: string) => text.slice(0, max)),
  );
const shown = cut(TRANSFER_TEXT_MAX);
const index = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const digest = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex'));

/** Several files sent together (a folder, a multiple pick): what the receiver shows one progress for. */
export const TransferGroup = v.object({
  id: v.pipe(v.string(), v.maxLength(64)),
  /** How many files, and how many bytes in all. */
  files: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  bytes: index,
});

/**
 * The sender's first message: the file's id (unique, random: it is how a resume finds the transfer),
 * name, size in bytes, media type, chunk size and hash; for a file of a folder, its `path` in the
 * folder ('/'-separated, the name last); for files sent together, their `group`.
 */
export const TransferHead = v.object({
  t: v.literal('head'),
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  name: shown,
  size: index,
  type: shown,
  chunk: v.pipe(v.number(), v.safeInteger(), v.minValue(CHUNK_BYTES_MIN), v.maxValue(CHUNK_BYTES_MAX)),
  hash: v.literal(TRANSFER_HASH),
  path: v.optional(cut(TRANSFER_PATH_MAX)),
  group: v.optional(TransferGroup),
});

/** The receiver asks the sender to resume transfer `id` (the first message of a channel the receiver opened). */
export const TransferResume = v.object({ t: v.literal('resume'), id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) });

/** The sender has no transfer of that id (any more). */
export const TransferUnknown = v.object({ t: v.literal('unknown') });

/** The receiver is ready; it holds `from` chunks already, whose hashes hash to `proof`. */
export const TransferGo = v.object({ t: v.literal('go'), from: index, proof: v.optional(digest) });

/** The bytes that follow start at chunk `i`. */
export const TransferAt = v.object({ t: v.literal('at'), i: index });

/** Chunk `i`'s bytes have all been sent; `hash` is their SHA-256. */
export const TransferChunk = v.object({ t: v.literal('chunk'), i: index, hash: digest });

/** The receiver has stored chunks `0 … i-1`. */
export const TransferAck = v.object({ t: v.literal('ack'), i: index });

/** Chunk `i` did not check: the receiver wants the bytes again from chunk `i`. */
export const TransferRewind = v.object({ t: v.literal('rewind'), i: index, reason: v.string() });

/** The sender has sent every chunk; `root` is the SHA-256 of their hashes, in order. */
export const TransferEnd = v.object({ t: v.literal('end'), root: digest });

/** The receiver has every chunk, and the roots match. */
export const TransferOk = v.object({ t: v.literal('ok') });

/** The receiver refuses what arrived, and says why. */
export const TransferFail = v.object({ t: v.literal('fail'), reason: v.string() });

/** Either side stops the transfer, and says why. */
export const TransferCancel = v.object({ t: v.literal('cancel'), reason: v.string() });

/** What the sender of a file sends. */
export const SenderControl = v.variant('t', [TransferHead, TransferUnknown, TransferAt, TransferChunk, TransferEnd, TransferCancel]);

/** What the receiver of a file sends. */
export const ReceiverControl = v.variant('t', [
  TransferResume,
  TransferGo,
  TransferAck,
  TransferRewind,
  TransferOk,
  TransferFail,
  TransferCancel,
]);

export type TransferGroup = v.InferOutput<typeof TransferGroup>;
export type TransferHead = v.InferOutput<typeof TransferHead>;
export type TransferResume = v.InferOutput<typeof TransferResume>;
export type TransferUnknown = v.InferOutput<typeof TransferUnknown>;
export type TransferGo = v.InferOutput<typeof TransferGo>;
export type TransferAt = v.InferOutput<typeof TransferAt>;
export type TransferChunk = v.InferOutput<typeof TransferChunk>;
export type TransferAck = v.InferOutput<typeof TransferAck>;
export type TransferRewind = v.InferOutput<typeof TransferRewind>;
export type TransferEnd = v.InferOutput<typeof TransferEnd>;
export type TransferOk = v.InferOutput<typeof TransferOk>;
export type TransferFail = v.InferOutput<typeof TransferFail>;
export type TransferCancel = v.InferOutput<typeof TransferCancel>;
export type SenderControl = v.InferOutput<typeof SenderControl>;
export type ReceiverControl = v.InferOutput<typeof ReceiverControl>;

/** What travels ahead of a file's bytes: the `head` message without its tag. */
export type TransferInfo = Readonly<Omit<TransferHead, 't'>>;

/** How many chunks a file of `size` bytes has in chunks of `chunk` bytes (an empty file has none). */
export function chunkCount(size: number, chunk: number): number {
  return Math.ceil(size / chunk);
}

/** Writes a control message for the transfer channel. */
export function encodeTransferControl(control: SenderControl | ReceiverControl): string {
  return JSON.stringify(control);
}

type ControlUnion = typeof SenderControl | typeof ReceiverControl;

function makeDecoder<S extends ControlUnion>(
  schema: S,
  side: string,
): (data: unknown) => PeerDecodeResult<v.InferOutput<S>, 'transfer-failed'> {
  return (data) => {
    if (typeof data !== 'string') return refuse('transfer-failed', `the ${side} sent a binary message where a control message was due`);
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return refuse('transfer-failed', `the ${side} sent a control message that is not JSON`);
    }
    const parsed = v.safeParse(schema, value);
    if (!parsed.success) return refuse('transfer-failed', `the ${side} sent an invalid control message: ${describeIssues(parsed.issues)}`);
    return { ok: true, value: parsed.output };
  };
}

/**
 * Reads a control message from the sender of a file. Never throws: binary data, text that is not
 * JSON, or JSON that is none of them is a `transfer-failed` failure.
 */
export const decodeSenderControl = /* @__PURE__ */ makeDecoder(SenderControl, 'sender');

/** Reads a control message from the receiver of a file. Never throws. */
export const decodeReceiverControl = /* @__PURE__ */ makeDecoder(ReceiverControl, 'receiver');
