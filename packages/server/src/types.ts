import type { ErrorCode, PeerId, PeerInfo, RequestId, RoomName } from '@icebreaker/protocol';

/**
 * The types the hub, the connection and the stores share. They live here, imported by all and
 * importing none of them, so that no two of those modules import each other.
 */

/** Why a peer's place in its room ended, as told to the others in `peer-left`. */
export type LeaveReason = 'left' | 'closed' | 'timeout';

/**
 * A peer's place in a room, as the store that made it describes it. Only the store that returned a
 * place reads anything more from it (its own record); the hub reads these fields.
 */
export interface Place {
  readonly id: PeerId;
  readonly room: RoomName;
  readonly name?: string | undefined;
  readonly role?: string | undefined;
  /** The nonce of the one resume token that can take this place back. */
  readonly nonce: string;
  /** When the place's resume tokens stop working (ms since the epoch). */
  readonly resumeUntil: number;
}

/** What a store sees of a WebSocket connection: where to send a place's frames, and its place. */
export interface Endpoint {
  /** The place this connection holds, once joined. */
  place: Place | null;
  readonly address: string;
  readonly isOpen: boolean;
  /** Sends an encoded frame; a closing connection takes nothing more. */
  sendFrame(frame: string): void;
  /** Sends an `error` frame (answering request `re`), with a text that explains it. */
  sendError(code: ErrorCode, re?: RequestId, message?: string): void;
  /** Ends the connection (for instance: its place was taken back by a resume on another connection). */
  close(code: number, reason: string): void;
}

/** A place as the others see it in `welcome` and `peer-joined`: its id, and name and role when it has them. */
export function peerInfo(place: { readonly id: PeerId; readonly name?: string | undefined; readonly role?: string | undefined }): PeerInfo {
  return {
    id: place.id,
    ...(place.name === undefined ? {} : { name: place.name }),
    ...(place.role === undefined ? {} : { role: place.role }),
  };
}
