/**
 * Every failure that crosses the wire or reaches a user carries one of these stable codes.
 * The README's error table is generated from the same list; never rename a code, only add.
 */
export declare const ERROR_CODES: {
    readonly 'bad-json': 'The frame is not valid JSON.';
    readonly 'binary-frame': 'Binary frames are not part of the signaling protocol; send JSON text.';
    readonly 'message-too-large': 'The message is larger than the server accepts.';
    readonly 'invalid-message': 'The message does not match the schema of its type.';
    readonly 'unknown-type': 'The message type is not one this protocol version defines.';
    readonly 'unsupported-version': 'The protocol version in `join` is not one this server speaks.';
    readonly 'not-joined': 'Join a room before sending this message.';
    readonly 'already-joined': 'This connection has already joined a room; send `leave` first.';
    readonly 'room-full': 'The room already holds as many peers as it allows.';
    readonly 'unknown-peer': 'The target peer is not in your room.';
    readonly 'target-required': 'Several peers share the room: name the one this signal is for in `to`.';
    readonly 'hold-full': 'Too many signals are waiting for a peer to join; the server kept none of this one.';
    readonly 'hold-expired': 'No peer joined in time: the signals held for the next peer were discarded.';
    readonly 'resume-failed': 'The resume token is not valid here, or its peer id is taken; join as a new peer.';
    readonly 'queue-full': 'Too many signals are waiting for a peer whose connection dropped; this one was not kept.';
    readonly 'channel-closed': 'The data channel closed before the data could be sent.';
    readonly 'transfer-cancelled': 'The file transfer was cancelled by one of the two peers.';
    readonly 'transfer-failed': 'The file transfer broke off, or what arrived does not match what was sent.';
    readonly 'message-failed': 'A message from the peer could not be read (bad framing, bad JSON, or too large).';
    readonly 'negotiation-failed': 'The WebRTC negotiation with this peer failed.';
    readonly 'peer-unavailable': 'The peer is not connected (its data channel is not open).';
    readonly 'invalid-config': 'A configuration value (flag, environment variable or option) is not valid.';
    readonly 'connection-closed': 'The signaling connection closed before the request completed.';
    readonly 'auth-required': 'This server admits only peers with a room token: pass `token` in `join`.';
    readonly 'auth-invalid': "The room token is malformed, or its signature does not verify with this server's secret.";
    readonly 'auth-expired': 'The room token has expired: get a fresh one.';
    readonly 'auth-wrong-room': 'The room token does not admit you to this room.';
    readonly unavailable: 'The server cannot reach the state it shares with other nodes just now; try again shortly.';
    readonly 'rate-limited': 'Too many messages or bytes in too short a time: messages are dropped until you slow down; keep on and the connection is closed.';
    readonly 'server-full': 'The server holds as many rooms, parked peers or waiting signals as it is configured to; try again later.';
    readonly 'unexpected-channel': 'The peer opened a data channel with a label this library does not use; it was closed.';
    readonly 'signals-unacknowledged': 'The peer has not acknowledged the signals sent to it: it may not speak the end-to-end signal protocol.';
};
/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
/**
 * The one error class of the project: a stable `code`, a human message and an optional `cause`.
 *
 * @example
 * ```ts
 * try { await client.join({ room: 'demo' }); }
 * catch (e) { if (e instanceof IcebreakerError && e.code === 'room-full') showFullRoom(); }
 * ```
 */
export declare class IcebreakerError extends Error {
    readonly name = "IcebreakerError";
    readonly code: ErrorCode;
    constructor(code: ErrorCode, message?: string, options?: {
        cause?: unknown;
    });
}
/** Narrowing helper that also works across realms and bundle copies (checks the shape, not the prototype). */
export declare function isIcebreakerError(value: unknown): value is IcebreakerError;
//# sourceMappingURL=errors.d.ts.map