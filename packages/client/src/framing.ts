/**
 * Messages on the peer channel are split into frames no larger than the channel's maximum message size
 * (Chromium: 256 KiB, Firefox and others less) and put back together on arrival. One header byte:
 * bit 7 is set on a message's last frame, the low bits say what the message is.
 */
export enum Kind {
  Text = 0,
  Binary = 1,
  Json = 2,
}

const FINAL = 0x80;
const KIND_MASK = 0x03;

/** Frames of 64 KiB or less pass between every pair of WebRTC stacks in the field. */
export const DEFAULT_FRAME_BYTES = 64 * 1024;

/**
 * The largest frame used when both sides negotiated more (`pc.sctp.maxMessageSize`, RFC 8841 §6):
 * Chromium offers 256 KiB. Fewer, larger messages cost less per byte.
 */
export const MAX_FRAME_BYTES = 256 * 1024;

/** A received message as the application sees it. */
export type MessageData = string | ArrayBuffer | unknown;

/** Splits a message body into frames of at most `frameBytes` bytes, header included. */
export function* frames(kind: Kind, body: Uint8Array, frameBytes: number): Generator<Uint8Array<ArrayBuffer>> {
  const room = frameBytes - 1;
  if (room < 1) throw new RangeError('frameBytes: must be at least 2');
  let offset = 0;
  do {
    const end = Math.min(offset + room, body.byteLength);
    const frame = new Uint8Array(1 + end - offset);
    frame[0] = kind | (end === body.byteLength ? FINAL : 0);
    frame.set(body.subarray(offset, end), 1);
    yield frame;
    offset = end;
  } while (offset < body.byteLength);
}

/** The outcome of feeding one frame to a {@link Reassembler}. */
export type Reassembled =
  | { readonly done: false }
  | { readonly done: true; readonly kind: Kind; readonly body: Uint8Array }
  | { readonly error: string };

/** Collects frames until a message is complete. Bounded: a message beyond `maxBytes` is an error. */
export class Reassembler {
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  push(frame: Uint8Array): Reassembled {
    const header = frame[0];
    if (header === undefined) return { error: 'empty frame' };
    const kind = header & KIND_MASK;
    if (kind > Kind.Json) return { error: `unknown frame kind ${kind}` };
    this.size += frame.byteLength - 1;
    if (this.size > this.maxBytes) {
      this.parts = [];
      this.size = 0;
      return { error: `message larger than ${this.maxBytes} bytes` };
    }
    this.parts.push(frame.subarray(1));
    if ((header & FINAL) === 0) return { done: false };
    const body = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return { done: true, kind, body };
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
