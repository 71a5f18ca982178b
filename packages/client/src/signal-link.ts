import type { Seq, SignalData } from '@icebreaker/protocol';

/** Signal data this link carries end to end (acks are the link's own business). */
export type PayloadData = Exclude<SignalData, { kind: 'ack' }>;

/** How many signals may arrive ahead of a gap before the link gives up on ordering them. */
const MAX_EARLY = 512;

/**
 * Times an unacknowledged signal is sent again before the link gives up on it. With the default
 * `retransmitMs` (2 s) and the doubling wait, the copies go out at 2, 6 and 14 s and the peer is
 * reported at 30 s, about the server's default resume grace: a library peer whose own connection
 * dropped has resumed (and acked) by then, or the server has reported it gone.
 */
export const MAX_RESENDS = 3;

/** How the link resends, and whom it tells when the peer does not acknowledge. */
export interface SignalLinkTiming {
  /** The first resend waits this long; each further one twice as long as the one before. */
  readonly retransmitMs: number;
  /** False while the signaling connection is down: nothing can go out then, so no attempt is spent. */
  readonly online: () => boolean;
  /**
   * Signals were sent {@link MAX_RESENDS} times more without an ack: resending stops (until the next
   * `resend()`, after a resume). `everAcked` is false for a peer that never acked anything, which
   * does not speak the link's protocol. Called once per stall; an ack re-arms it.
   */
  readonly unacknowledged: (pending: number, everAcked: boolean) => void;
}

interface Unacked {
  readonly seq: Seq;
  readonly data: PayloadData;
  /** Copies sent after the first. */
  resends: number;
  /** When the next copy is due; `Infinity` once the link gave up on it. */
  dueAt: number;
}

/**
 * End-to-end reliable, ordered delivery of signals between two peers, over a signaling path that may
 * drop them (a dying WebSocket, a restarted server). Each signal gets a sequence number; the receiver
 * delivers them in order, drops duplicates, and acknowledges cumulatively; the sender resends whatever
 * is unacknowledged, at once after a resume and otherwise with a doubling wait, at most
 * {@link MAX_RESENDS} times (issue 9, item 12: a peer that never acks got a copy every 2 s, forever).
 * The server only passes `seq` through.
 */
export class SignalLink {
  private nextSeq = 0;
  private readonly unacked: Unacked[] = [];
  private expected = 0;
  private readonly early = new Map<Seq, PayloadData>();
  private ackPending = false;
  private everAcked = false;
  private stalled = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(
    private readonly transmit: (data: SignalData, seq?: Seq) => void,
    private readonly deliver: (data: PayloadData) => void,
    private readonly timing: SignalLinkTiming,
  ) {}

  /** Signals sent and not yet acknowledged. */
  get pending(): number {
    return this.unacked.length;
  }

  send(data: PayloadData): void {
    const seq = this.nextSeq++;
    this.unacked.push({ seq, data, resends: 0, dueAt: Date.now() + this.timing.retransmitMs });
    this.transmit(data, seq);
    this.arm();
  }

  receive(seq: Seq | undefined, data: SignalData): void {
    if (data.kind === 'ack') {
      const before = this.unacked.length;
      while (this.unacked.length > 0 && (this.unacked[0]?.seq ?? Number.POSITIVE_INFINITY) <= data.seq) this.unacked.shift();
      if (this.unacked.length < before) {
        this.everAcked = true;
        this.stalled = false;
      }
      this.arm();
      return;
    }
    // An unsequenced signal comes from a client that does not use the link (e.g. the teaching page).
    if (seq === undefined) {
      this.deliver(data);
      return;
    }
    if (seq >= this.expected && this.early.size < MAX_EARLY) this.early.set(seq, data);
    for (let next = this.early.get(this.expected); next !== undefined; next = this.early.get(this.expected)) {
      this.early.delete(this.expected);
      this.expected++;
      this.deliver(next);
    }
    this.scheduleAck();
  }

  /**
   * Sends every unacknowledged signal again now, in order, each with a fresh budget of resends:
   * after a resume, what went out before may have been lost with the old connection.
   */
  resend(): number {
    const now = Date.now();
    for (const entry of this.unacked) {
      entry.resends = 0;
      entry.dueAt = now + this.timing.retransmitMs;
      this.transmit(entry.data, entry.seq);
    }
    this.stalled = false;
    this.arm();
    return this.unacked.length;
  }

  /**
   * Starts the wait before each unacknowledged signal's next copy over from now: signals held by the
   * server while their sender was alone reach the peer only when it joins, not when they were sent.
   */
  restartWait(): void {
    const due = Date.now() + this.timing.retransmitMs;
    for (const entry of this.unacked) if (Number.isFinite(entry.dueAt)) entry.dueAt = due;
    this.arm();
  }

  /** Stops the resend timer for good (the peer left, or the room was closed). */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One timer per link, for the earliest copy due. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.disposed) return;
    const due = Math.min(...this.unacked.map((entry) => entry.dueAt));
    if (!Number.isFinite(due)) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - Date.now()));
    // Unref'd in Node, so an idle room never keeps a process alive by this timer alone.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    this.timer = null;
    const now = Date.now();
    const online = this.timing.online();
    let gaveUp = false;
    for (const entry of this.unacked) {
      if (entry.dueAt > now) continue;
      if (!online) {
        // The resume will resend it (see `resend`); until then only look again later.
        entry.dueAt = now + this.timing.retransmitMs;
      } else if (entry.resends >= MAX_RESENDS) {
        entry.dueAt = Number.POSITIVE_INFINITY;
        gaveUp = true;
      } else {
        entry.resends++;
        entry.dueAt = now + this.timing.retransmitMs * 2 ** entry.resends;
        this.transmit(entry.data, entry.seq);
      }
    }
    this.arm();
    if (gaveUp && !this.stalled) {
      this.stalled = true;
      this.timing.unacknowledged(this.unacked.length, this.everAcked);
    }
  }

  private scheduleAck(): void {
    if (this.ackPending || this.expected === 0) return;
    this.ackPending = true;
    // One ack covers everything delivered in the same turn (a burst of trickled candidates).
    queueMicrotask(() => {
      this.ackPending = false;
      this.transmit({ kind: 'ack', seq: this.expected - 1 });
    });
  }
}
