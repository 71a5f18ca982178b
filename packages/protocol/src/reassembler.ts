import { decodeFrame, type FramedMessage } from './framing.js';
import { type PeerDecodeResult, refuse } from './peer-result.js';

/**
 * Puts framed messages back together, frame by frame, in the order the channel delivers them
 * (the main channel is ordered and reliable, so a message's frames arrive together and in order).
 * Bounded: a message beyond `maxBytes` is refused as soon as it passes the bound, not when it ends,
 * so a peer cannot make the receiver hold more than that.
 *
 * @example
 * ```ts
 * const reassembler = new Reassembler(MAX_MESSAGE_BYTES);
 * channel.onmessage = ({ data }) => {
 *   const result = reassembler.push(data);
 *   if (!result.ok) report(result.error);
 *   else if (result.value) show(decodeMessage(result.value));
 * };
 * ```
 */
export class Reassembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  /** After a message outgrew the bound: its remaining frames are dropped, up to its last one. */
  private skipping = false;

  constructor(private readonly maxBytes: number) {}

  /**
   * Takes the next frame. The value is the message once its last frame is in, or `null` while more are
   * due. Never throws. After a frame that does not decode, the message under way is dropped and the
   * next frame starts a new one; a message that outgrows the bound is refused once and the rest of its
   * frames, up to its last, are dropped with it.
   */
  push(data: unknown): PeerDecodeResult<FramedMessage | null, 'message-failed'> {
    const decoded = decodeFrame(data);
    if (!decoded.ok) {
      this.reset();
      return decoded;
    }
    const { kind, final, body } = decoded.value;
    if (this.skipping) {
      // The rest of a message already refused: none of it may pass for a message of its own.
      if (final) this.skipping = false;
      return { ok: true, value: null };
    }
    this.size += body.byteLength;
    if (this.size > this.maxBytes) {
      this.reset();
      this.skipping = !final;
      return refuse('message-failed', `message larger than ${this.maxBytes} bytes`);
    }
    this.parts.push(body);
    if (!final) return { ok: true, value: null };
    const whole = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concatBytes(this.parts, this.size);
    this.reset();
    return { ok: true, value: { kind, body: whole } };
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
  }
}

/** The parts as one buffer of its own, `size` bytes long (their total): how split messages are put back together. */
export function concatBytes(parts: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
