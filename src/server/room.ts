import {
  encode,
  type PeerId,
  type PeerInfo,
  type RequestId,
  type RoomName,
  type ServerMessage,
  type SignalData,
} from '../protocol/index.js';
import type { LeaveReason, Session } from './session.js';

/** Bounds on the signals a room holds for a peer that has not joined yet. */
export interface HoldLimits {
  readonly ttlMs: number;
  readonly maxSignals: number;
  readonly maxBytes: number;
}

/**
 * Signals sent while their sender was alone in the room. The seed lets PEER1 send its offer before
 * PEER2 has even loaded the page (steps 8–12), so the server keeps them, in order, for the next peer.
 */
interface Hold {
  readonly from: Session;
  readonly frames: string[];
  bytes: number;
  readonly firstId: RequestId | undefined;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** What `relay` did with a signal; the caller turns failures into `error` replies. */
export type RelayOutcome = 'delivered' | 'held' | 'unknown-peer' | 'target-required' | 'hold-full';

/** A named room: its peers in join order (the first is the caller, PEER1) and any held signals. */
export class Room {
  private readonly members = new Map<PeerId, Session>();
  private hold: Hold | null = null;

  constructor(
    readonly name: RoomName,
    private readonly limits: HoldLimits,
  ) {}

  get size(): number {
    return this.members.size;
  }

  /** The peers present, oldest first, as `welcome` lists them. */
  peerInfos(): PeerInfo[] {
    return [...this.members.values()].map((session) => info(session));
  }

  /** Adds a joined session, tells the others, and hands it whatever was held for the next peer. */
  add(session: Session): void {
    const joined: ServerMessage = { type: 'peer-joined', peer: info(session) };
    this.broadcast(joined);
    this.members.set(id(session), session);
    const hold = this.hold;
    if (hold) {
      this.clearHold();
      for (const frame of hold.frames) session.sendFrame(frame);
    }
  }

  /** Removes a session and tells the others why it went. Signals it had waiting are dropped with it. */
  remove(session: Session, peerId: PeerId, reason: LeaveReason): void {
    if (this.members.get(peerId) !== session) return;
    this.members.delete(peerId);
    if (this.hold?.from === session) this.clearHold();
    this.broadcast({ type: 'peer-left', peerId, reason });
  }

  /**
   * Relays one signal from `sender`, stamping the sender's id as `from`. Without `to`, the signal
   * goes to the only other peer, or is held for the next one when the sender is alone.
   */
  relay(sender: Session, to: PeerId | undefined, data: SignalData, requestId: RequestId | undefined): RelayOutcome {
    const frame = encode({ type: 'signal', from: id(sender), data });
    if (to !== undefined) {
      const target = this.members.get(to);
      if (!target || target === sender) return 'unknown-peer';
      target.sendFrame(frame);
      return 'delivered';
    }
    const others = [...this.members.values()].filter((member) => member !== sender);
    const [only] = others;
    if (others.length > 1) return 'target-required';
    if (only) {
      only.sendFrame(frame);
      return 'delivered';
    }
    return this.holdFrame(sender, frame, requestId);
  }

  /** Stops the hold timer; the server calls it when shutting down. */
  dispose(): void {
    this.clearHold();
  }

  private holdFrame(sender: Session, frame: string, requestId: RequestId | undefined): RelayOutcome {
    const bytes = Buffer.byteLength(frame);
    const hold = this.hold ?? this.startHold(sender, requestId);
    if (hold.frames.length >= this.limits.maxSignals || hold.bytes + bytes > this.limits.maxBytes) {
      if (hold.frames.length === 0) this.clearHold();
      return 'hold-full';
    }
    hold.frames.push(frame);
    hold.bytes += bytes;
    return 'held';
  }

  private startHold(sender: Session, firstId: RequestId | undefined): Hold {
    const timer = setTimeout(() => this.expireHold(), this.limits.ttlMs);
    timer.unref();
    this.hold = { from: sender, frames: [], bytes: 0, firstId, timer };
    return this.hold;
  }

  private expireHold(): void {
    const hold = this.hold;
    if (!hold) return;
    this.clearHold();
    const count = hold.frames.length;
    hold.from.sendError(
      'hold-expired',
      hold.firstId,
      `no peer joined within ${Math.round(this.limits.ttlMs / 1000)}s: ${count} held signal${count === 1 ? '' : 's'} discarded; send again once a peer is here`,
    );
  }

  private clearHold(): void {
    if (this.hold) clearTimeout(this.hold.timer);
    this.hold = null;
  }

  private broadcast(message: ServerMessage): void {
    const frame = encode(message);
    for (const member of this.members.values()) member.sendFrame(frame);
  }
}

function id(session: Session): PeerId {
  return info(session).id;
}

function info(session: Session): PeerInfo {
  const membership = session.membership;
  if (!membership) throw new TypeError('session: has not joined a room');
  return membership.name === undefined ? { id: membership.id } : { id: membership.id, name: membership.name };
}
