/**
 * The Icebreaker client: Web APIs only (WebSocket, RTCPeerConnection), so it runs in browsers and, with
 * implementations passed in, in Node.
 *
 * @module
 */
export { IcebreakerError, isIcebreakerError } from '@icebreaker/protocol';
export { parseCandidate } from './candidate.js';
export { Emitter } from './emitter.js';
export { MAIN_LABEL, RemotePeer } from './remote-peer.js';
export { connect, Session } from './session.js';
export { SignalingClient, } from './signaling-client.js';
export { IncomingTransfer, OutgoingTransfer, } from './transfer.js';
//# sourceMappingURL=index.js.map