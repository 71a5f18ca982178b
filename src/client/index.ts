/**
 * The Icebreaker client: Web APIs only (WebSocket, RTCPeerConnection), so it runs in browsers and, with
 * implementations passed in, in Node.
 *
 * @module
 */
export { type ParsedCandidate, parseCandidate } from './candidate.js';
export { Emitter, type EventMap } from './emitter.js';
export {
  type JoinRequest,
  SignalingClient,
  type SignalingClientOptions,
  type SignalingEvents,
  type WebSocketConstructor,
  type WebSocketLike,
} from './signaling-client.js';
