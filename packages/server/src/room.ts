import {
  encode,
  type PeerId,
  type PeerInfo,
  type RequestId,
  type RoomName,
  type Seq,
  type ServerMessage,
  type SignalData,
} from '@icebreaker/protocol';
import type { Member, QueueLimits } from './member.js';
import type { LeaveReason } from './session.js';

/** Bounds on the signals a room holds for a peer that has not joined yet. */
export interface HoldLimits extends QueueLimits {
  readonly ttlMs: number;
}

/**
 * Signals sent while their sender was alone in the room. The seed lets PEER1 send its offer before
 * PEER2 has even loaded the page (steps 8–12), so the server keeps them, in order, for the next peer.
 */
interface Hold {
  readonly from: Member;
  readonly frames: string[];
  bytes: number;
  readonly firstId: RequestId | undefined;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** What `relay` did with a signal; the caller turns failures into `error` replies. */
export type RelayOutcome = 'delivered' | 'held' | 'unknown-peer' | 'target-required' | 'hold-full' | 'queue-full' | 'server-full';

/** A named room: its members in join order (the first is the caller, PEER1) and any held signals. */
export class Room {
  private readonly members = new Map<PeerId, Member>();
  private hold: Hold | null = null;

  constructor(
    readonly name: RoomName,
    private readonly limits: HoldLimits,
  ) {}

  get size(): number {
    return this.members.size;
  }

  get(peerId: PeerId): Member | undefined {
    return this.members.get(peerId);
  }

  /** The peers present except `except`, oldest first, as `welcome` lists them. */
  peerInfos(except?: Member): PeerInfo[] {
    return [...this.members.values()].filter((m) => m !== except).map((m) => m.info);
  }

  /** Adds a member, tells the others, and hands it whatever was held for the next peer. */
  add(member: Member): void {
    this.broadcast({ type: 'peer-joined', peer: member.info });
    this.members.set(member.id, member);
    const hold = this.hold;
    if (hold && hold.from !== member) {
      this.clearHold();
      for (const frame of hold.frames) member.deliver(frame, this.limits);
    }
  }

  /** Removes a member and tells the others why it went. Signals it had waiting are dropped with it. */
  remove(member: Member, reason: LeaveReason): void {
    if (this.members.get(member.id) !== member) return;
    this.members.delete(member.id);
    member.stopGrace();
    member.dropQueue(this.limits.budget);
    if (this.hold?.from === member) this.clearHold();
    this.broadcast({ type: 'peer-left', peerId: member.id, reason });
  }

  /**
   * Relays one signal from `sender`, stamping the sender's id as `from`. Without `to`, the signal
   * goes to the only other peer, or is held for the next one when the sender is alone.
   */
  relay(sender: Member, to: PeerId | undefined, seq: Seq | undefined, data: SignalData, requestId: RequestId | undefined): RelayOutcome {
    const frame = encode(seq === undefined ? { type: 'signal', from: sender.id, data } : { type: 'signal', from: sender.id, seq, data });
    let target: Member | undefined;
    if (to !== undefined) {
      target = this.members.get(to);
      if (!target || target === sender) return 'unknown-peer';
    } else {
      // The one other member, found without building a list: this runs for every relayed signal.
      for (const member of this.members.values()) {
        if (member === sender) continue;
        if (target) return 'target-required';
        target = member;
      }
      if (!target) return this.holdFrame(sender, frame, requestId);
    }
    const outcome = target.deliver(frame, this.limits);
    return outcome === 'sent' || outcome === 'queued' ? 'delivered' : outcome;
  }

  /** Stops the timers; the server calls it when the room empties or shuts down. */
  dispose(): void {
    this.clearHold();
    for (const member of this.members.values()) member.stopGrace();
  }

  private holdFrame(sender: Member, frame: string, requestId: RequestId | undefined): RelayOutcome {
    const bytes = Buffer.byteLength(frame);
    const hold = this.hold ?? this.startHold(sender, requestId);
    const full = hold.frames.length >= this.limits.maxSignals || hold.bytes + bytes > this.limits.maxBytes;
    if (full || !this.limits.budget.take(bytes)) {
      if (hold.frames.length === 0) this.clearHold();
      return full ? 'hold-full' : 'server-full';
    }
    hold.frames.push(frame);
    hold.bytes += bytes;
    return 'held';
  }

  private startHold(sender: Member, firstId: RequestId | undefined): Hold {
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
    hold.from.session?.sendError(
      'hold-expired',
      hold.firstId,
      `no peer joined within ${Math.round(this.limits.ttlMs / 1000)}s: ${count} held signal${count === 1 ? '' : 's'} discarded; send again once a peer is here`,
    );
  }

  private clearHold(): void {
    if (!this.hold) return;
    clearTimeout(this.hold.timer);
    this.limits.budget.give(this.hold.bytes);
    this.hold = null;
  }

  private broadcast(message: ServerMessage): void {
    const frame = encode(message);
    for (const member of this.members.values()) member.deliver(frame, this.limits);
  }
}
