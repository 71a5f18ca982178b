import { decodeRelayFrame, type ErrorCode, encode, RELAY_PAYLOAD_MAX, type RelayRequest } from '@icebreaker/protocol';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { Connection } from './connection.js';
import type { ServerMetrics } from './metrics.js';
import { RelayFlow } from './relay-flow.js';
import type { RoomStore } from './room-store.js';
import type { Endpoint } from './types.js';

/**
 * How a refused relay frame is answered (the frame pipeline's: it charges the frame to the sender's
 * ordinary rate limit first, so that a flood of bad frames is limited like any other bad input).
 */
export type RelayRefusal = (connection: Connection, bytes: number, code: ErrorCode, message: string) => void;

const LIMITED =
  'the relay holds as many bytes as this server allows for this receiver or in all: this frame was refused (nothing after it is refused while you wait for the socket to drain)';

/**
 * The relay's router: each binary frame a client sends is a relay frame (`relay-frame.ts` in the
 * protocol) naming a peer of the sender's room. It goes to that peer as one binary frame naming the
 * sender instead, the server's only change to it: the header is rewritten in place when the two ids
 * have the same length (the server's ids always do), so a frame is neither parsed beyond its header nor
 * copied. The payload is end-to-end encrypted between the peers; the server sees its size and timing.
 */
export class RelayRouter {
  readonly flow: RelayFlow;
  private readonly unavailable: string;
  /** The welcome's `relay` field for a peer that may relay. */
  readonly welcome = { payloadBytes: RELAY_PAYLOAD_MAX };

  constructor(
    private readonly store: RoomStore,
    private readonly config: ServerConfig,
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
  ) {
    this.flow = new RelayFlow(config, metrics);
    this.unavailable =
      config.relay === 'off'
        ? 'this server does not relay (--relay off): only a direct or TURN connection can carry your data'
        : 'this server relays only for peers whose room token carries the claim "relay": true';
  }

  /** Whether a peer admitted with (`claim`) or without the token claim may relay. */
  allows(claim: boolean): boolean {
    return this.config.relay === 'on' || (this.config.relay === 'token' && claim);
  }

  /** A binary frame from `connection`: relayed, or refused through `refuse`. */
  receive(connection: Connection, frame: Buffer, now: number, refuse: RelayRefusal): void {
    const bytes = frame.byteLength;
    const decoded = decodeRelayFrame(frame);
    if (!decoded.ok) {
      refuse(connection, bytes, 'bad-relay-frame', decoded.error.message);
      return;
    }
    const place = connection.place;
    if (!place) {
      refuse(connection, bytes, 'not-joined', 'join a room before you relay: relay frames go to peers of your room');
      return;
    }
    if (!connection.relayAllowed) {
      refuse(connection, bytes, 'relay-unavailable', this.unavailable);
      return;
    }
    const { peer: to, payload } = decoded.value;
    const route = this.store.routeRelay(connection, to);
    if (route === 'unknown-peer' || route === 'away') {
      refuse(connection, bytes, 'unknown-peer', missText(route, to, place.room));
      return;
    }
    const target = route === 'remote' ? null : (route as Connection);
    if (!this.flow.admits(target, bytes)) {
      this.limited(connection, target, bytes, refuse);
      return;
    }
    const out = withSender(frame, to, place.id, payload);
    this.flow.charge(connection, place.room, bytes, now);
    if (target) {
      this.metrics.relayed(bytes);
      this.flow.write(target, out, connection);
      return;
    }
    const sent = this.flow.sending(connection, out.byteLength);
    this.store.forwardRelay(connection, to, out).then(
      (outcome) => {
        sent();
        if (outcome === 'sent') {
          this.metrics.relayed(bytes);
          return;
        }
        if (outcome === 'unavailable')
          refuse(connection, bytes, 'unavailable', 'the server was recovering its shared state: this relay frame was not sent');
        else refuse(connection, bytes, 'unknown-peer', missText(outcome, to, place.room));
      },
      (error: unknown) => {
        sent();
        refuse(connection, bytes, 'unavailable', 'the server cannot reach its shared state just now: this relay frame was not sent');
        this.log.warn({ event: 'store-error', error: (error as Error).message }, 'the room store failed a relay frame');
      },
    );
  }

  /** A relay frame that came through the store for `target`, attached here (see StoreEvents.relayArrived). */
  arrived(target: Endpoint, frame: Uint8Array, sender: Endpoint | null, answer: (refusal: string) => void): void {
    // Every endpoint is a Connection; the store sees less of it.
    const receiver = target as Connection;
    if (!this.flow.admits(receiver, frame.byteLength, true)) {
      answer(encode({ type: 'error', code: 'relay-limited', message: LIMITED }));
      this.metrics.errorSent('relay-limited');
      return;
    }
    this.flow.write(receiver, frame, sender as Connection | null);
  }

  /** A `relay` request: kept for the metrics and the log; `open` is refused when this peer may not relay. */
  request(connection: Connection, message: RelayRequest): void {
    const place = connection.place;
    if (!place) {
      connection.sendError('not-joined', message.id);
      return;
    }
    if (!connection.relayAllowed) {
      if (message.state === 'open') connection.sendError('relay-unavailable', message.id, this.unavailable);
      return;
    }
    const state = this.flow.state(connection);
    const { to } = message;
    if (message.state === 'open') {
      state.open ??= new Set();
      // A peer relays to the others of its room at most: ids beyond that count are not counted.
      if (state.open.has(to) || state.open.size >= this.config.roomCapacity - 1) return;
      state.open.add(to);
      this.metrics.relaysChanged(1);
    } else {
      if (!state.open?.delete(to)) return;
      this.metrics.relaysChanged(-1);
      if (message.state === 'upgraded') this.metrics.relayUpgraded();
    }
    this.log.info({ event: 'relay', state: message.state, room: place.room, peer: place.id, to }, `relay ${message.state}`);
  }

  /** The peer left its room or its connection closed: its relays end. */
  left(connection: Connection): void {
    const open = connection.relay?.open;
    if (!open || open.size === 0) return;
    this.metrics.relaysChanged(-open.size);
    open.clear();
  }

  /**
   * Refuses a frame past a hard bound, and slows its sender as if the frame had been written; the
   * sender is told once per episode (until it is read again), and refused frames are dropped meanwhile.
   */
  private limited(connection: Connection, target: Connection | null, bytes: number, refuse: RelayRefusal): void {
    this.flow.wait(connection, target);
    const state = this.flow.state(connection);
    if (state.limited) return;
    state.limited = true;
    refuse(connection, bytes, 'relay-limited', LIMITED);
  }
}

/**
 * The frame to deliver: `frame` with the sender's id where the receiver's was. In place when both ids
 * have the same length in bytes (the received frame is this server's alone, and read no more); else one copy.
 */
function withSender(frame: Buffer, to: string, from: string, payload: Uint8Array): Buffer {
  const length = Buffer.byteLength(from);
  if (length === Buffer.byteLength(to)) {
    frame.write(from, 2, 'utf8');
    return frame;
  }
  const out = Buffer.allocUnsafe(2 + length + payload.byteLength);
  out[0] = frame[0] as number;
  out[1] = length;
  out.write(from, 2, 'utf8');
  out.set(payload, 2 + length);
  return out;
}

function missText(miss: 'unknown-peer' | 'away', to: string, room: string): string {
  // The id is the client's own text (any UTF-8 up to 255 bytes): quoted, and cut short.
  const peer = JSON.stringify(to.slice(0, 40));
  return miss === 'away'
    ? `peer ${peer} of room "${room}" has lost its connection and may come back: relay frames to it are refused until it does`
    : `no other peer ${peer} in room "${room}"`;
}
