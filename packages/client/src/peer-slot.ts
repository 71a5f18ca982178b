import type { RemotePeer } from './remote-peer.js';
import type { PayloadData, SignalLink } from './signal-link.js';

/** How long to wait before each new peer connection to the same peer: doubling, reset once one opens. */
export interface PeerReconnectTiming {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** What the room does for a slot. */
export interface PeerSlotHost {
  /** Makes peer connection `generation` to this peer, whose signals go out tagged with it. */
  make(generation: number, initiator: boolean): RemotePeer;
  /** Makes a new RemotePeer known to the application (the room's `peer` event). */
  announce(peer: RemotePeer): void;
}

/**
 * The room's place for one remote peer: the signal link to it, which lasts as long as both are in the
 * room, and the RemotePeer on it now. When that peer connection dies (its main channel closed: a
 * `pc.close()` on either side, an ICE failure a restart could not mend, the relay failing) while both
 * peers stay in the room, a new one is made between the same two peers, over the same link:
 *
 * - The side with the lower peer id (the polite one of perfect negotiation) makes it, as initiator,
 *   and offers; its signals carry the new generation (`gen`). The other side, on the first signal of a
 *   newer generation, closes what it had and makes a non-initiator RemotePeer for it. A side that
 *   sees its connection die but does not make the next one says so with a `reconnect` signal, so the
 *   lower id learns of it even when its own end has not noticed (a `pc.close()` fires no event there).
 * - Signals of an older generation (late candidates, answers, relay keys) are dropped; the link is
 *   ordered, so each side's signals of one generation all come before its signals of the next.
 * - Attempts wait `initialDelayMs`, doubling up to `maxDelayMs`; an open connection starts it over.
 *   The wait also lets a `peer-left` that is on its way (the remote peer closed its room) arrive first.
 *
 * The room disposes the slot when the peer leaves or the room closes: no attempt after that.
 */
export class PeerSlot {
  private current: RemotePeer;
  private generation = 0;
  /** The newest generation the remote peer has signaled on: relay frames of older ones are dropped. */
  private remoteGeneration = 0;
  /** Connections in a row that closed without opening (the back-off's exponent). */
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(
    peer: RemotePeer,
    readonly link: SignalLink,
    /** Whether this side makes the new peer connections (its id is the lower). */
    private readonly offers: boolean,
    private readonly timing: PeerReconnectTiming | null,
    private readonly host: PeerSlotHost,
  ) {
    this.current = peer;
    this.watch(peer);
  }

  /** The RemotePeer on the link now (a closed one while the next is awaited). */
  get peer(): RemotePeer {
    return this.current;
  }

  /** A signal from the remote peer, in order, from the link. */
  deliver(data: PayloadData): void {
    if (data.kind === 'reconnect') {
      // The remote peer's connection of an older generation than `data.gen` is dead: so is ours, even
      // if this end has not noticed. Closing it starts the back-off that makes the next one.
      if (this.offers && data.gen > this.generation && !this.disposed) this.current.close();
      return;
    }
    const generation = data.gen ?? 0;
    // A peer that could not prove the pairing link's secret gets no new connection either.
    if (generation < this.generation || this.current.refused) return;
    if (generation > this.generation) {
      // Only the lower id makes generations: one newer than ours is the remote peer's new offer.
      if (this.offers || this.disposed) return;
      this.replace(generation, false);
    }
    this.remoteGeneration = generation;
    this.current.handleSignal(data);
  }

  /** A sealed relay payload from the remote peer; one sent for an older connection is dropped. */
  relayIn(payload: Uint8Array): void {
    if (this.remoteGeneration === this.generation && !this.disposed) this.current.relayIn(payload);
  }

  /** The peer left or the room closed: no new peer connection from now on. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.link.dispose();
  }

  private watch(peer: RemotePeer): void {
    peer.on('open', () => {
      if (peer === this.current) this.failures = 0;
    });
    peer.on('close', () => {
      if (peer === this.current) this.lost();
    });
    // libdatachannel closes its end when the other end's pc closes, and the ladder then keeps the main
    // channel open on the relay: a pc closed for good never moves it back, a new one may. Without
    // reconnection, the relay is better than nothing.
    peer.on('state', () => {
      if (peer === this.current && this.timing && peer.connectionState === 'closed') peer.close();
    });
  }

  /** The current connection died: after the back-off, make the next one or ask for it. */
  private lost(): void {
    if (this.disposed || this.timer || !this.timing || this.current.refused) return;
    const delay = Math.min(this.timing.initialDelayMs * 2 ** this.failures, this.timing.maxDelayMs);
    this.failures++;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.disposed) return;
      if (this.offers) this.replace(this.generation + 1, true);
      else this.link.send({ kind: 'reconnect', gen: this.generation + 1 });
    }, delay);
    // Unref'd in Node: a room whose peers are all gone does not keep a process alive by this alone.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private replace(generation: number, initiator: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const old = this.current;
    this.generation = generation;
    this.current = this.host.make(generation, initiator);
    this.watch(this.current);
    // After the switch: its close is no longer the current connection's, and starts no back-off.
    old.close();
    this.host.announce(this.current);
  }
}
