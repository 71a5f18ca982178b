import type { Seq, SignalData } from '../protocol/index.js';

/** Signal data this link carries end to end (acks are the link's own business). */
export type PayloadData = Exclude<SignalData, { kind: 'ack' }>;

/** How many signals may arrive ahead of a gap before the link gives up on ordering them. */
const MAX_EARLY = 512;

/**
 * End-to-end reliable, ordered delivery of signals between two peers, over a signaling path that may
 * drop them (a dying WebSocket, a restarted server). Each signal gets a sequence number; the receiver
 * delivers them in order, drops duplicates, and acknowledges cumulatively; the sender resends whatever
 * is unacknowledged when asked (after a resume, or on a timer). The server only passes `seq` through.
 */
export class SignalLink {
  private nextSeq = 0;
  private readonly unacked: Array<{ seq: Seq; data: PayloadData; sentAt: number }> = [];
  private expected = 0;
  private readonly early = new Map<Seq, PayloadData>();
  private ackPending = false;

  constructor(
    private readonly transmit: (data: SignalData, seq?: Seq) => void,
    private readonly deliver: (data: PayloadData) => void,
  ) {}

  /** Signals sent and not yet acknowledged. */
  get pending(): number {
    return this.unacked.length;
  }

  send(data: PayloadData): void {
    const seq = this.nextSeq++;
    this.unacked.push({ seq, data, sentAt: Date.now() });
    this.transmit(data, seq);
  }

  receive(seq: Seq | undefined, data: SignalData): void {
    if (data.kind === 'ack') {
      while (this.unacked.length > 0 && (this.unacked[0]?.seq ?? Number.POSITIVE_INFINITY) <= data.seq) this.unacked.shift();
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

  /** Sends again every unacknowledged signal older than `olderThanMs`, in order. */
  resend(olderThanMs = 0): number {
    const now = Date.now();
    let count = 0;
    for (const entry of this.unacked) {
      if (now - entry.sentAt < olderThanMs) continue;
      entry.sentAt = now;
      this.transmit(entry.data, entry.seq);
      count++;
    }
    return count;
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
