/**
 * Messages on the peer channel are split into frames no larger than the channel's maximum message size
 * (Chromium: 256 KiB, Firefox and others less) and put back together on arrival. One header byte:
 * bit 7 is set on a message's last frame, the low bits say what the message is.
 */
export declare enum Kind {
    Text = 0,
    Binary = 1,
    Json = 2
}
/** Frames of 64 KiB or less pass between every pair of WebRTC stacks in the field. */
export declare const DEFAULT_FRAME_BYTES: number;
/**
 * The largest frame used when both sides negotiated more (`pc.sctp.maxMessageSize`, RFC 8841 §6):
 * Chromium offers 256 KiB. Fewer, larger messages cost less per byte.
 */
export declare const MAX_FRAME_BYTES: number;
/** A received message as the application sees it. */
export type MessageData = string | ArrayBuffer | unknown;
/** Splits a message body into frames of at most `frameBytes` bytes, header included. */
export declare function frames(kind: Kind, body: Uint8Array, frameBytes: number): Generator<Uint8Array<ArrayBuffer>>;
/** The outcome of feeding one frame to a {@link Reassembler}. */
export type Reassembled = {
    readonly done: false;
} | {
    readonly done: true;
    readonly kind: Kind;
    readonly body: Uint8Array;
} | {
    readonly error: string;
};
/** Collects frames until a message is complete. Bounded: a message beyond `maxBytes` is an error. */
export declare class Reassembler {
    private readonly maxBytes;
    private parts;
    private size;
    constructor(maxBytes: number);
    push(frame: Uint8Array): Reassembled;
}
//# sourceMappingURL=framing.d.ts.map