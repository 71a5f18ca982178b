import { IcebreakerError, type PeerId, type PeerInfo, type PeerLeftMessage, type RequestId, type RoomName, type Seq, type SignalData, type WelcomeMessage } from '@icebreaker/protocol';
import { Emitter } from './emitter.js';
/** The part of the WHATWG `WebSocket` the client uses; the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
    readonly readyState: number;
    /** Sends one text frame. */
    send(data: string): void;
    /** Closes the connection with a close code (RFC 6455 §7.4). */
    close(code?: number, reason?: string): void;
    /** A frame arrived. */
    addEventListener(type: 'message', listener: (event: {
        data: unknown;
    }) => void): void;
    /** The connection closed, with the close frame's code and reason. */
    addEventListener(type: 'close', listener: (event: {
        code: number;
        reason: string;
    }) => void): void;
    /** The connection opened, or failed. */
    addEventListener(type: 'open' | 'error', listener: () => void): void;
}
/** A WebSocket class: the browser's global one, or `ws`'s in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;
/** Options of {@link SignalingClient.open}. */
export interface SignalingClientOptions {
    /** The WebSocket implementation; defaults to the global one (pass `ws`'s on Node 20). */
    readonly WebSocket?: WebSocketConstructor;
}
/** What {@link SignalingClient.join} asks the server for. */
export interface JoinRequest {
    readonly room: RoomName;
    readonly name?: string;
    readonly token?: string;
    /** The `resumeToken` of an earlier welcome, to take back that peer id. */
    readonly resume?: string;
}
/** The events of a {@link SignalingClient}. */
export interface SignalingEvents {
    'peer-joined': [peer: PeerInfo];
    'peer-left': [peerId: PeerId, reason: PeerLeftMessage['reason']];
    signal: [from: PeerId, data: SignalData, seq: Seq | undefined];
    /** An error from the server not answered through a promise; `re` names the request it answers. */
    error: [error: IcebreakerError, re: RequestId | undefined];
    close: [code: number, reason: string];
    /** The server is shutting down: reconnect (to another node) within this many milliseconds. */
    'going-away': [reconnectWithinMs: number];
}
/**
 * One WebSocket connection to an Icebreaker signaling server: join a room, then exchange signals with
 * the other peers. Every inbound frame goes through the protocol's decoder; nothing here throws on
 * bad input from the network.
 *
 * @example
 * ```ts
 * const signaling = await SignalingClient.open('ws://127.0.0.1:8080/ws');
 * const welcome = await signaling.join({ room: 'demo' });
 * signaling.on('signal', (from, data) => console.log(from, data.kind));
 * signaling.signal({ kind: 'description', description: offer });
 * ```
 */
export declare class SignalingClient extends Emitter<SignalingEvents> {
    private readonly socket;
    private nextId;
    private pendingJoin;
    private welcome;
    private constructor();
    /**
     * Opens a connection and resolves once it is open; rejects with `connection-closed` if it cannot.
     * Throws a `TypeError` for a url or option that cannot work.
     */
    static open(url: string, options?: SignalingClientOptions): Promise<SignalingClient>;
    /** The welcome of the room joined, or `null` before joining. */
    get session(): WelcomeMessage | null;
    /** Whether the WebSocket is open (a closed client does not reopen by itself). */
    get isOpen(): boolean;
    /**
     * Joins a room. Resolves with the server's `welcome`; rejects with its error (`room-full`, …), or
     * with a `TypeError` naming a field of `request` that the server would refuse.
     */
    join(request: JoinRequest): Promise<WelcomeMessage>;
    /**
     * Sends signaling data to `to`, or, without `to`, to the only other peer (held by the server for
     * the next peer while you are alone). Returns the request id that an `error` event would carry.
     */
    signal(data: SignalData, to?: PeerId, seq?: Seq): number;
    /** Leaves the room; the connection stays open and may join again. */
    leave(): void;
    /** Closes the WebSocket normally (1000); the server treats it as the peer leaving. */
    close(): void;
    private send;
    private receive;
}
//# sourceMappingURL=signaling-client.d.ts.map