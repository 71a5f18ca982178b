import * as v from 'valibot';
/** Room names travel in URLs, so they are kept to URL-safe characters. */
export declare const RoomName: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.RegexAction<string, "room names use letters, digits and - _ . ~">]>;
/** Peer ids are minted by the server; clients only ever echo them back. */
export declare const PeerId: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
/** A name people read: no control, format (bidi, zero-width) or private-use characters. */
export declare const DisplayName: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>;
/** A role an auth token gives its peer (e.g. `host`, `viewer`); the application decides what it means. */
export declare const PeerRole: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 32, undefined>, v.RegexAction<string, "roles use letters, digits and - _ .">]>;
/** A client-chosen request id, echoed in the `re` field of an `error` that answers the request. */
export declare const RequestId: v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>]>], undefined>;
/** The `RTCSessionDescriptionInit` of an offer or answer (rollback is local-only and never signaled). */
export declare const SessionDescription: v.ObjectSchema<{
    readonly type: v.PicklistSchema<["offer", "answer", "pranswer"], undefined>;
    readonly sdp: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, number, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
}, undefined>;
/** The `RTCIceCandidateInit` of one trickled candidate. */
export declare const IceCandidate: v.ObjectSchema<{
    readonly candidate: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 1024, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    readonly sdpMid: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
    readonly sdpMLineIndex: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.IntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>, v.MaxValueAction<number, 1023, undefined>]>, undefined>, undefined>;
    readonly usernameFragment: v.ExactOptionalSchema<v.NullableSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 256, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>, undefined>, undefined>;
}, undefined>;
/** A per-sender sequence number of end-to-end signal delivery. */
export declare const Seq: v.SchemaWithPipe<readonly [v.NumberSchema<undefined>, v.SafeIntegerAction<number, undefined>, v.MinValueAction<number, 0, undefined>]>;
/**
 * What a signal carries: a description, one candidate, the end of this side's candidates, or an
 * acknowledgement that every signal up to `seq` from the receiver of the ack has arrived.
 */
export declare const SignalData: v.VariantSchema<"kind", readonly [v.ObjectSchema<{
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
/** An `RTCIceServer` as the server hands it to clients. */
export declare const IceServer: v.ObjectSchema<{
    readonly urls: v.UnionSchema<[v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 512, undefined>]>, v.SchemaWithPipe<readonly [v.ArraySchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>, v.MinLengthAction<string[], 1, undefined>, v.MaxLengthAction<string[], 16, undefined>]>], undefined>;
    readonly username: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
    readonly credential: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MaxLengthAction<string, 512, undefined>]>, undefined>;
}, undefined>;
/** A peer as the server describes it to the others in its room. */
export declare const PeerInfo: v.ObjectSchema<{
    readonly id: v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">]>;
    readonly name: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 64, undefined>, v.CheckAction<string, "text must be well-formed UTF-16 (no lone surrogates)">, v.CheckAction<string, "names have no control, format (bidi, zero-width) or private-use characters">]>, undefined>;
    /** Set only by the server, from the peer's auth token: other peers can trust it. */
    readonly role: v.ExactOptionalSchema<v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.MinLengthAction<string, 1, undefined>, v.MaxLengthAction<string, 32, undefined>, v.RegexAction<string, "roles use letters, digits and - _ .">]>, undefined>;
}, undefined>;
export type RoomName = v.InferOutput<typeof RoomName>;
export type PeerId = v.InferOutput<typeof PeerId>;
export type PeerRole = v.InferOutput<typeof PeerRole>;
export type RequestId = v.InferOutput<typeof RequestId>;
export type SessionDescription = v.InferOutput<typeof SessionDescription>;
export type IceCandidate = v.InferOutput<typeof IceCandidate>;
export type SignalData = v.InferOutput<typeof SignalData>;
export type Seq = v.InferOutput<typeof Seq>;
export type IceServer = v.InferOutput<typeof IceServer>;
export type PeerInfo = v.InferOutput<typeof PeerInfo>;
//# sourceMappingURL=fields.d.ts.map