import { IcebreakerError, type PeerId } from '@icebreaker/protocol';
import { Emitter } from './emitter.js';
import { type MessageData } from './framing.js';
import type { PayloadData } from './signal-link.js';
import { type FileSource, IncomingTransfer, OutgoingTransfer, type SendFileOptions } from './transfer.js';
/** The label of each peer pair's main channel (messages); file transfers use their own channels. */
export declare const MAIN_LABEL = "icebreaker";
/** The events of a {@link RemotePeer}. */
export interface RemotePeerEvents {
    /** The main data channel opened: `send` works from now on. */
    open: [];
    /** The connection to this peer is over (it left, or `close()` was called). */
    close: [];
    message: [data: MessageData];
    transfer: [transfer: IncomingTransfer];
    track: [track: MediaStreamTrack, streams: readonly MediaStream[]];
    /** A connection, ICE, signaling or channel state changed; read the getters. */
    state: [];
    /** An ICE restart began (after `failed`, a long `disconnected`, or `restartIce()`). */
    'ice-restart': [];
    /** Signaling data sent to or received from this peer, for tools that show the exchange. */
    signal: [direction: 'in' | 'out', data: PayloadData];
    error: [error: IcebreakerError];
}
/** What the session gives each remote peer. */
export interface PeerContext {
    readonly RTCPeerConnection: typeof RTCPeerConnection;
    readonly configuration: RTCConfiguration;
    /** The polite peer yields when both offer at once (W3C perfect negotiation). */
    readonly polite: boolean;
    /** The side that creates the main channel, and so makes the first offer. */
    readonly initiator: boolean;
    /** Sends signaling data to this peer, reliably and in order. */
    readonly signal: (data: PayloadData) => void;
    /** How long `disconnected` may last before an ICE restart. */
    readonly disconnectedRestartMs: number;
    readonly frameBytes?: number;
    /** The display name the server announced for this peer, if any. */
    readonly name?: string;
}
/**
 * One remote peer of the session and the RTCPeerConnection to it. Negotiation follows the W3C
 * "perfect negotiation" pattern, so either side may renegotiate at any time (a track, an ICE restart)
 * and simultaneous offers converge: the impolite side ignores the colliding offer, the polite side
 * rolls back and answers.
 *
 * @example
 * ```ts
 * session.on('peer', (peer) => {
 *   peer.on('open', () => peer.send({ hello: 'world' }));
 *   peer.on('message', (data) => console.log(peer.id, data));
 * });
 * ```
 */
export declare class RemotePeer extends Emitter<RemotePeerEvents> {
    readonly id: PeerId;
    private readonly context;
    readonly pc: RTCPeerConnection;
    private channel;
    private readonly reassembler;
    private readonly incoming;
    /**
     * Transfers under way are held here until they end: an application may drop its handle, and a
     * channel that nothing references may be collected (and closed) by a native WebRTC binding.
     */
    private readonly outgoing;
    private readonly transferChannels;
    private readonly pendingCandidates;
    /** Negotiation steps run one at a time, in signal order. */
    private chain;
    private ignoreOffer;
    private restartTimer;
    private sending;
    private closed;
    private transferCount;
    /** The SDP of the last description sent, so a stack's self-made offer goes out exactly once. */
    private sentSdp;
    /**
     * Local candidates held back until the remote answer is applied, for stacks that make their first
     * offer by themselves (libdatachannel). Its ICE can otherwise connect, through the remote side's
     * checks, while it is still applying the answer, and it then checks the remote DTLS certificate
     * before the answer's fingerprint is in place: "certificate verify failed", and the connection
     * closes (libdatachannel 0.24, the one node-datachannel 0.33 bundles). Without our candidates the
     * remote side has nowhere to send checks until the answer is in. `null`: not holding.
     */
    private holding;
    /** An offer of ours is out, waiting for its answer. */
    private offerOut;
    /** Set once a remote description is in place (not read back from the stack: see sendDescription). */
    private remoteDescribed;
    /** @internal The session makes a RemotePeer for each peer of the room: see its `peer` event. */
    constructor(id: PeerId, context: PeerContext);
    /**
     * The display name this peer joined with (or that its room token gave it), if the server announced
     * one. Another peer chose it: escape it before printing it on a terminal, as any text from a peer.
     */
    get name(): string | undefined;
    /** The peer connection's `connectionState`. */
    get connectionState(): RTCPeerConnectionState;
    /** The peer connection's `iceConnectionState`. */
    get iceConnectionState(): RTCIceConnectionState;
    /** The peer connection's `signalingState` (offer/answer), not the signaling server's. */
    get signalingState(): RTCSignalingState;
    /** The main channel's state, `'connecting'` until it exists. */
    get channelState(): RTCDataChannelState;
    /**
     * Sends a message: a string, bytes (`ArrayBuffer`, a typed array, a `Blob`) or any JSON value.
     * Large messages are split to fit the channel and put back together on the other side. Resolves
     * once the message is queued on the channel; waits (without polling) while the channel is backed up.
     */
    send(data: string | ArrayBuffer | ArrayBufferView | Blob | unknown): Promise<void>;
    /**
     * Resolves once every message sent so far has gone out: encoded, framed, handed to the stack (the
     * main channel's `bufferedAmount` is 0), and carried, which is when the connection has moved no
     * byte either way for 250 ms: the SCTP stack below the channel holds data of its own,
     * which `bufferedAmount` does not count and which closing the connection drops. Await it before
     * closing after a burst of messages. At most `timeoutMs` (default 30 s) while bytes keep moving;
     * at once if the channel is not open.
     */
    flush(timeoutMs?: number): Promise<void>;
    /** Bytes sent and received on this connection's candidate pairs so far, or null if the stack does not say. */
    private bytesMoved;
    /**
     * Sends a file over a channel of its own: name, size and type first, then the bytes with
     * backpressure, then a SHA-256 the receiver checks. Several transfers may run at once. Throws a
     * `TypeError` naming the field for a file or option that cannot work.
     */
    sendFile(file: FileSource, options?: SendFileOptions): OutgoingTransfer;
    /** Adds a media track; the renegotiation it needs goes through perfect negotiation. */
    addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender;
    /** Removes a track added with {@link RemotePeer.addTrack}; renegotiates like `addTrack`. */
    removeTrack(sender: RTCRtpSender): void;
    /** Makes a fresh offer now, as if something changed (either side may, at any time). */
    renegotiate(): void;
    /** Restarts ICE: new credentials, new candidates, same peer and channels. */
    restartIce(): void;
    /** Closes the connection to this peer. */
    /**
     * Closes once the main channel has closed, or after `lingerMs`: the peer has left, and what it sent
     * just before may still be on its way up our stack. Closing at once dropped the last messages of a
     * peer that sends and leaves (`icebreaker peer` piping lines), at a receiver slow to take them.
     */
    closeWhenDrained(lingerMs: number): void;
    /** Closes the connection to this peer (its channels too) and emits `close`. */
    close(): void;
    /** Handles one signal from this peer (the session delivers them in order). */
    handleSignal(data: PayloadData): void;
    private enqueue;
    private offer;
    private describe;
    private addCandidate;
    /**
     * Sends the description just set, as created: reading `localDescription` back races with the
     * candidates ICE adds to it, which crashes @roamhq/wrtc (node-webrtc#696). One stack needs the read:
     * node-datachannel's polyfill hands its first description out again on a later createAnswer(), and
     * a description equal to the last one sent can only be that.
     */
    private sendDescription;
    private signalOut;
    /** ICE restart without the application's help: at once on `failed`, after a while on `disconnected`. */
    private watchIce;
    private adoptChannel;
    private adoptTransfer;
    private receive;
    /** Frames as large as both sides negotiated, up to MAX_FRAME_BYTES; 64 KiB when the stack does not say. */
    private frameBytes;
}
//# sourceMappingURL=remote-peer.d.ts.map