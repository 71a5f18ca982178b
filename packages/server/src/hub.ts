import { type ClientMessage, encodeRelayedSignal, type JoinMessage, type RequestId, type SignalRequest } from '@icebreaker/protocol';
import type { Logger } from 'pino';
import type { AddressBook } from './address-book.js';
import { Admission, type Admitted, newPeerId, newResumeNonce } from './admission.js';
import type { ServerConfig } from './config.js';
import type { Connection } from './connection.js';
import type { ServerMetrics } from './metrics.js';
import { openRoomStore } from './open-room-store.js';
import { RelayRouter } from './relay-router.js';
import type { EnterOutcome, RelayOutcome, ResumeOutcome, RoomStore, StoreEvents } from './room-store.js';
import { type LeaveReason, peerInfo } from './types.js';

/**
 * How a server acts on its clients' messages, whatever store keeps its rooms: it checks joins
 * (admission), asks the store, turns the store's outcomes into replies and error frames, and counts and
 * logs what happened. It never learns which store it has (see RoomStore).
 */
export class Hub {
  private readonly admission: Admission;
  /** The relay through this server: binary relay frames and `relay` requests. */
  readonly relay: RelayRouter;

  /**
   * Opens the store the config asks for (Redis when `redisUrl` is set, loaded only then) and a hub over it.
   * Rejects when Redis cannot be reached in time.
   */
  static async open(config: ServerConfig, metrics: ServerMetrics, log: Logger, addresses: AddressBook): Promise<Hub> {
    // The store reports relay frames that reach this node to the hub's relay, made after it.
    let hub: Hub | undefined;
    const store = await openRoomStore(
      config,
      storeEvents(config, log, (...args) => hub?.relay.arrived(...args)),
      log,
    );
    hub = new Hub(store, config, metrics, log, addresses);
    return hub;
  }

  constructor(
    private readonly store: RoomStore,
    private readonly config: ServerConfig,
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
    private readonly addresses: AddressBook,
  ) {
    // A store shared by several nodes agrees on one resume key (so that a peer resumes on any of them).
    this.admission = new Admission({ ...config, resumeSecret: store.resumeSecret }, log);
    this.relay = new RelayRouter(store, config, metrics, log);
  }

  get ready(): boolean {
    return this.store.ready;
  }

  get roomCount(): number {
    return this.store.roomCount;
  }

  get peerCount(): number {
    return this.store.peerCount;
  }

  get parkedCount(): number {
    return this.store.parkedCount;
  }

  get queuedBytes(): number {
    return this.store.queuedBytes;
  }

  /**
   * Acts on one decoded message. `receivedAt` (performance.now()) times the relay; `text`, the frame the
   * message was decoded from, lets a relayed signal be sent on without encoding it again.
   */
  dispatch(connection: Connection, message: ClientMessage, receivedAt: number, text?: string): void {
    switch (message.type) {
      case 'join':
        this.admission.check(connection, message, (admitted) => this.join(connection, message, admitted));
        return;
      case 'signal':
        this.signal(connection, message, receivedAt, text);
        return;
      case 'relay':
        this.relay.request(connection, message);
        return;
      case 'leave':
        if (!connection.place) {
          connection.sendError('not-joined', message.id);
          return;
        }
        this.detach(connection, 'left');
        return;
    }
  }

  /**
   * A connection ended (`closed`, `timeout`) or its peer left: its place goes, at once or after the
   * resume grace. A place is kept only while resuming is on, its tokens still work, and the address that
   * parks it has room for one more (see AddressBook); the store bounds the total.
   */
  detach(connection: Connection, reason: LeaveReason): void {
    const place = connection.place;
    if (!place) return;
    connection.place = null;
    this.relay.left(connection);
    const { address } = connection;
    if (reason === 'left' || this.config.resumeGraceMs === 0 || place.resumeUntil <= Date.now() || !this.addresses.park(address)) {
      this.store.leave(connection, place, reason);
      return;
    }
    this.store.park(connection, place, reason, () => this.addresses.unpark(address));
  }

  /** Stops the store's timers and connections. */
  close(): Promise<void> {
    return this.store.close();
  }

  private join(connection: Connection, message: JoinMessage, admitted: Admitted): void {
    const nonce = newResumeNonce();
    let outcome: EnterOutcome | ResumeOutcome | Promise<EnterOutcome | ResumeOutcome>;
    connection.relayClaim = (admitted.kind === 'resume' ? admitted.claim.relay : admitted.grant.relay) === true;
    connection.relayAllowed = this.relay.allows(connection.relayClaim);
    if (admitted.kind === 'resume') {
      outcome = this.store.resume(connection, admitted.claim, nonce);
    } else {
      const { grant } = admitted;
      const resumeUntil = this.admission.resumeUntil(grant);
      outcome = this.store.enter(connection, message.room, { id: newPeerId(), name: grant.name, role: grant.role, nonce, resumeUntil });
    }
    if (outcome instanceof Promise)
      this.settle(
        connection,
        message.id,
        outcome.then((o) => this.joined(connection, message, o)),
      );
    else this.joined(connection, message, outcome);
  }

  private joined(connection: Connection, message: JoinMessage, outcome: EnterOutcome | ResumeOutcome): void {
    if (outcome.kind === 'entered' || outcome.kind === 'resumed') {
      const { place } = outcome;
      if (!connection.isOpen) {
        // The connection went while the store answered: the place goes the way a drop would (at once).
        this.store.leave(connection, place, 'closed');
        return;
      }
      connection.place = place;
      this.admission.welcome(connection, place.room, peerInfo(place), outcome.peers, outcome.kind === 'resumed', place);
      // Held signals (a new place) or what was queued during the absence (a resumed one), in order.
      for (const frame of outcome.frames) connection.sendFrame(frame);
      return;
    }
    if (outcome.kind === 'room-full') {
      connection.sendError('room-full', message.id, `room "${message.room}" already has ${outcome.size} peers, its capacity`);
    } else if (outcome.kind === 'server-full') {
      connection.sendError('server-full', message.id, `this service holds ${outcome.rooms} rooms, its limit; try again later`);
    } else {
      connection.sendError('resume-failed', message.id);
    }
  }

  private signal(connection: Connection, message: SignalRequest, receivedAt: number, text: string | undefined): void {
    const place = connection.place;
    if (!place) {
      connection.sendError('not-joined', message.id);
      return;
    }
    const frame = encodeRelayedSignal(place.id, message, text);
    const outcome = this.store.relay(connection, message.to, frame, message.id);
    // The in-memory store answers at once: no promise, no closure on its path.
    if (typeof outcome === 'string') this.relayed(connection, message, outcome, receivedAt);
    else
      this.settle(
        connection,
        message.id,
        outcome.then((o) => this.relayed(connection, message, o, receivedAt)),
      );
  }

  private relayed(connection: Connection, message: SignalRequest, outcome: RelayOutcome, receivedAt: number): void {
    switch (outcome) {
      case 'delivered':
      case 'held':
        this.metrics.signalRelayed(message.data.kind, (performance.now() - receivedAt) / 1000);
        return;
      case 'unknown-peer':
        // Also the answer for a peer of another room: ids never cross rooms.
        connection.sendError('unknown-peer', message.id, `no other peer "${message.to}" in room "${connection.place?.room}"`);
        return;
      case 'server-full':
        connection.sendError(
          'server-full',
          message.id,
          `this service keeps at most ${this.config.maxQueuedBytes} bytes of waiting signals`,
        );
        return;
      case 'unavailable':
        connection.sendError('unavailable', message.id, 'the server was recovering its shared state; send it again');
        return;
      default:
        connection.sendError(outcome, message.id);
    }
  }

  /** Waits for a store's later answer; if the store fails it (Redis away), the client hears `unavailable` (the library sends again). */
  private settle(connection: Connection, requestId: RequestId | undefined, task: Promise<void>): void {
    task.catch((error: unknown) => {
      connection.sendError('unavailable', requestId, 'the server cannot reach its shared state just now; try again shortly');
      this.log.warn({ event: 'store-error', error: (error as Error).message }, 'the room store failed a request');
    });
  }
}

/** What the hub does when the store reports something that happened on its own. */
function storeEvents(config: ServerConfig, log: Logger, relayArrived: StoreEvents['relayArrived']): StoreEvents {
  return {
    relayArrived,
    holdExpired(connection, requestId, count) {
      if (!connection.isOpen) return;
      connection.sendError(
        'hold-expired',
        requestId,
        `no peer joined within ${Math.round(config.holdTtlMs / 1000)}s: ${count} held signal${count === 1 ? '' : 's'} discarded; send again once a peer is here`,
      );
    },
    left(room, peer, reason) {
      log.info({ event: 'leave', room, peer, reason }, 'peer left');
    },
  };
}
