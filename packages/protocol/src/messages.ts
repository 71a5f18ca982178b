import * as v from 'valibot';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import { DisplayName, IceServer, PeerId, PeerInfo, RequestId, RoomName, Seq, SignalData } from './fields.js';
import { keyedVariant } from './keyed-variant.js';

/** The protocol version this code speaks. It travels in `join` and `welcome`. */
export const PROTOCOL_VERSION = 1;

// ── client → server ────────────────────────────────────────────────────────────────────────────

/** Enter a room. The answer is a `welcome`, or an `error` whose `re` is this message's `id`. */
export const JoinMessage = v.object({
  type: v.literal('join'),
  id: v.exactOptional(RequestId),
  protocol: v.pipe(v.number(), v.integer()),
  room: RoomName,
  name: v.exactOptional(DisplayName),
  token: v.exactOptional(v.pipe(v.string(), v.maxLength(4096))),
  /** The `resumeToken` of an earlier welcome: take back that peer id and what was queued for it. */
  resume: v.exactOptional(v.pipe(v.string(), v.maxLength(512))),
});

/**
 * Send signaling data to one peer of your room. Without `to`, it goes to the only other peer; when
 * you are alone, the server holds it for the next peer to join (the seed's steps 8–12).
 * There is deliberately no sender field: the server stamps `from` itself.
 */
export const SignalRequest = v.object({
  type: v.literal('signal'),
  id: v.exactOptional(RequestId),
  to: v.exactOptional(PeerId),
  /** The sender's sequence number for end-to-end delivery (see the client); the server passes it on. */
  seq: v.exactOptional(Seq),
  data: SignalData,
});

/**
 * Tells the server about a relay to one peer of your room (see `relay-frame.ts`): `open` when this
 * side starts relaying to it, `upgraded` when it moved to the direct path, `closed` when it stopped
 * for another reason. The relayed bytes themselves are binary frames; this message only keeps the
 * server's count of active relays and upgrades, and, for `open`, gets an `error` (`relay-unavailable`)
 * back at once when the relay is not for this peer.
 */
export const RelayRequest = v.object({
  type: v.literal('relay'),
  id: v.exactOptional(RequestId),
  to: PeerId,
  state: v.picklist(['open', 'upgraded', 'closed']),
});

/** Leave the room but keep the connection (it may join again). */
export const LeaveMessage = v.object({
  type: v.literal('leave'),
  id: v.exactOptional(RequestId),
});

/** Every message a client may send, told apart by `type`. */
export const ClientMessage = keyedVariant('type', [JoinMessage, SignalRequest, RelayRequest, LeaveMessage]);

// ── server → client ────────────────────────────────────────────────────────────────────────────

/** The answer to a successful `join`: your peer id, who is already in the room, and the ICE servers to use. */
export const WelcomeMessage = v.object({
  type: v.literal('welcome'),
  protocol: v.number(),
  peerId: PeerId,
  room: RoomName,
  /** Peers already in the room, oldest first: the first of a room is the caller (PEER1). */
  peers: v.array(PeerInfo),
  iceServers: v.array(IceServer),
  /** A secret that lets this peer resume its id after its connection drops; never shown to others. */
  resumeToken: v.exactOptional(v.string()),
  /** True when this welcome gives back a place the peer held before (same id, via `resume`). */
  resumed: v.exactOptional(v.boolean()),
  /**
   * Present when this peer may relay through the server (binary relay frames): the largest payload it
   * accepts. Absent when the relay is off, or reserved to tokens with the `relay` claim.
   */
  relay: v.exactOptional(v.object({ payloadBytes: v.pipe(v.number(), v.integer(), v.minValue(1)) })),
});

/** Another peer entered your room. */
export const PeerJoinedMessage = v.object({
  type: v.literal('peer-joined'),
  peer: PeerInfo,
});

/** Another peer left your room, and why. */
export const PeerLeftMessage = v.object({
  type: v.literal('peer-left'),
  peerId: PeerId,
  /** `left`: sent `leave`; `closed`: its connection closed; `timeout`: it stopped answering pings. */
  reason: v.picklist(['left', 'closed', 'timeout']),
});

/** Signaling data relayed by the server; `from` is always set by the server, never by a client. */
export const SignalMessage = v.object({
  type: v.literal('signal'),
  from: PeerId,
  seq: v.exactOptional(Seq),
  data: SignalData,
});

/** A request failed or a limit was hit; `code` is one of {@link ERROR_CODES}. */
export const ErrorMessage = v.object({
  type: v.literal('error'),
  code: v.picklist(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: v.string(),
  /** The `id` of the request this error answers, when it had one. */
  re: v.exactOptional(RequestId),
});

/**
 * The server is shutting down (a deploy, a scale-in): reconnect, to another node behind the same
 * address, within `reconnectWithinMs`. After that the server closes the connection (1001). Resuming
 * with the welcome's `resumeToken` keeps your peer id; data channels are not affected.
 */
export const GoingAwayMessage = v.object({
  type: v.literal('going-away'),
  reconnectWithinMs: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/** Every message the server may send, told apart by `type`. */
export const ServerMessage = keyedVariant('type', [
  WelcomeMessage,
  PeerJoinedMessage,
  PeerLeftMessage,
  SignalMessage,
  ErrorMessage,
  GoingAwayMessage,
]);

export type JoinMessage = v.InferOutput<typeof JoinMessage>;
export type SignalRequest = v.InferOutput<typeof SignalRequest>;
export type LeaveMessage = v.InferOutput<typeof LeaveMessage>;
export type RelayRequest = v.InferOutput<typeof RelayRequest>;
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
export type WelcomeMessage = v.InferOutput<typeof WelcomeMessage>;
export type PeerJoinedMessage = v.InferOutput<typeof PeerJoinedMessage>;
export type PeerLeftMessage = v.InferOutput<typeof PeerLeftMessage>;
export type SignalMessage = v.InferOutput<typeof SignalMessage>;
export type ErrorMessage = v.InferOutput<typeof ErrorMessage>;
export type GoingAwayMessage = v.InferOutput<typeof GoingAwayMessage>;
export type ServerMessage = v.InferOutput<typeof ServerMessage>;
