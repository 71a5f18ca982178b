import type { ErrorCode } from './errors.js';
import { RequestId } from './fields.js';
import { ClientMessage, ServerMessage } from './messages.js';
/** Why a frame could not be decoded. `re` is the frame's request id when one could be read. */
export interface DecodeFailure {
    readonly code: Extract<ErrorCode, 'bad-json' | 'binary-frame' | 'invalid-message' | 'unknown-type'>;
    readonly message: string;
    readonly re?: RequestId;
}
/** The result of decoding one frame: a typed message or a typed failure. Decoding never throws. */
export type DecodeResult<T> = {
    readonly ok: true;
    readonly message: T;
} | {
    readonly ok: false;
    readonly error: DecodeFailure;
};
/**
 * Decodes a frame sent by a client (the server's inbound side). Unknown fields are dropped, so a
 * client cannot smuggle a `from` into a relayed signal.
 *
 * @example
 * ```ts
 * const result = decodeClientMessage(isBinary ? data : data.toString());
 * if (!result.ok) reply({ type: 'error', ...result.error });
 * else if (result.message.type === 'join') handleJoin(result.message);
 * ```
 */
export declare const decodeClientMessage: (frame: unknown) => DecodeResult<{
    type: "join";
    id?: string | number;
    protocol: number;
    room: string;
    name?: string;
    token?: string;
    resume?: string;
} | {
    type: "signal";
    id?: string | number;
    to?: string;
    seq?: number;
    data: {
        kind: "description";
        description: {
            type: "answer" | "offer" | "pranswer";
            sdp: string;
        };
    } | {
        kind: "candidate";
        candidate: {
            candidate: string;
            sdpMid?: string | null;
            sdpMLineIndex?: number | null;
            usernameFragment?: string | null;
        };
    } | {
        kind: "end-of-candidates";
    } | {
        kind: "ack";
        seq: number;
    };
} | {
    type: "leave";
    id?: string | number;
}>;
/** Decodes a frame sent by the server (the client's inbound side). */
export declare const decodeServerMessage: (frame: unknown) => DecodeResult<{
    type: "welcome";
    protocol: number;
    peerId: string;
    room: string;
    peers: {
        id: string;
        name?: string;
        role?: string;
    }[];
    iceServers: {
        urls: string | string[];
        username?: string;
        credential?: string;
    }[];
    resumeToken?: string;
    resumed?: boolean;
} | {
    type: "peer-joined";
    peer: {
        id: string;
        name?: string;
        role?: string;
    };
} | {
    type: "peer-left";
    peerId: string;
    reason: "closed" | "left" | "timeout";
} | {
    type: "signal";
    from: string;
    seq?: number;
    data: {
        kind: "description";
        description: {
            type: "answer" | "offer" | "pranswer";
            sdp: string;
        };
    } | {
        kind: "candidate";
        candidate: {
            candidate: string;
            sdpMid?: string | null;
            sdpMLineIndex?: number | null;
            usernameFragment?: string | null;
        };
    } | {
        kind: "end-of-candidates";
    } | {
        kind: "ack";
        seq: number;
    };
} | {
    type: "error";
    code: "already-joined" | "auth-expired" | "auth-invalid" | "auth-required" | "auth-wrong-room" | "bad-json" | "binary-frame" | "channel-closed" | "connection-closed" | "hold-expired" | "hold-full" | "invalid-config" | "invalid-message" | "message-failed" | "message-too-large" | "negotiation-failed" | "not-joined" | "peer-unavailable" | "queue-full" | "rate-limited" | "resume-failed" | "room-full" | "server-full" | "signals-unacknowledged" | "target-required" | "transfer-cancelled" | "transfer-failed" | "unavailable" | "unexpected-channel" | "unknown-peer" | "unknown-type" | "unsupported-version";
    message: string;
    re?: string | number;
} | {
    type: "going-away";
    reconnectWithinMs: number;
}>;
/** Serialises a message for the wire. Both ends use it so the encoding lives in one place. */
export declare function encode(message: ClientMessage | ServerMessage): string;
//# sourceMappingURL=decode.d.ts.map