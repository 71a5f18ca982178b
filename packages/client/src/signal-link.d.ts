import type { Seq, SignalData } from '@icebreaker/protocol';
/** Signal data this link carries end to end (acks are the link's own business). */
export type PayloadData = Exclude<SignalData, {
    kind: 'ack';
}>;
/**
 * Times an unacknowledged signal is sent again before the link gives up on it. With the default
 * `retransmitMs` (2 s) and the doubling wait, the copies go out at 2, 6 and 14 s and the peer is
 * reported at 30 s, about the server's default resume grace: a library peer whose own connection
 * dropped has resumed (and acked) by then, or the server has reported it gone.
 */
export declare const MAX_RESENDS = 3;
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
/**
 * End-to-end reliable, ordered delivery of signals between two peers, over a signaling path that may
 * drop them (a dying WebSocket, a restarted server). Each signal gets a sequence number; the receiver
 * delivers them in order, drops duplicates, and acknowledges cumulatively; the sender resends whatever
 * is unacknowledged, at once after a resume and otherwise with a doubling wait, at most
 * {@link MAX_RESENDS} times (issue 9, item 12: a peer that never acks got a copy every 2 s, forever).
 * The server only passes `seq` through.
 */
export declare class SignalLink {
    private readonly transmit;
    private readonly deliver;
    private readonly timing;
    private nextSeq;
    private readonly unacked;
    private expected;
    private readonly early;
    private ackPending;
    private everAcked;
    private stalled;
    private timer;
    private disposed;
    constructor(transmit: (data: SignalData, seq?: Seq) => void, deliver: (data: PayloadData) => void, timing: SignalLinkTiming);
    /** Signals sent and not yet acknowledged. */
    get pending(): number;
    send(data: PayloadData): void;
    receive(seq: Seq | undefined, data: SignalData): void;
    /**
     * Sends every unacknowledged signal again now, in order, each with a fresh budget of resends:
     * after a resume, what went out before may have been lost with the old connection.
     */
    resend(): number;
    /** Stops the resend timer for good (the peer left, or the session closed). */
    dispose(): void;
    /** One timer per link, for the earliest copy due. */
    private arm;
    private tick;
    private scheduleAck;
}
//# sourceMappingURL=signal-link.d.ts.map