import type { PeerId, PeerInfo, RequestId, RoomName } from '@icebreaker/protocol';
import type { ServerConfig } from './config.js';
import type { ResumeClaim } from './resume-token.js';
import type { Endpoint, LeaveReason, Place } from './types.js';

/**
 * Where the rooms live: this process's memory (`MemoryStore`) or Redis, shared by several server
 * nodes (`RedisStore`). The hub acts on clients' messages through this interface alone and never
 * learns which store it has; one contract suite (test/server/store-contract.test.ts) holds both to it.
 *
 * Expected outcomes (a full room, an unknown peer, a spent token) are returned, never thrown. A store
 * whose rooms are remote answers with a promise; the in-memory store answers at once, so that the
 * relay of a signal costs no promise and no extra turn of the event loop. A rejected promise means
 * the store could not be reached (the client is told `unavailable`).
 */
export interface RoomStore {
  /** Whether new peers can be served (Redis: reachable). */
  readonly ready: boolean;
  /** Rooms and peers this node holds, parked places included (for /healthz and the metrics). */
  readonly roomCount: number;
  readonly peerCount: number;
  /** Places kept for a resume, and bytes of signals kept waiting (the store's whole, for the metrics). */
  readonly parkedCount: number;
  readonly queuedBytes: number;
  /** The key resume tokens are signed with: every node of one store must use the same. */
  readonly resumeSecret: string | null;

  /**
   * A new place in `room` for `connection`: the others present hear `peer-joined`. The new place's
   * first frames (signals held for the room's next peer) are returned for the hub to send after the
   * welcome, and the store attaches the connection so that later frames reach it.
   */
  enter(connection: Endpoint, room: RoomName, place: NewPlace): Sync<EnterOutcome>;
  /**
   * Takes a place back with a resume token's claim, if the place exists and carries the token's nonce;
   * its nonce becomes `nonce` (spending the token). A connection still attached to it is closed.
   */
  resume(connection: Endpoint, claim: ResumeClaim, nonce: string): Sync<ResumeOutcome>;
  /**
   * Relays one encoded signal frame from the place of `connection` to `to`, or to the only other peer
   * when `to` is undefined — held for the room's next peer when the sender is alone.
   */
  relay(connection: Endpoint, to: PeerId | undefined, frame: string, requestId: RequestId | undefined): Sync<RelayOutcome>;
  /**
   * Where a relay frame from the place of `connection` to peer `to` goes: the connection of `to` when
   * this node writes to it directly, `remote` when it must go through the store ({@link forwardRelay}),
   * or why it cannot go: `unknown-peer` (no such peer in the sender's room: ids never cross rooms),
   * `away` (its connection dropped and its place waits for a resume).
   */
  routeRelay(connection: Endpoint, to: PeerId): Endpoint | 'remote' | RelayMiss;
  /**
   * Sends a relay frame (its header already names the sender) to `to`, in the sender's room only,
   * through the store, in order with the sender's signals. The store hands it, on the node that holds
   * `to`, to {@link StoreEvents.relayArrived}.
   */
  forwardRelay(connection: Endpoint, to: PeerId, frame: Uint8Array): Promise<'sent' | RelayMiss | 'unavailable'>;
  /** Ends a place now: the others hear `peer-left` with `reason`. */
  leave(connection: Endpoint, place: Place, reason: LeaveReason): void;
  /**
   * Keeps a dropped connection's place for the resume grace: frames for it are queued meanwhile. When
   * the store's cap on parked places is reached, the place ends at once instead. `release` is called
   * once, when the place stops being parked by this node (taken back, ended, or its grace over).
   */
  park(connection: Endpoint, place: Place, reason: Exclude<LeaveReason, 'left'>, release: () => void): void;
  /** Stops the store's timers and connections. */
  close(): Promise<void>;
}

/** A value now, or (a remote store) later. */
export type Sync<T> = T | Promise<T>;

/** What the hub decided about a new place before the store makes it: all of it but the room, which the store puts it in. */
export type NewPlace = Omit<Place, 'room'>;

/** A place taken, with the others present (oldest first) and the frames to send it after the welcome. */
export interface Seated {
  readonly kind: 'entered' | 'resumed';
  readonly place: Place;
  readonly peers: PeerInfo[];
  readonly frames: readonly string[];
}

export type EnterOutcome =
  | Seated
  | { readonly kind: 'room-full'; readonly size: number }
  | { readonly kind: 'server-full'; readonly rooms: number };

export type ResumeOutcome = Seated | { readonly kind: 'resume-failed' };

/**
 * What became of a signal. `unavailable`: the store had lost the sender's place (Redis restarted
 * empty) and has put it back; the client is to send again.
 */
export type RelayOutcome =
  | 'delivered'
  | 'held'
  | 'unknown-peer'
  | 'target-required'
  | 'hold-full'
  | 'queue-full'
  | 'server-full'
  | 'unavailable';

/** Why a relay frame cannot reach its peer. */
export type RelayMiss = 'unknown-peer' | 'away';

/** What a store tells the hub of what happened on its own (a timer, another node). */
export interface StoreEvents {
  /** The signals a peer sent while alone were discarded, `count` of them: it is told. */
  holdExpired(connection: Endpoint, requestId: RequestId | undefined, count: number): void;
  /** A place ended (left, closed, or its grace over). */
  left(room: RoomName, peer: PeerId, reason: LeaveReason): void;
  /**
   * A relay frame sent through the store reached `target`, attached here. `sender` is the sender's
   * connection when this node holds it too (it can then be slowed), and `answer` tells the sender,
   * wherever it is, that its frame was refused.
   */
  relayArrived(target: Endpoint, frame: Uint8Array, sender: Endpoint | null, answer: (refusal: string) => void): void;
}

/** The settings a store bounds itself with, and how long holds and parked places last. */
export type StoreLimits = Pick<
  ServerConfig,
  'roomCapacity' | 'maxRooms' | 'maxParked' | 'maxQueuedBytes' | 'holdTtlMs' | 'holdMaxSignals' | 'holdMaxBytes' | 'resumeGraceMs'
>;
