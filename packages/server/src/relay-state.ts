import type { ByteRate } from './byte-rate.js';

/**
 * What the relay keeps of one connection, as a sender and as a receiver (see RelayFlow). `C` is the
 * connection type: this module imports none, so that the connection can hold its state.
 */
export class RelayState<C> {
  /** The sender's own rate (`--relay-peer-rate`); null: no limit. */
  readonly rate: ByteRate | null;
  /** The room its frames are charged to (`--relay-room-rate`). */
  room = '';
  /** Relay bytes written to this receiver that have not yet left this process. */
  outstanding = 0;
  /** Senders on this node waiting for this receiver to take its backlog. */
  waiters: Set<C> | null = null;
  /** While the sender is over a rate: when it is read again. */
  timer: ReturnType<typeof setTimeout> | null = null;
  /** The receiver this sender waits for, if any. */
  waitingOn: C | null = null;
  /** Bytes this sender has sent on to Redis that Redis has not yet taken. */
  inFlight = 0;
  /** Whether this sender waits for Redis to take what it sent on. */
  waitingStore = false;
  /** Whether this sender waits for the server's relay buffer to drain. */
  waitingBuffer = false;
  /** Whether its socket is paused (then the heartbeat leaves it be: its pongs wait unread with the rest). */
  paused = false;
  /** The connection closed: what is still written to it no longer counts. */
  gone = false;
  /** The peers this one said it relays to (`relay` requests): the active-relays gauge. */
  open: Set<string> | null = null;
  /** Whether this sender was told `relay-limited` in the current episode (one notice per episode). */
  limited = false;

  constructor(rate: ByteRate | null) {
    this.rate = rate;
  }
}
