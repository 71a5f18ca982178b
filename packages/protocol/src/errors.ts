/**
 * Every failure that crosses the wire or reaches a user carries one of these stable codes.
 * The README's error table is generated from the same list; never rename a code, only add.
 */
export const ERROR_CODES = {
  'bad-json': 'The frame is not valid JSON.',
  'binary-frame': 'Binary frames are not part of the signaling protocol; send JSON text.',
  'message-too-large': 'The message is larger than the server accepts.',
  'invalid-message': 'The message does not match the schema of its type.',
  'unknown-type': 'The message type is not one this protocol version defines.',
  'unsupported-version': 'The protocol version in `join` is not one this server speaks.',
  'not-joined': 'Join a room before sending this message.',
  'already-joined': 'This connection has already joined a room; send `leave` first.',
  'room-full': 'The room already holds as many peers as it allows.',
  'unknown-peer': 'The target peer is not in your room.',
  'target-required': 'Several peers share the room: name the one this signal is for in `to`.',
  'hold-full': 'Too many signals are waiting for a peer to join; the server kept none of this one.',
  'hold-expired': 'No peer joined in time: the signals held for the next peer were discarded.',
  'resume-failed': 'The resume token is not valid here, or its peer id is taken; join as a new peer.',
  'queue-full': 'Too many signals are waiting for a peer whose connection dropped; this one was not kept.',
  'channel-closed': 'The data channel closed before the data could be sent.',
  'transfer-cancelled': 'The file transfer was cancelled by one of the two peers.',
  'transfer-failed': 'The file transfer broke off, or what arrived does not match what was sent.',
  'message-failed': 'A message from the peer could not be read (bad framing, bad JSON, or too large).',
  'negotiation-failed': 'The WebRTC negotiation with this peer failed.',
  'peer-unavailable': 'The peer is not connected (its data channel is not open).',
  'invalid-config': 'A configuration value (flag, environment variable or option) is not valid.',
  'connection-closed': 'The signaling connection closed before the request completed.',
  'auth-required': 'This server admits only peers with a room token: pass `token` in `join`.',
  'auth-invalid': "The room token is malformed, or its signature does not verify with this server's secret.",
  'auth-expired': 'The room token has expired: get a fresh one.',
  'auth-wrong-room': 'The room token does not admit you to this room.',
  unavailable: 'The server cannot reach the state it shares with other nodes just now; try again shortly.',
  'rate-limited':
    'Too many messages or bytes in too short a time: messages are dropped until you slow down; keep on and the connection is closed.',
  'server-full': 'The server holds as many rooms, parked peers or waiting signals as it is configured to; try again later.',
  'unexpected-channel': 'The peer opened a data channel with a label this library does not use; it was closed.',
  'signals-unacknowledged': 'The peer has not acknowledged the signals sent to it: it may not speak the end-to-end signal protocol.',
  'relay-unavailable': 'The relay through the server is off here, or reserved to room tokens with the `relay` claim.',
  'bad-relay-frame': 'A binary frame is not a relay frame (see the protocol), or names no peer of your room.',
  'relay-limited': 'The relay is carrying as many bytes as the server allows; frames wait until it drains.',
  tampered:
    "The peer could not prove it holds the pairing link's secret: the signaling path changed what it sent, or the peer has another link or none. It was refused.",
  'fingerprint-mismatch': "The certificate the peer's DTLS handshake used is not the one its description named.",
  'relay-failed': 'A relayed payload could not be opened (wrong key, replayed, reordered or dropped): the relay to this peer was closed.',
} as const;

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
export class IcebreakerError extends Error {
  override readonly name = 'IcebreakerError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string = ERROR_CODES[code], options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Narrowing helper that also works across realms and bundle copies (checks the shape, not the prototype). */
export function isIcebreakerError(value: unknown): value is IcebreakerError {
  if (!(value instanceof Error) || value.name !== 'IcebreakerError') return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
