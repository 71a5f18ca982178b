import type { SignalData } from '@icebreaker/protocol';
import type { WebSocket } from 'ws';
import { type PayloadData, SignalLink } from '../../packages/client/src/signal-link.js';
import { log } from './log.js';

/** A signal's data as it travels, with the `proof` of issue 13 that the man in the middle passes on unread. */
export type Payload = PayloadData & { proof?: string };

/**
 * The man in the middle's end of one client's end-to-end signal link, posing as one remote peer: it
 * acknowledges what the client sends that peer (the real peer never sees it, so it must), numbers what
 * it sends as that peer, and swallows the client's acks of them. It is the client library's own
 * SignalLink, so ordering, duplicates and resends behave exactly as between two real peers.
 */
export class SignalLeg {
  readonly link: SignalLink;
  private plain = false;

  /**
   * @param socket the client's WebSocket now (a new one after it resumed), written to directly: what
   *   the leg sends never crosses the server. `self` is the client's peer id; `as` the peer it poses as.
   */
  constructor(
    private readonly socket: () => WebSocket | undefined,
    readonly self: string,
    readonly as: string,
    deliver: (leg: SignalLeg, data: Payload) => void,
  ) {
    const open = () => socket()?.readyState === 1;
    this.link = new SignalLink(
      (data, seq) => {
        if (open()) socket()?.send(JSON.stringify({ type: 'signal', from: as, ...(seq === undefined ? {} : { seq }), data }));
      },
      (data) => deliver(this, data as Payload),
      { retransmitMs: 2000, online: open, unacknowledged: (pending) => log({ unacknowledged: pending, peer: self, as }) },
    );
  }

  /** Sends `data` to the client, as if from the peer this leg poses as. */
  send(data: Payload): void {
    if (!this.plain) {
      this.link.send(data as PayloadData);
      return;
    }
    const ws = this.socket();
    if (ws?.readyState === 1) ws.send(JSON.stringify({ type: 'signal', from: this.as, data }));
  }

  /** A `signal` the client sent to the peer this leg poses as. */
  receive(seq: number | undefined, data: SignalData): void {
    // No `seq`: a client without the link (the teaching page's steps), which never acks: no numbers, no resends.
    if (seq === undefined && data.kind !== 'ack') this.plain = true;
    this.link.receive(seq, data);
  }

  /** Stops its resends for good (the pair is over). */
  dispose(): void {
    this.link.dispose();
  }
}
