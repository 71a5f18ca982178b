import * as v from 'valibot';
import type { ErrorCode } from './errors.js';
import { RequestId } from './fields.js';
import { describeIssues } from './issues.js';
import { ClientMessage, ServerMessage } from './messages.js';

/** Why a frame could not be decoded. `re` is the frame's request id when one could be read. */
export interface DecodeFailure {
  readonly code: Extract<ErrorCode, 'bad-json' | 'binary-frame' | 'invalid-message' | 'unknown-type'>;
  readonly message: string;
  readonly re?: RequestId;
}

/** The result of decoding one frame: a typed message or a typed failure. Decoding never throws. */
export type DecodeResult<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: DecodeFailure };

type MessageUnion = typeof ClientMessage | typeof ServerMessage;

const MAX_DETAIL = 300;

function makeDecoder<S extends MessageUnion>(schema: S): (frame: unknown) => DecodeResult<v.InferOutput<S>> {
  // The union's member for each `type`: the decoder checks the type itself, then parses with that
  // member alone (what the variant would pick anyway, without trying the others).
  const byType = new Map<string, S['options'][number]>(schema.options.map((option) => [option.entries.type.literal, option]));
  return (frame) => {
    if (typeof frame !== 'string') {
      return fail('binary-frame', 'binary frames are not accepted; send JSON text');
    }
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch {
      return fail('bad-json', 'the frame is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail('invalid-message', 'a message must be a JSON object with a "type"');
    }
    const record = value as Record<string, unknown>;
    // The request id is read only for an answer that needs it: a valid message carries its own.
    const re = () => {
      const id = v.safeParse(RequestId, record.id);
      return id.success ? id.output : undefined;
    };
    if (typeof record.type !== 'string') {
      return fail('invalid-message', 'a message must have a string "type"', re());
    }
    const member = byType.get(record.type);
    if (!member) {
      return fail('unknown-type', `unknown message type "${record.type.slice(0, 64)}"`, re());
    }
    const parsed = v.safeParse(member, value);
    if (!parsed.success) {
      return fail('invalid-message', `invalid "${record.type}" message: ${describeIssues(parsed.issues, MAX_DETAIL)}`, re());
    }
    return { ok: true, message: parsed.output as v.InferOutput<S> };
  };
}

function fail(code: DecodeFailure['code'], message: string, re?: RequestId): { ok: false; error: DecodeFailure } {
  return { ok: false, error: re === undefined ? { code, message } : { code, message, re } };
}

/**
 * Decodes a frame sent by a client (the server's inbound side). Unknown fields are dropped, so a
 * client cannot smuggle a `from` into a relayed signal.
 *
 * @example
 * ```ts
 * const result = decodeClientMessage(isBinary ? data : data.toString());
 * if (!result.ok) reply({ type: 'error', ...result.error });
 * else if (result.message.type === 'join') handleJoin(result.message);
 * ```
 */
export const decodeClientMessage = /* @__PURE__ */ makeDecoder(ClientMessage);

/** Decodes a frame sent by the server (the client's inbound side). */
export const decodeServerMessage = /* @__PURE__ */ makeDecoder(ServerMessage);

/** Serialises a message for the wire. Both ends use it so the encoding lives in one place. */
export function encode(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
