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

  /**
   * @param client the client's WebSocket, written to directly: what the leg sends never crosses the server.
   * @param self the client's peer id; `as` the peer this leg poses as.
   */
  constructor(
    readonly client: WebSocket,
    readonly self: string,
    readonly as: string,
    deliver: (leg: SignalLeg, data: Payload) => void,
  ) {
    this.link = new SignalLink(
      (data, seq) => {
        if (client.readyState !== client.OPEN) return;
        client.send(JSON.stringify({ type: 'signal', from: as, ...(seq === undefined ? {} : { seq }), data }));
      },
      (data) => deliver(this, data as Payload),
      {
        retransmitMs: 2000,
        online: () => client.readyState === client.OPEN,
        unacknowledged: (pending) => log({ unacknowledged: pending, peer: self, as }),
      },
    );
  }

  /** Sends `data` to the client, as if from the peer this leg poses as. */
  send(data: Payload): void {
    this.link.send(data as PayloadData);
  }

  /** A `signal` the client sent to the peer this leg poses as. */
  receive(seq: number | undefined, data: Payload): void {
    this.link.receive(seq, data as PayloadData);
  }

  dispose(): void {
    this.link.dispose();
  }
}
