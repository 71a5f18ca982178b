import * as v from 'valibot';
import { describeIssues } from './issues.js';
import { type PeerDecodeResult, refuse } from './peer-result.js';

/**
 * The control messages of a file transfer. Each transfer has a data channel of its own, labelled
 * {@link TRANSFER_LABEL}; on it, control messages are JSON text with a `t` field, and the file's bytes
 * are binary messages of raw bytes (no frame header). In order:
 *
 * 1. sender → `head` (what the file is; the first message on the channel);
 * 2. receiver → `go` once it knows where the file goes (no byte may come before it), or `cancel`;
 * 3. sender → the bytes, exactly `size` of them, then `end` with their SHA-256;
 * 4. receiver → `ok` if size and SHA-256 match, else `fail`; the sender then closes the channel.
 *
 * Either side may send `cancel` at any time; the side that receives it closes the channel.
 */

/** Data channels of file transfers carry this label; the peer's main channel has another. */
export const TRANSFER_LABEL = 'icebreaker-file';

/** Names and media types are cut to this many characters on arrival: they are shown, and a peer chose them. */
export const TRANSFER_TEXT_MAX = 255;

const shown = v.pipe(
  v.string(),
  v.transform((text: string) => text.slice(0, TRANSFER_TEXT_MAX)),
);

/** The sender's first message: the file's id (unique per sending peer), name, size in bytes and media type. */
export const TransferHead = v.object({
  t: v.literal('head'),
  id: v.string(),
  name: shown,
  size: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  type: shown,
});

/** The receiver is ready for the bytes. */
export const TransferGo = v.object({ t: v.literal('go') });

/** The sender has sent every byte; `sha256` is their digest in lowercase hex. */
export const TransferEnd = v.object({ t: v.literal('end'), sha256: v.string() });

/** The receiver has every byte, and their size and SHA-256 match. */
export const TransferOk = v.object({ t: v.literal('ok') });

/** The receiver refuses what arrived, and says why. */
export const TransferFail = v.object({ t: v.literal('fail'), reason: v.string() });

/** Either side stops the transfer, and says why. */
export const TransferCancel = v.object({ t: v.literal('cancel'), reason: v.string() });

/** What the sender of a file sends. */
export const SenderControl = v.variant('t', [TransferHead, TransferEnd, TransferCancel]);

/** What the receiver of a file sends. */
export const ReceiverControl = v.variant('t', [TransferGo, TransferOk, TransferFail, TransferCancel]);

export type TransferHead = v.InferOutput<typeof TransferHead>;
export type TransferGo = v.InferOutput<typeof TransferGo>;
export type TransferEnd = v.InferOutput<typeof TransferEnd>;
export type TransferOk = v.InferOutput<typeof TransferOk>;
export type TransferFail = v.InferOutput<typeof TransferFail>;
export type TransferCancel = v.InferOutput<typeof TransferCancel>;
export type SenderControl = v.InferOutput<typeof SenderControl>;
export type ReceiverControl = v.InferOutput<typeof ReceiverControl>;

/** What travels ahead of a file's bytes: the `head` message without its tag. */
export type TransferInfo = Readonly<Omit<TransferHead, 't'>>;

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
 * Reads a control message from the sender of a file (`head`, `end`, `cancel`). Never throws: binary
 * data, text that is not JSON, or JSON that is none of them is a `transfer-failed` failure.
 */
export const decodeSenderControl = /* @__PURE__ */ makeDecoder(SenderControl, 'sender');

/** Reads a control message from the receiver of a file (`go`, `ok`, `fail`, `cancel`). Never throws. */
export const decodeReceiverControl = /* @__PURE__ */ makeDecoder(ReceiverControl, 'receiver');
