/**
 * The Icebreaker client: Web APIs only (WebSocket, RTCPeerConnection), so it runs in browsers and, with
 * implementations passed in, in Node. Every type that appears in a public event or method of the
 * client is exported from here, so an application can name what it receives.
 *
 * @example
 * ```ts
 * import { connect } from '@icebreaker/client';
 * const room = await connect('wss://signal.example.org/ws', { room: 'demo' });
 * room.on('open', (peer) => peer.send('hello'));
 * ```
 *
 * @module
 */

export {
  type ErrorCode,
  IcebreakerError,
  isIcebreakerError,
  MAIN_LABEL,
  type MessageData,
  type PeerId,
  type PeerInfo,
  type PeerLeftMessage,
  type RequestId,
  type RoomName,
  type Seq,
  type SignalData,
  TRANSFER_LABEL,
  type TransferInfo,
  type WelcomeMessage,
} from '@icebreaker/protocol';
export { type ParsedCandidate, parseCandidate } from './candidate.js';
export type { ChannelLike } from './channel-like.js';
export { diagnose, fetchIceServers } from './diagnose.js';
export type {
  CandidateSummary,
  DiagnoseOptions,
  Diagnosis,
  Finding,
  FindingCode,
  IceServerError,
  NatHint,
  PathCheck,
  ServerReport,
  Severity,
} from './diagnosis.js';
export { Emitter, type EventMap, type Listener } from './emitter.js';
export { type FileSink, IncomingTransfer } from './incoming-transfer.js';
export { type FileSource, OutgoingTransfer, type SendFileOptions, type TransferFlow } from './outgoing-transfer.js';
export type { PathInfo, PeerPath } from './path-ladder.js';
export type { RelayContext } from './peer-relay.js';
export { type PreparedConnection, prepare } from './prepare.js';
export type { RelayTransport } from './relay-link.js';
export { type PeerContext, RemotePeer, type RemotePeerEvents } from './remote-peer.js';
export { type ConnectOptions, connect, Room, type RoomEvents, type SignalingState } from './room.js';
export type { SafetyNumber } from './safety-number.js';
export { type PathCandidate, type SelectedPair, selectedPair } from './selected-pair.js';
export type { PayloadData } from './signal-link.js';
export {
  type JoinRequest,
  SignalingClient,
  type SignalingClientOptions,
  type SignalingEvents,
  type WebSocketConstructor,
  type WebSocketLike,
} from './signaling-client.js';
export type { TransferEvents, TransferProgress, TransferResumed, TransferState } from './transfer.js';
export { type BatchEvents, type BatchItem, type BatchProgress, type SendFilesOptions, TransferBatch } from './transfer-batch.js';
export type { AnyTransfer, TransferOptions } from './transfer-registry.js';
export { memorySink, type PartialTransfer, streamSink, type TransferSink, type TransferStore } from './transfer-sink.js';
