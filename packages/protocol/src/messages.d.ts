import * as v from 'valibot';
/** The protocol version this code speaks. It travels in `join` and `welcome`. */
export declare const PROTOCOL_VERSION = 1;
/** Enter a room. The answer is a `welcome`, or an `error` whose `re` is this message's `id`. */
export declare const JoinMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"join", undefined>;
    readonly id: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
    readonly protocol: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>]>;
    readonly room: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.RegexAction<string, "room names use letters, digits and - _ . ~">]>;
    readonly name: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>, undefined>;
    readonly token: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 4096, undefined>]>, undefined>;
    /** The `resumeToken` of an earlier welcome: take back that peer id and what was queued for it. */
    readonly resume: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
}, undefined>;
/**
 * Send signaling data to one peer of your room. Without `to`, it goes to the only other peer; when
 * you are alone, the server holds it for the next peer to join (the seed's steps 8–12).
 * There is deliberately no sender field: the server stamps `from` itself.
 */
export declare const SignalRequest: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"signal", undefined>;
    readonly id: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
    readonly to: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>;
    /** The sender's sequence number for end-to-end delivery (see the client); the server passes it on. */
    readonly seq: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>, undefined>;
    readonly data: v.VariantSchema<"kind", readonly [v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"description", undefined>;
        readonly description: v.ObjectSchema<{
            readonly type: v.PicklistSchema<["offer", "answer", "pranswer"], undefined>;
            readonly sdp: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, number, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"candidate", undefined>;
        readonly candidate: v.ObjectSchema<{
            readonly candidate: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 1024, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
            readonly sdpMid: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
            readonly sdpMLineIndex: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>, v.MaxValueAction<number, 1023, undefined>]>, undefined>, undefined>;
            readonly usernameFragment: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 256, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"end-of-candidates", undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"ack", undefined>;
        readonly seq: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>;
    }, undefined>], undefined>;
}, undefined>;
/** Leave the room but keep the connection (it may join again). */
export declare const LeaveMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"leave", undefined>;
    readonly id: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
}, undefined>;
/** Every message a client may send, told apart by `type`. */
export declare const ClientMessage: v.VariantSchema<"type", readonly [v.ObjectSchema<{
    readonly type: v.LiteralSchema<"join", undefined>;
    readonly id: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
    readonly protocol: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>]>;
    readonly room: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.RegexAction<string, "room names use letters, digits and - _ . ~">]>;
    readonly name: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>, undefined>;
    readonly token: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 4096, undefined>]>, undefined>;
    /** The `resumeToken` of an earlier welcome: take back that peer id and what was queued for it. */
    readonly resume: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
}, undefined>, v.ObjectSchema<{
    readonly type: v.LiteralSchema<"signal", undefined>;
    readonly id: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
    readonly to: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>;
    /** The sender's sequence number for end-to-end delivery (see the client); the server passes it on. */
    readonly seq: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>, undefined>;
    readonly data: v.VariantSchema<"kind", readonly [v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"description", undefined>;
        readonly description: v.ObjectSchema<{
            readonly type: v.PicklistSchema<["offer", "answer", "pranswer"], undefined>;
            readonly sdp: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, number, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"candidate", undefined>;
        readonly candidate: v.ObjectSchema<{
            readonly candidate: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 1024, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
            readonly sdpMid: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
            readonly sdpMLineIndex: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>, v.MaxValueAction<number, 1023, undefined>]>, undefined>, undefined>;
            readonly usernameFragment: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 256, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"end-of-candidates", undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"ack", undefined>;
        readonly seq: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>;
    }, undefined>], undefined>;
}, undefined>, v.ObjectSchema<{
    readonly type: v.LiteralSchema<"leave", undefined>;
    readonly id: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
}, undefined>], undefined>;
/** The answer to a successful `join`: your peer id, who is already in the room, and the ICE servers to use. */
export declare const WelcomeMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"welcome", undefined>;
    readonly protocol: v.NumberSchema<undefined>;
    readonly peerId: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    readonly room: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.RegexAction<string, "room names use letters, digits and - _ . ~">]>;
    /** Peers already in the room, oldest first: the first of a room is the caller (PEER1). */
    readonly peers: v.ArraySchema<v.ObjectSchema<{
        readonly id: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        readonly name: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>, undefined>;
        readonly role: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 32, undefined>, v.RegexAction<string, "roles use letters, digits and - _ .">]>, undefined>;
    }, undefined>, undefined>;
    readonly iceServers: v.ArraySchema<v.ObjectSchema<{
        readonly urls: v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 512, undefined>]>, v.SchemaWithPipe<readonly [v.ArraySchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>, v.MinLengthAction<string[], 1, undefined>, v.MaxLengthAction<string[], 16, undefined>]>], undefined>;
        readonly username: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
        readonly credential: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
    }, undefined>, undefined>;
    /** A secret that lets this peer resume its id after its connection drops; never shown to others. */
    readonly resumeToken: v.ExactOptionalSchema<v.StringSchema<undefined>, undefined>;
    /** True when this welcome resumed an earlier session (same id). */
    readonly resumed: v.ExactOptionalSchema<v.BooleanSchema<undefined>, undefined>;
}, undefined>;
/** Another peer entered your room. */
export declare const PeerJoinedMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"peer-joined", undefined>;
    readonly peer: v.ObjectSchema<{
        readonly id: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        readonly name: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>, undefined>;
        readonly role: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 32, undefined>, v.RegexAction<string, "roles use letters, digits and - _ .">]>, undefined>;
    }, undefined>;
}, undefined>;
/** Another peer left your room, and why. */
export declare const PeerLeftMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"peer-left", undefined>;
    readonly peerId: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    /** `left`: sent `leave`; `closed`: its connection closed; `timeout`: it stopped answering pings. */
    readonly reason: v.PicklistSchema<["left", "closed", "timeout"], undefined>;
}, undefined>;
/** Signaling data relayed by the server; `from` is always set by the server, never by a client. */
export declare const SignalMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"signal", undefined>;
    readonly from: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    readonly seq: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>, undefined>;
    readonly data: v.VariantSchema<"kind", readonly [v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"description", undefined>;
        readonly description: v.ObjectSchema<{
            readonly type: v.PicklistSchema<["offer", "answer", "pranswer"], undefined>;
            readonly sdp: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, number, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"candidate", undefined>;
        readonly candidate: v.ObjectSchema<{
            readonly candidate: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 1024, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
            readonly sdpMid: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
            readonly sdpMLineIndex: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>, v.MaxValueAction<number, 1023, undefined>]>, undefined>, undefined>;
            readonly usernameFragment: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 256, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"end-of-candidates", undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"ack", undefined>;
        readonly seq: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>;
    }, undefined>], undefined>;
}, undefined>;
/** A request failed or a limit was hit; `code` is one of {@link ERROR_CODES}. */
export declare const ErrorMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"error", undefined>;
    readonly code: v.PicklistSchema<["already-joined" | "auth-expired" | "auth-invalid" | "auth-required" | "auth-wrong-room" | "bad-json" | "binary-frame" | "channel-closed" | "connection-closed" | "hold-expired" | "hold-full" | "invalid-config" | "invalid-message" | "message-failed" | "message-too-large" | "negotiation-failed" | "not-joined" | "peer-unavailable" | "queue-full" | "rate-limited" | "resume-failed" | "room-full" | "server-full" | "signals-unacknowledged" | "target-required" | "transfer-cancelled" | "transfer-failed" | "unavailable" | "unexpected-channel" | "unknown-peer" | "unknown-type" | "unsupported-version", ...("already-joined" | "auth-expired" | "auth-invalid" | "auth-required" | "auth-wrong-room" | "bad-json" | "binary-frame" | "channel-closed" | "connection-closed" | "hold-expired" | "hold-full" | "invalid-config" | "invalid-message" | "message-failed" | "message-too-large" | "negotiation-failed" | "not-joined" | "peer-unavailable" | "queue-full" | "rate-limited" | "resume-failed" | "room-full" | "server-full" | "signals-unacknowledged" | "target-required" | "transfer-cancelled" | "transfer-failed" | "unavailable" | "unexpected-channel" | "unknown-peer" | "unknown-type" | "unsupported-version")[]], undefined>;
    readonly message: v.StringSchema<undefined>;
    /** The `id` of the request this error answers, when it had one. */
    readonly re: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
}, undefined>;
/**
 * The server is shutting down (a deploy, a scale-in): reconnect, to another node behind the same
 * address, within `reconnectWithinMs`. After that the server closes the connection (1001). Resuming
 * with the welcome's `resumeToken` keeps your peer id; data channels are not affected.
 */
export declare const GoingAwayMessage: v.ObjectSchema<{
    readonly type: v.LiteralSchema<"going-away", undefined>;
    readonly reconnectWithinMs: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>;
}, undefined>;
/** Every message the server may send, told apart by `type`. */
export declare const ServerMessage: v.VariantSchema<"type", readonly [v.ObjectSchema<{
    readonly type: v.LiteralSchema<"welcome", undefined>;
    readonly protocol: v.NumberSchema<undefined>;
    readonly peerId: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    readonly room: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.RegexAction<string, "room names use letters, digits and - _ . ~">]>;
    /** Peers already in the room, oldest first: the first of a room is the caller (PEER1). */
    readonly peers: v.ArraySchema<v.ObjectSchema<{
        readonly id: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        readonly name: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>, undefined>;
        readonly role: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 32, undefined>, v.RegexAction<string, "roles use letters, digits and - _ .">]>, undefined>;
    }, undefined>, undefined>;
    readonly iceServers: v.ArraySchema<v.ObjectSchema<{
        readonly urls: v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 512, undefined>]>, v.SchemaWithPipe<readonly [v.ArraySchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>, v.MinLengthAction<string[], 1, undefined>, v.MaxLengthAction<string[], 16, undefined>]>], undefined>;
        readonly username: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
        readonly credential: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
    }, undefined>, undefined>;
    /** A secret that lets this peer resume its id after its connection drops; never shown to others. */
    readonly resumeToken: v.ExactOptionalSchema<v.StringSchema<undefined>, undefined>;
    /** True when this welcome resumed an earlier session (same id). */
    readonly resumed: v.ExactOptionalSchema<v.BooleanSchema<undefined>, undefined>;
}, undefined>, v.ObjectSchema<{
    readonly type: v.LiteralSchema<"peer-joined", undefined>;
    readonly peer: v.ObjectSchema<{
        readonly id: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        readonly name: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>, undefined>;
        readonly role: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 32, undefined>, v.RegexAction<string, "roles use letters, digits and - _ .">]>, undefined>;
    }, undefined>;
}, undefined>, v.ObjectSchema<{
    readonly type: v.LiteralSchema<"peer-left", undefined>;
    readonly peerId: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    /** `left`: sent `leave`; `closed`: its connection closed; `timeout`: it stopped answering pings. */
    readonly reason: v.PicklistSchema<["left", "closed", "timeout"], undefined>;
}, undefined>, v.ObjectSchema<{
    readonly type: v.LiteralSchema<"signal", undefined>;
    readonly from: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    readonly seq: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>, undefined>;
    readonly data: v.VariantSchema<"kind", readonly [v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"description", undefined>;
        readonly description: v.ObjectSchema<{
            readonly type: v.PicklistSchema<["offer", "answer", "pranswer"], undefined>;
            readonly sdp: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, number, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"candidate", undefined>;
        readonly candidate: v.ObjectSchema<{
            readonly candidate: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 1024, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
            readonly sdpMid: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
            readonly sdpMLineIndex: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>, v.MaxValueAction<number, 1023, undefined>]>, undefined>, undefined>;
            readonly usernameFragment: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 256, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
        }, undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"end-of-candidates", undefined>;
    }, undefined>, v.ObjectSchema<{
        readonly kind: v.LiteralSchema<"ack", undefined>;
        readonly seq: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>;
    }, undefined>], undefined>;
}, undefined>, v.ObjectSchema<{
    readonly type: v.LiteralSchema<"error", undefined>;
    readonly code: v.PicklistSchema<["already-joined" | "auth-expired" | "auth-invalid" | "auth-required" | "auth-wrong-room" | "bad-json" | "binary-frame" | "channel-closed" | "connection-closed" | "hold-expired" | "hold-full" | "invalid-config" | "invalid-message" | "message-failed" | "message-too-large" | "negotiation-failed" | "not-joined" | "peer-unavailable" | "queue-full" | "rate-limited" | "resume-failed" | "room-full" | "server-full" | "signals-unacknowledged" | "target-required" | "transfer-cancelled" | "transfer-failed" | "unavailable" | "unexpected-channel" | "unknown-peer" | "unknown-type" | "unsupported-version", ...("already-joined" | "auth-expired" | "auth-invalid" | "auth-required" | "auth-wrong-room" | "bad-json" | "binary-frame" | "channel-closed" | "connection-closed" | "hold-expired" | "hold-full" | "invalid-config" | "invalid-message" | "message-failed" | "message-too-large" | "negotiation-failed" | "not-joined" | "peer-unavailable" | "queue-full" | "rate-limited" | "resume-failed" | "room-full" | "server-full" | "signals-unacknowledged" | "target-required" | "transfer-cancelled" | "transfer-failed" | "unavailable" | "unexpected-channel" | "unknown-peer" | "unknown-type" | "unsupported-version")[]], undefined>;
    readonly message: v.StringSchema<undefined>;
    /** The `id` of the request this error answers, when it had one. */
    readonly re: v.ExactOptionalSchema<v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>, undefined>;
}, undefined>, v.ObjectSchema<{
    readonly type: v.LiteralSchema<"going-away", undefined>;
    readonly reconnectWithinMs: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>;
}, undefined>], undefined>;
export type JoinMessage = v.InferOutput<typeof JoinMessage>;
export type SignalRequest = v.InferOutput<typeof SignalRequest>;
export type LeaveMessage = v.InferOutput<typeof LeaveMessage>;
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
export type WelcomeMessage = v.InferOutput<typeof WelcomeMessage>;
export type PeerJoinedMessage = v.InferOutput<typeof PeerJoinedMessage>;
export type PeerLeftMessage = v.InferOutput<typeof PeerLeftMessage>;
export type SignalMessage = v.InferOutput<typeof SignalMessage>;
export type ErrorMessage = v.InferOutput<typeof ErrorMessage>;
export type GoingAwayMessage = v.InferOutput<typeof GoingAwayMessage>;
export type ServerMessage = v.InferOutput<typeof ServerMessage>;
//# sourceMappingURL=messages.d.ts.map