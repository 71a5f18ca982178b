import { type PeerDecodeResult, refuse } from './peer-result.js';

declare const TextEncoder: new () => { encode(input?: string): Uint8Array<ArrayBuffer> };
declare const TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(input?: Uint8Array): string };

/**
 * The relay: the last rung of the connection ladder, where two peers whose ICE cannot connect send
 * their data channels' bytes through the signaling server, over the signaling connection each already has.
 *
 * On the signaling connection a relay frame is one **binary** frame (signaling messages are all text):
 *
 * ```text
 *  byte 0        RELAY_FRAME (0x01)
 *  byte 1        L, the length in bytes of the peer id that follows (1 to 255)
 *  bytes 2…L+1   the peer id, UTF-8: the receiver's in a frame a client sends, the sender's in one
 *                the server delivers (the server writes it; a client cannot choose its `from`)
 *  the rest      the payload, 1 to RELAY_PAYLOAD_MAX bytes, opaque to the server
 * ```
 *
 * The server routes a frame to the named peer of the sender's room and looks at nothing else. The
 * payload is end-to-end encrypted between the two peers (see {@link RELAY_SEALED_OVERHEAD}), so the server sees
 * what it would see of a DTLS connection: sizes and timing.
 */
export const RELAY_FRAME = 0x01;

/**
 * The largest relay payload a server accepts: a sealed {@link RELAY_CHUNK_MAX}-byte chunk with its
 * counter, tag and op header fit with room to spare.
 */
export const RELAY_PAYLOAD_MAX = 32 * 1024;

/** The largest body of one relay op (a slice of a data channel message); larger messages are split. */
export const RELAY_CHUNK_MAX = 16 * 1024;

/** A relay frame as read: the peer it names and its payload (a view into the frame, not a copy). */
export interface RelayFrame {
  readonly peer: string;
  readonly payload: Uint8Array;
}

const encoder = /* @__PURE__ */ new TextEncoder();
const strictDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/**
 * Writes a relay frame naming `peer` (the receiver when a client sends it, the sender when the
 * server delivers it). Throws a `RangeError` for an empty or over-long id or payload: these are the
 * caller's own values, never the network's.
 */
export function encodeRelayFrame(peer: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const id = encoder.encode(peer);
  if (id.byteLength < 1 || id.byteLength > 255) throw new RangeError(`relay frame: a peer id of ${id.byteLength} bytes`);
  if (payload.byteLength < 1 || payload.byteLength > RELAY_PAYLOAD_MAX)
    throw new RangeError(`relay frame: a payload of ${payload.byteLength} bytes (1 to ${RELAY_PAYLOAD_MAX})`);
  const frame = new Uint8Array(2 + id.byteLength + payload.byteLength);
  frame[0] = RELAY_FRAME;
  frame[1] = id.byteLength;
  frame.set(id, 2);
  frame.set(payload, 2 + id.byteLength);
  return frame;
}

/**
 * Reads a relay frame. Never throws: anything that is not one, whatever its bytes, is a
 * `bad-relay-frame` failure saying what is wrong.
 */
export function decodeRelayFrame(frame: Uint8Array): PeerDecodeResult<RelayFrame, 'bad-relay-frame'> {
  if (frame.byteLength < 3) return refuse('bad-relay-frame', `a relay frame has at least 3 bytes; this one had ${frame.byteLength}`);
  if (frame[0] !== RELAY_FRAME)
    return refuse('bad-relay-frame', `unknown binary frame type ${frame[0]}; relay frames start with ${RELAY_FRAME}`);
  const length = frame[1] ?? 0;
  if (length < 1) return refuse('bad-relay-frame', 'the relay frame names no peer');
  const payloadAt = 2 + length;
  if (frame.byteLength <= payloadAt) return refuse('bad-relay-frame', 'the relay frame ends before its payload');
  const payloadBytes = frame.byteLength - payloadAt;
  if (payloadBytes > RELAY_PAYLOAD_MAX)
    return refuse('bad-relay-frame', `relay payloads are limited to ${RELAY_PAYLOAD_MAX} bytes; this one had ${payloadBytes}`);
  let peer: string;
  try {
    peer = strictDecoder.decode(frame.subarray(2, payloadAt));
  } catch {
    return refuse('bad-relay-frame', 'the peer id of the relay frame is not UTF-8');
  }
  return { ok: true, value: { peer, payload: frame.subarray(payloadAt) } };
}

// ── what the payload holds, end to end ─────────────────────────────────────────────────────────

/**
 * How a relay payload is sealed, so that the server relays only ciphertext:
 *
 * - **Keys.** Each peer makes an ephemeral ECDH P-256 key pair for each remote peer and sends the
 *   public half over signaling, in a `relay-key` signal (the raw 65-byte point, base64url). Both sides
 *   derive, from the ECDH shared secret, with HKDF-SHA-256 (salt `"icebreaker relay v1"`), one AES-256-GCM
 *   key per direction: `info` is the sender's raw public key followed by the receiver's. A later
 *   safety-number feature binds these two public keys (as it binds the DTLS fingerprints).
 * - **Payload.** An 8-byte big-endian counter, then the AES-GCM ciphertext and 16-byte tag of one
 *   {@link RelayOp}. The IV is 4 zero bytes and the counter. A sender's counter starts at 0 and grows
 *   by one per payload; a receiver accepts only the next counter, so a payload the server drops,
 *   replays or reorders fails the relay (`relay-failed`) instead of corrupting a stream.
 */
export const RELAY_SEALED_OVERHEAD = 8 + 16;

/** The HKDF salt of the relay keys. */
export const RELAY_KEY_SALT = 'icebreaker relay v1';

/**
 * What a sealed payload holds, once opened: one op, `[op u8][channel u32 big-endian][body]`. Channels
 * are the relay's stand-in for data channels (the main one, one per file transfer); each side numbers
 * the channels it opens, odd from the peer that was first in the room (the caller), even from the
 * other, so that both may open at once.
 */
export const RelayOp = {
  /** The sender starts relaying to this peer (channel 0). Body: the reason, UTF-8 text. */
  Hello: 1,
  /** A channel opens. Body: its label, UTF-8 (`icebreaker` or `icebreaker-file`). */
  Open: 2,
  /** One part of a binary message. */
  Binary: 3,
  /** One part of a text message. */
  Text: 4,
  /** The channel closes (no body). */
  Close: 5,
  /**
   * The sender moves this channel to the direct path (a data channel it opened, which announces the
   * channel's number first): nothing more follows here, and the receiver takes the channel's next
   * bytes from the direct path once this op is read, so nothing is lost or reordered.
   */
  Switch: 6,
  /** The receiver took bytes off the relay: the sender may send that many more (channel 0). Body: u32. */
  Credit: 7,
} as const;

/**
 * The label of a data channel that takes over relay channel N on the direct path: this prefix and N
 * in decimal (`icebreaker-moved:3`). Each side opens its own for the bytes it sends; the receiver reads
 * it once the relay channel's `Switch` has arrived. A main channel that has died takes the number 1.
 */
export const RELAY_MOVED_LABEL = 'icebreaker-moved:';

/** One of {@link RelayOp}'s values. */
export type RelayOp = (typeof RelayOp)[keyof typeof RelayOp];

/**
 * Message parts larger than this many bytes are split across ops with a FINAL marker: the high bit of
 * the op byte is set on a message's last part (Binary and Text only).
 */
export const RELAY_FINAL = 0x80;

/** One op as read: the op (without the FINAL bit), whether FINAL was set, its channel and body. */
export interface RelayOpFrame {
  readonly op: RelayOp;
  readonly final: boolean;
  readonly channel: number;
  readonly body: Uint8Array;
}

/** The bytes every op starts with. */
export const RELAY_OP_HEADER = 5;

/** Writes one op (the plaintext that is then sealed). */
export function encodeRelayOp(op: RelayOp, channel: number, body: Uint8Array = EMPTY, final = true): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(RELAY_OP_HEADER + body.byteLength);
  bytes[0] = op | (final ? RELAY_FINAL : 0);
  new DataView(bytes.buffer).setUint32(1, channel >>> 0);
  bytes.set(body, RELAY_OP_HEADER);
  return bytes;
}

/** Reads one op. Never throws: an unknown op or a short payload is a `relay-failed` failure. */
export function decodeRelayOp(bytes: Uint8Array): PeerDecodeResult<RelayOpFrame, 'relay-failed'> {
  if (bytes.byteLength < RELAY_OP_HEADER) return refuse('relay-failed', `a relay op has at least ${RELAY_OP_HEADER} bytes`);
  const head = bytes[0] ?? 0;
  const op = head & ~RELAY_FINAL;
  if (op < RelayOp.Hello || op > RelayOp.Credit) return refuse('relay-failed', `unknown relay op ${op}`);
  const channel = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  return { ok: true, value: { op: op as RelayOp, final: (head & RELAY_FINAL) !== 0, channel, body: bytes.subarray(RELAY_OP_HEADER) } };
}

const EMPTY = new Uint8Array(0);
