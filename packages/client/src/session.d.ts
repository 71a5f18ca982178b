import { IcebreakerError, type PeerId, type WelcomeMessage } from '@icebreaker/protocol';
import { Emitter } from './emitter.js';
import type { MessageData } from './framing.js';
import { RemotePeer } from './remote-peer.js';
import { SignalingClient, type WebSocketConstructor } from './signaling-client.js';
import type { IncomingTransfer } from './transfer.js';
/** Options of {@link connect}. */
export interface ConnectOptions {
    readonly room: string;
    readonly name?: string;
    /** An auth token, for servers that require one. */
    readonly token?: string;
    /** ICE servers to use instead of those the server hands out. */
    readonly iceServers?: RTCIceServer[];
    /** Anything else for `new RTCPeerConnection(…)`, e.g. `iceTransportPolicy: 'relay'`. */
    readonly rtcConfiguration?: RTCConfiguration;
    /** The RTCPeerConnection implementation; defaults to the global one. In Node, pass one in. */
    readonly RTCPeerConnection?: typeof RTCPeerConnection;
    /** The WebSocket implementation; defaults to the global one. */
    readonly WebSocket?: WebSocketConstructor;
    /**
     * Reconnect the signaling connection when it drops (default on): the wait doubles from
     * `initialDelayMs` (10 ms to 60 s, default 250 ms) up to `maxDelayMs` (up to 10 min, default 5 s).
     */
    readonly reconnect?: {
        readonly initialDelayMs?: number;
        readonly maxDelayMs?: number;
    } | false;
    /** How long ICE may stay `disconnected` before it is restarted (0 to 10 min, default 5 s). */
    readonly disconnectedRestartMs?: number;
    /**
     * Unacknowledged signals are sent again after this long, then after twice as long each time, three
     * times at most (50 ms to 60 s, default 2 s); the peer is then reported (`signals-unacknowledged`).
     */
    readonly retransmitMs?: number;
    /** Largest frame on a data channel, in bytes (1024 to 262144; default: what both sides negotiated, at most 256 KiB; 64 KiB if the stack does not say). */
    readonly frameBytes?: number;
}
/** The signaling connection's state. Data channels keep working in every one of them but `closed`. */
export type SignalingState = 'open' | 'reconnecting' | 'closed';
/** The events of a {@link Session}. */
export interface SessionEvents {
    /** A remote peer appeared (it joined, or was in the room when you did). */
    peer: [peer: RemotePeer];
    /** A remote peer left the room (after its grace period, if its connection dropped). */
    'peer-left': [peer: RemotePeer];
    /** A peer's main data channel opened: once per peer connection. */
    open: [peer: RemotePeer];
    message: [peer: RemotePeer, data: MessageData];
    transfer: [peer: RemotePeer, transfer: IncomingTransfer];
    signaling: [state: SignalingState];
    /**
     * Something failed; `peer` names the remote peer it concerns, if any (`unexpected-channel`,
     * `signals-unacknowledged`, `negotiation-failed`, `message-failed`, …).
     */
    error: [error: IcebreakerError, peer: RemotePeer | undefined];
}
/**
 * Joins a room on an Icebreaker server and connects to every other peer in it (a full mesh).
 * Resolves once the server has welcomed you; peers then appear through the `peer` event.
 * Throws a `TypeError` naming the field for an option out of its range, before connecting.
 *
 * @example
 * ```ts
 * import { connect } from '@icebreaker/client';
 * const session = await connect('wss://example.org/ws', { room: 'demo' });
 * session.on('message', (peer, data) => console.log(peer.id, data));
 * session.on('open', (peer) => peer.send('hello'));
 * // Node: connect(url, { room, RTCPeerConnection: wrtc.RTCPeerConnection, WebSocket })
 * ```
 */
export declare function connect(url: string, options: ConnectOptions): Promise<Session>;
/**
 * A joined room: your peer id, the remote peers, and the signaling connection, which reconnects and
 * resumes by itself (same id, no lost signal) while the data channels carry on.
 */
export declare class Session extends Emitter<SessionEvents> {
    private readonly url;
    private readonly options;
    readonly id: PeerId;
    readonly room: string;
    private readonly remote;
    private signaling;
    private welcome;
    private state;
    constructor(url: string, options: ConnectOptions, signaling: SignalingClient, welcome: WelcomeMessage);
    /** The remote peers, by id. */
    get peers(): ReadonlyMap<PeerId, RemotePeer>;
    /** The signaling connection's state; the data channels do not depend on it. */
    get signalingState(): SignalingState;
    /** Leaves the room and closes every peer connection. */
    close(): void;
    private attach;
    private receive;
    private ensurePeer;
    /** Reopens the signaling connection with backoff and resumes the same peer id. */
    private reconnect;
    private setState;
}
//# sourceMappingURL=session.d.ts.map