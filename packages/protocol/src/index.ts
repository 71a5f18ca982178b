/**
 * The Icebreaker signaling protocol: every message of both directions, defined once, with a decoder
 * that turns any frame into a typed message or a typed failure. No Node or DOM APIs are used here, so
 * the server, the browser client and Node peers all import the same definitions.
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
  ClientMessage,
  ErrorMessage,
  GoingAwayMessage,
  JoinMessage,
  LeaveMessage,
  PeerJoinedMessage,
  PeerLeftMessage,
  PROTOCOL_VERSION,
  ServerMessage,
  SignalMessage,
  SignalRequest,
  WelcomeMessage,
} from './messages.js';
