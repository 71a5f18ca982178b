import * as v from 'valibot';
import { keyedVariant } from './keyed-variant.js';

/**
 * Field schemas shared by both directions. Bounds exist so that a decoded message is always small
 * enough to relay; the server's frame limit is the outer bound, these are the inner ones.
 */

/** A UTF-16 code unit of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text that other programs must be able to read back: a lone surrogate (`"\ud800"`, valid in JSON)
 * has no UTF-8 form, so Redis's Lua JSON decoder, and many another, refuses it.
 */
const wellFormed = v.check(isWellFormed, 'text must be well-formed UTF-16 (no lone surrogates)');

/** `String.prototype.isWellFormed` (ES2024: Node 20, current browsers) where there is one, the pattern elsewhere. */
function isWellFormed(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return native === undefined ? !LONE_SURROGATE.test(text) : native.call(text);
}

/** Room names travel in URLs, so they are kept to URL-safe characters. */
export const RoomName = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(64),
  v.regex(/^[A-Za-z0-9_.~-]+$/, 'room names use letters, digits and - _ . ~'),
);

/** Peer ids are minted by the server; clients only ever echo them back. */
export const PeerId = v.pipe(v.string(), v.minLength(1), v.maxLength(64), wellFormed);

/**
 * Characters a name shown to people must not have: controls (a terminal acts on ESC sequences), line
 * and paragraph separators, private-use and noncharacters, and format characters — bidi overrides and
 * marks, zero-width spaces, tags — which make a name read as another or hide in it. The zero-width
 * joiner and non-joiner stay: emoji sequences and several scripts need them.
 */
const UNSHOWABLE =
  /[\p{Cc}\p{Zl}\p{Zp}\p{Co}\uFDD0-\uFDEF]|(?![\u200C\u200D])\p{Cf}|[\uFFFE\uFFFF]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{10FFFE}\u{10FFFF}]/u;

/** A name people read: no control, format (bidi, zero-width) or private-use characters. */
export const DisplayName = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(64),
  wellFormed,
  v.check((name: string) => !UNSHOWABLE.test(name), 'names have no control, format (bidi, zero-width) or private-use characters'),
);

/** A role an auth token gives its peer (e.g. `host`, `viewer`); the application decides what it means. */
export const PeerRole = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(32),
  v.regex(/^[A-Za-z0-9_.-]+$/, 'roles use letters, digits and - _ .'),
);

/** A client-chosen request id, echoed in the `re` field of an `error` that answers the request. */
export const RequestId = v.union([v.pipe(v.string(), v.maxLength(64), wellFormed), v.pipe(v.number(), v.safeInteger())]);

/** The `RTCSessionDescriptionInit` of an offer or answer (rollback is local-only and never signaled). */
export const SessionDescription = v.object({
  type: v.picklist(['offer', 'answer', 'pranswer']),
  sdp: v.pipe(v.string(), v.maxLength(48 * 1024), wellFormed),
});

/** The `RTCIceCandidateInit` of one trickled candidate. */
export const IceCandidate = v.object({
  candidate: v.pipe(v.string(), v.maxLength(1024), wellFormed),
  sdpMid: v.exactOptional(v.nullable(v.pipe(v.string(), v.maxLength(64), wellFormed))),
  sdpMLineIndex: v.exactOptional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1023)))),
  usernameFragment: v.exactOptional(v.nullable(v.pipe(v.string(), v.maxLength(256), wellFormed))),
});

/** A per-sender sequence number of end-to-end signal delivery. */
export const Seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/**
 * Which peer connection between the same two peers a signal belongs to: 0 (or absent) for the first,
 * one more for each new peer connection made after one died while both peers stayed in the room.
 * The receiver drops the signals of an older one (its late candidates, answers).
 */
const Generation = v.exactOptional(v.pipe(v.number(), v.safeInteger(), v.minValue(0)));

/**
 * Present when the peers share a pairing link's secret: the HMAC-SHA-256, keyed by that secret, of the
 * sender's own DTLS fingerprints (a description) or relay public key (a `relay-key`), base64url without
 * padding. A server that swaps either cannot make a proof for its own: see the client's `pairing-key.ts`.
 */
const Proof = v.exactOptional(v.pipe(v.string(), v.length(43), v.regex(/^[A-Za-z0-9_-]+$/, 'base64url')));

/**
 * What a signal carries: a description, one candidate, the end of this side's candidates, or an
 * acknowledgement that every signal up to `seq` from the receiver of the ack has arrived.
 */
export const SignalData = keyedVariant('kind', [
  v.object({ kind: v.literal('description'), description: SessionDescription, gen: Generation, proof: Proof }),
  v.object({ kind: v.literal('candidate'), candidate: IceCandidate, gen: Generation }),
  // RFC 8838 §13: the trickle-ICE end-of-candidates indication.
  v.object({ kind: v.literal('end-of-candidates'), gen: Generation }),
  v.object({ kind: v.literal('ack'), seq: Seq }),
  /**
   * This side's ECDH P-256 public key for the relay's end-to-end encryption (the raw 65-byte point,
   * base64url, no padding): see `relay-frame.ts`.
   */
  v.object({
    kind: v.literal('relay-key'),
    key: v.pipe(v.string(), v.length(87), v.regex(/^[A-Za-z0-9_-]+$/, 'base64url')),
    gen: Generation,
    proof: Proof,
  }),
  /**
   * The sender's peer connection to the receiver died while both stayed in the room: the receiver,
   * whose id is the lower, makes peer connection `gen` (the sender's last one plus one) and offers.
   */
  v.object({ kind: v.literal('reconnect'), gen: v.pipe(v.number(), v.safeInteger(), v.minValue(1)) }),
]);

/** An `RTCIceServer` as the server hands it to clients. */
export const IceServer = v.object({
  // At least one URL: a browser refuses an empty list, and the server hands these to every client.
  urls: v.union([
    v.pipe(v.string(), v.minLength(1), v.maxLength(512)),
    v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(512))), v.minLength(1), v.maxLength(16)),
  ]),
  username: v.exactOptional(v.pipe(v.string(), v.maxLength(512))),
  credential: v.exactOptional(v.pipe(v.string(), v.maxLength(512))),
});

/** A peer as the server describes it to the others in its room. */
export const PeerInfo = v.object({
  id: PeerId,
  name: v.exactOptional(DisplayName),
  /** Set only by the server, from the peer's auth token: other peers can trust it. */
  role: v.exactOptional(PeerRole),
});

export type RoomName = v.InferOutput<typeof RoomName>;
export type PeerId = v.InferOutput<typeof PeerId>;
export type PeerRole = v.InferOutput<typeof PeerRole>;
export type RequestId = v.InferOutput<typeof RequestId>;
export type SessionDescription = v.InferOutput<typeof SessionDescription>;
export type IceCandidate = v.InferOutput<typeof IceCandidate>;
export type SignalData = v.InferOutput<typeof SignalData>;
export type Seq = v.InferOutput<typeof Seq>;
export type IceServer = v.InferOutput<typeof IceServer>;
export type PeerInfo = v.InferOutput<typeof PeerInfo>;
