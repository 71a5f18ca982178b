/**
 * Every wire format of Icebreaker, defined once: the signaling protocol (every message of both
 * directions, with a decoder that turns any frame into a typed message or a typed failure), and the
 * peer-to-peer formats of the data channels (the framing of messages, the control messages of file
 * transfers), whose decoders never throw either. No Node or DOM APIs are used here, so the server,
 * the browser client and Node peers all import the same definitions.
 *
 * @module
 */
export { type DecodeFailure, type DecodeResult, decodeClientMessage, decodeServerMessage, encode } from './decode.js';
export { ERROR_CODES, type ErrorCode, IcebreakerError, isIcebreakerError } from './errors.js';
export {
  DisplayName,
  IceCandidate,
  IceServer,
  PeerId,
  PeerInfo,
  PeerRole,
  RequestId,
  RoomName,
  Seq,
  SessionDescription,
  SignalData,
} from './fields.js';
export {
  DEFAULT_FRAME_BYTES,
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeFrames,
  encodeMessage,
  type Frame,
  type FramedMessage,
  FrameKind,
  MAIN_LABEL,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  type MessageData,
} from './framing.js';
export { describeIssues } from './issues.js';
export {
  ClientMessage,
  ErrorMessage,
  GoingAwayMessage,
  JoinMessage,
  LeaveMessage,
  PeerJoinedMessage,
  PeerLeftMessage,
  PROTOCOL_VERSION,
  RelayRequest,
  ServerMessage,
  SignalMessage,
  SignalRequest,
  WelcomeMessage,
} from './messages.js';
export type { PeerDecodeFailure, PeerDecodeResult } from './peer-result.js';
export { concatBytes, Reassembler } from './reassembler.js';
export { encodeRelayedSignal } from './relay.js';
export {
  decodeRelayFrame,
  decodeRelayOp,
  encodeRelayFrame,
  encodeRelayOp,
  RELAY_CHUNK_MAX,
  RELAY_FINAL,
  RELAY_FRAME,
  RELAY_KEY_SALT,
  RELAY_MOVED_LABEL,
  RELAY_OP_HEADER,
  RELAY_PAYLOAD_MAX,
  RELAY_SEALED_OVERHEAD,
  type RelayFrame,
  RelayOp,
  type RelayOpFrame,
} from './relay-frame.js';
export {
  CHUNK_BYTES,
  CHUNK_BYTES_MAX,
  CHUNK_BYTES_MIN,
  chunkCount,
  decodeReceiverControl,
  decodeSenderControl,
  encodeTransferControl,
  ReceiverControl,
  SenderControl,
  TRANSFER_HASH,
  TRANSFER_LABEL,
  TRANSFER_PATH_MAX,
  TRANSFER_TEXT_MAX,
  TransferAck,
  TransferAt,
  TransferCancel,
  TransferChunk,
  TransferEnd,
  TransferFail,
  TransferGo,
  TransferGroup,
  TransferHead,
  type TransferInfo,
  TransferOk,
  TransferResume,
  TransferRewind,
  TransferUnknown,
} from './transfer.js';
