/**
 * Messages on the peer channel are split into frames no larger than the channel's maximum message size
 * (Chromium: 256 KiB, Firefox and others less) and put back together on arrival. One header byte:
 * bit 7 is set on a message's last frame, the low bits say what the message is.
 */
export var Kind;
(function (Kind) {
    Kind[Kind["Text"] = 0] = "Text";
    Kind[Kind["Binary"] = 1] = "Binary";
    Kind[Kind["Json"] = 2] = "Json";
})(Kind || (Kind = {}));
const FINAL = 0x80;
const KIND_MASK = 0x03;
/** Frames of 64 KiB or less pass between every pair of WebRTC stacks in the field. */
export const DEFAULT_FRAME_BYTES = 64 * 1024;
/**
 * The largest frame used when both sides negotiated more (`pc.sctp.maxMessageSize`, RFC 8841 §6):
 * Chromium offers 256 KiB. Fewer, larger messages cost less per byte.
 */
export const MAX_FRAME_BYTES = 256 * 1024;
/** Splits a message body into frames of at most `frameBytes` bytes, header included. */
export function* frames(kind, body, frameBytes) {
    const room = frameBytes - 1;
    if (room < 1)
        throw new RangeError('frameBytes: must be at least 2');
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
/** Collects frames until a message is complete. Bounded: a message beyond `maxBytes` is an error. */
export class Reassembler {
    maxBytes;
    parts = [];
    size = 0;
    constructor(maxBytes) {
        this.maxBytes = maxBytes;
    }
    push(frame) {
        const header = frame[0];
        if (header === undefined)
            return { error: 'empty frame' };
        const kind = header & KIND_MASK;
        if (kind > Kind.Json)
            return { error: `unknown frame kind ${kind}` };
        this.size += frame.byteLength - 1;
        if (this.size > this.maxBytes) {
            this.parts = [];
            this.size = 0;
            return { error: `message larger than ${this.maxBytes} bytes` };
        }
        this.parts.push(frame.subarray(1));
        if ((header & FINAL) === 0)
            return { done: false };
        const body = this.parts.length === 1 ? this.parts[0] : concat(this.parts, this.size);
        this.parts = [];
        this.size = 0;
        return { done: true, kind, body };
    }
}
function concat(parts, size) {
    const out = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
        out.set(part, offset);
        offset += part.byteLength;
    }
    return out;
}
//# sourceMappingURL=framing.js.map