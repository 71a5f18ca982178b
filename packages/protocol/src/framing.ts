import { type PeerDecodeResult, refuse } from './peer-result.js';

// The two globals of the WHATWG Encoding Standard used here, which browsers and Node both have. The
// protocol compiles with neither the DOM's types nor Node's, so that no other API of either creeps in;
// declared in this module alone, they name the globals without adding to anyone's global types.
declare const TextEncoder: new () => { encode(input?: string): Uint8Array<ArrayBuffer> };
declare const TextDecoder: new () => { decode(input?: Uint8Array): string };

/**
 * The framing of the main data channel (label {@link MAIN_LABEL}). A message is sent as one or more
 * binary frames, each one header byte and a part of the message's body:
 *
 * ```text
 *  bit  7      6 5 4 3 2      1 0
 *      FINAL   reserved (0)   KIND      KIND: 0 text (UTF-8), 1 bytes, 2 JSON (UTF-8); 3 is refused
 * ```
 *
 * FINAL is set on a message's last frame. Frames exist because a data channel message has a size
 * limit (SCTP `max-message-size`, RFC 8841 §6) that a message of the application may exceed.
 */

/** The label of each peer pair's main channel (messages); file transfers use their own channels. */
export const MAIN_LABEL = 'icebreaker';

/** What a framed message is: the low two bits of each frame's header. */
export const FrameKind = {
  Text: 0,
  Binary: 1,
  Json: 2,
} as const;

/** One of {@link FrameKind}'s values. */
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const FINAL = 0x80;
const KIND_MASK = 0x03;

/** Frames of 64 KiB or less pass between every pair of WebRTC stacks in the field. */
export const DEFAULT_FRAME_BYTES = 64 * 1024;

/**
 * The largest frame used when both sides negotiated more (`pc.sctp.maxMessageSize`, RFC 8841 §6):
 * Chromium offers 256 KiB. Fewer, larger messages cost less per byte.
 */
export const MAX_FRAME_BYTES = 256 * 1024;

/** The largest message a peer puts back together; bigger payloads belong in a file transfer. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** One frame: its header's two fields and its part of the message's body. */
export interface Frame {
  readonly kind: FrameKind;
  /** Set on the last frame of a message. */
  readonly final: boolean;
  readonly body: Uint8Array;
}

/** Writes one frame: the header byte, then the body. */
export function encodeFrame(frame: Frame): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(1 + frame.body.byteLength);
  bytes[0] = frame.kind | (frame.final ? FINAL : 0);
  bytes.set(frame.body, 1);
  return bytes;
}

/**
 * Splits a message body into frames of at most `frameBytes` bytes, header included; an empty body is
 * one frame of its header alone. Throws a `RangeError` for a `frameBytes` below 2 (no room for a body).
 *
 * @example
 * ```ts
 * const body = new TextEncoder().encode('hello');
 * for (const frame of encodeFrames(FrameKind.Text, body, DEFAULT_FRAME_BYTES)) channel.send(frame);
 * ```
 */
export function* encodeFrames(kind: FrameKind, body: Uint8Array, frameBytes: number): Generator<Uint8Array<ArrayBuffer>> {
  const room = frameBytes - 1;
  if (!(room >= 1)) throw new RangeError(`frameBytes: must be at least 2, got ${frameBytes}`);
  let offset = 0;
  do {
    const end = Math.min(offset + room, body.byteLength);
    yield encodeFrame({ kind, final: end === body.byteLength, body: body.subarray(offset, end) });
    offset = end;
  } while (offset < body.byteLength);
}

/**
 * Reads one frame as a data channel delivers it (an `ArrayBuffer`, or a `Uint8Array`). Never throws:
 * anything else, an empty frame, or kind 3 is a `message-failed` failure. The reserved bits are
 * ignored, so that a later version may use them. The body is a view of `data`, not a copy.
 */
export function decodeFrame(data: unknown): PeerDecodeResult<Frame, 'message-failed'> {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : null;
  if (!bytes) return refuse('message-failed', 'a frame must be binary (an ArrayBuffer)');
  const header = bytes[0];
  if (header === undefined) return refuse('message-failed', 'empty frame');
  const kind = header & KIND_MASK;
  if (kind > FrameKind.Json) return refuse('message-failed', `unknown frame kind ${kind}`);
  return { ok: true, value: { kind: kind as FrameKind, final: (header & FINAL) !== 0, body: bytes.subarray(1) } };
}

/** A message as it travels: its kind and its body's bytes (UTF-8 for text and JSON). */
export interface FramedMessage {
  readonly kind: FrameKind;
  readonly body: Uint8Array;
}

/**
 * A received message as the application sees it: a string (text), an `ArrayBuffer` (bytes), or the
 * parsed value of a JSON message (any JSON value, strings included).
 */
export type MessageData = string | ArrayBuffer | unknown;

/**
 * The wire form of a message the application sends: a string is text, bytes are bytes, anything
 * else is JSON. Throws a `TypeError` for a value JSON cannot carry (a function, `undefined`, a
 * `BigInt`), which is a caller's mistake. Blobs are read into bytes by the caller first.
 */
export function encodeMessage(data: string | ArrayBuffer | ArrayBufferView | unknown): FramedMessage {
  if (typeof data === 'string') return { kind: FrameKind.Text, body: new TextEncoder().encode(data) };
  if (data instanceof ArrayBuffer) return { kind: FrameKind.Binary, body: new Uint8Array(data) };
  if (ArrayBuffer.isView(data)) return { kind: FrameKind.Binary, body: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new TypeError(`send: data is not a JSON value: ${(error as Error).message}`, { cause: error });
  }
  if (json === undefined) throw new TypeError('send: data must be a string, bytes, a Blob, or a JSON value');
  return { kind: FrameKind.Json, body: new TextEncoder().encode(json) };
}

/**
 * Turns a complete message into what the application receives. Never throws: text that is not UTF-8
 * is decoded with replacement characters (as `TextDecoder` does by default), and JSON that does not
 * parse is a `message-failed` failure. Bytes are copied out, so the result owns its buffer, unless the
 * body already is a whole buffer of its own (a split message the `Reassembler` put back together).
 */
export function decodeMessage(message: FramedMessage): PeerDecodeResult<MessageData, 'message-failed'> {
  if (message.kind === FrameKind.Binary) {
    const { body } = message;
    // Already a buffer of its own: copying it again would only write the whole message once more.
    if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer)
      return { ok: true, value: body.buffer };
    return { ok: true, value: body.slice().buffer };
  }
  const text = new TextDecoder().decode(message.body);
  if (message.kind === FrameKind.Text) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return refuse('message-failed', 'JSON that does not parse');
  }
}
