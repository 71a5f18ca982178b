/**
 * What the client needs of a data channel: the part of `RTCDataChannel` that messages and file
 * transfers use. A real `RTCDataChannel` is one; so are the relay's channels (`RelayChannel`) and
 * the channels that move between the two (`PathChannel`), which is how messages and files run
 * unchanged over the direct path, TURN or the relay through the signaling server.
 */
export interface ChannelLike extends EventTarget {
  readonly label: string;
  readonly readyState: RTCDataChannelState;
  /** Bytes handed to `send` and not yet passed on to the network. */
  readonly bufferedAmount: number;
  /** `bufferedamountlow` fires when `bufferedAmount` falls to this many bytes or fewer. */
  bufferedAmountLowThreshold: number;
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void;
  close(): void;
}

/** A `message` event of a {@link ChannelLike} that is not an `RTCDataChannel` (Node 20 has `MessageEvent`). */
export function messageEvent(data: unknown): Event {
  return new MessageEvent('message', { data });
}
