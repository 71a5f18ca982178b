import { Emitter } from './emitter.js';
/** Data channels of file transfers carry this label; the peer's main channel has another. */
export declare const TRANSFER_LABEL = "icebreaker-file";
/** What travels ahead of a file's bytes. */
export interface TransferInfo {
    readonly id: string;
    readonly name: string;
    readonly size: number;
    readonly type: string;
}
/** Progress of a transfer, in either direction. `rate` is the mean since the start, in bytes per second. */
export interface TransferProgress {
    readonly bytes: number;
    readonly total: number;
    readonly rate: number;
}
/** The events of a transfer, incoming or outgoing. */
export interface TransferEvents {
    progress: [progress: TransferProgress];
}
/** A file read as a stream of bytes: a `Blob`/`File`, or anything shaped like one (Node's `fs.openAsBlob`). */
export interface FileSource {
    readonly size: number;
    readonly type?: string;
    readonly name?: string;
    /** The bytes, from the first; called once. */
    stream(): ReadableStream<Uint8Array>;
}
/** Options of {@link RemotePeer.sendFile}. */
export interface SendFileOptions {
    /** Name sent to the receiver; defaults to the file's own name, if it has one. */
    readonly name?: string;
    /** Called as the transfer progresses (a few times a second at most), like the `progress` event. */
    readonly onProgress?: (progress: TransferProgress) => void;
    /** Aborting it cancels the transfer on both sides. */
    readonly signal?: AbortSignal;
}
/** A started transfer's shared bookkeeping: throttled progress and the mean rate. */
declare abstract class Transfer extends Emitter<TransferEvents> {
    readonly info: TransferInfo;
    protected bytes: number;
    private readonly startedAt;
    private lastProgressAt;
    constructor(info: TransferInfo);
    /** Emits `progress`: at most once per 100 ms, unless `force`. */
    protected progress(force?: boolean): void;
}
/**
 * Sends one file over its own data channel: a header, the bytes in frames (with backpressure),
 * then the SHA-256 of what was sent. Resolves once the receiver has checked the hash.
 */
export declare class OutgoingTransfer extends Transfer {
    private readonly channel;
    readonly done: Promise<{
        readonly sha256: string;
    }>;
    private cancelledBy;
    constructor(channel: RTCDataChannel, info: TransferInfo, file: FileSource, options: SendFileOptions, frameBytes: number);
    /** Stops the transfer and tells the receiver. */
    cancel(reason?: string): void;
    private run;
    /** The error for a reply that is not the one the transfer waits for. */
    private refused;
}
/** Where an incoming file's bytes go: a `WritableStream` (a file on disk in Node), or memory by default. */
export type FileSink = WritableStream<Uint8Array>;
/**
 * A file arriving from a peer. Call {@link accept} with a sink during the `transfer` event to stream
 * it somewhere (e.g. to disk); otherwise it is collected into a `Blob`. `done` resolves once the
 * bytes are all there and their SHA-256 matches the sender's.
 */
export declare class IncomingTransfer extends Transfer {
    private readonly channel;
    readonly done: Promise<Blob | null>;
    private sink;
    private writer;
    private readonly parts;
    private writing;
    /** Set when the bytes are asked for: none may arrive before. */
    private hash;
    private settle;
    private finished;
    private asked;
    constructor(channel: RTCDataChannel, info: TransferInfo);
    /**
     * Streams the file into `sink` instead of memory. Call it during the `transfer` event, or in code
     * that runs off it in the same turn (after awaiting a promise the event resolved).
     */
    accept(sink: FileSink): void;
    /** Asks the sender for the bytes, unless the transfer was cancelled meanwhile. */
    private ask;
    /** Stops the transfer and tells the sender. */
    cancel(reason?: string): void;
    /** Handles one message of the transfer's channel after the header. */
    receive(data: unknown): void;
    /** The channel closed: fine after the end, a failure before it. */
    closed(): void;
    private verify;
    /** Ends the transfer with `error`; the channel closes now, or (after our own cancel) once the sender closes it. */
    private fail;
    private reply;
}
/** Reads a transfer channel's header: the first message, which names the file. */
export declare function parseHead(data: unknown): TransferInfo | null;
/** Resolves once the channel is open; rejects if it closes first. */
export declare function opened(channel: RTCDataChannel): Promise<void>;
export {};
//# sourceMappingURL=transfer.d.ts.map