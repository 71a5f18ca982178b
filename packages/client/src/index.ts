/**
 * The Icebreaker client: Web APIs only (WebSocket, RTCPeerConnection), so it runs in browsers and, with
 * implementations passed in, in Node.
 *
 * @module
 */

export { IcebreakerError, isIcebreakerError } from '@icebreaker/protocol';
export { type ParsedCandidate, parseCandidate } from './candidate.js';
export { Emitter, type EventMap } from './emitter.js';
export type { MessageData } from './framing.js';
export { MAIN_LABEL, RemotePeer, type RemotePeerEvents } from './remote-peer.js';
export { type ConnectOptions, connect, Session, type SessionEvents, type SignalingState } from './session.js';
export {
  type JoinRequest,
  SignalingClient,
  type SignalingClientOptions,
  type SignalingEvents,
  type WebSocketConstructor,
  type WebSocketLike,
} from './signaling-client.js';
export {
  type FileSink,
  type FileSource,
  IncomingTransfer,
  OutgoingTransfer,
  type SendFileOptions,
  type TransferInfo,
  type TransferProgress,
} from './transfer.js';
