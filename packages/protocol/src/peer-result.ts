import type { ErrorCode } from './errors.js';

/**
 * Why something a peer sent over a data channel could not be read. The codes are the ones the client
 * reports for it (`message-failed` on the main channel, `transfer-failed` on a file's), so a failure
 * becomes an `IcebreakerError` without translation.
 */
export interface PeerDecodeFailure<Code extends ErrorCode = ErrorCode> {
  readonly code: Code;
  readonly message: string;
}

/**
 * The result of decoding one thing a peer sent (a frame, a control message): a typed value or a typed
 * failure. The decoders that return it never throw, whatever bytes or text arrive, as
 * `decodeServerMessage` never throws for a signaling frame.
 */
export type PeerDecodeResult<T, Code extends ErrorCode = ErrorCode> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: PeerDecodeFailure<Code> };

/** A failed result; the decoders' one way to say no. */
export function refuse<Code extends ErrorCode>(
  code: Code,
  message: string,
): { readonly ok: false; readonly error: PeerDecodeFailure<Code> } {
  return { ok: false, error: { code, message } };
}
