import { decodeFrame, FrameKind, MAIN_LABEL } from '@icebreaker/protocol';
import { log } from './log.js';

/**
 * Bridges a data channel one peer opened to the man in the middle (`incoming`) to a channel of the
 * same label, protocol and ordering that the man in the middle opens to the other peer on `other`
 * (once that peer connection exists): every message goes on as it came, text as text and binary as
 * binary, after the man in the middle has read it. A close on either side closes the other.
 */
export function bridge(incoming: RTCDataChannel, other: Promise<RTCPeerConnection>, from: string, to: string): void {
  const label = incoming.label;
  const towardOther = pipe(incoming, label, from);
  void other.then((pc) => {
    // The pair ended (a peer left) before this channel got its mirror: it ends too.
    if (pc.connectionState === 'closed') {
      incoming.close();
      return;
    }
    const mirror = pc.createDataChannel(label, {
      ordered: incoming.ordered,
      protocol: incoming.protocol,
      ...(incoming.maxRetransmits === null ? {} : { maxRetransmits: incoming.maxRetransmits }),
      ...(incoming.maxPacketLifeTime === null ? {} : { maxPacketLifeTime: incoming.maxPacketLifeTime }),
    });
    log({ bridged: label, from });
    towardOther(mirror);
    pipe(mirror, label, to)(incoming);
    incoming.addEventListener('close', () => mirror.close());
    mirror.addEventListener('close', () => incoming.close());
  });
}

/**
 * Reads `source` at once (nothing may be missed while the other side is being set up) and returns
 * the function that names where its messages go; they wait until that channel is open.
 */
function pipe(source: RTCDataChannel, label: string, from: string): (target: RTCDataChannel) => void {
  source.binaryType = 'arraybuffer';
  const waiting: Array<string | ArrayBuffer> = [];
  let target: RTCDataChannel | null = null;
  const flush = () => {
    if (target?.readyState !== 'open') return;
    for (const data of waiting.splice(0)) target.send(data as string);
  };
  source.addEventListener('message', (event) => {
    const data = (event as MessageEvent<string | ArrayBuffer>).data;
    const text = readable(label, data);
    if (text === null) log({ readBinary: data instanceof ArrayBuffer ? data.byteLength : 0, label, from });
    else log({ read: text.slice(0, 64), label, from });
    waiting.push(data);
    flush();
  });
  return (to) => {
    target = to;
    to.addEventListener('open', flush);
    flush();
  };
}

/**
 * The text a message carries, as the application sent it: a string as it is, and on the main channel a
 * frame of text or JSON (the library's framing, `framing.ts`) decoded; null for bytes.
 */
function readable(label: string, data: string | ArrayBuffer): string | null {
  if (typeof data === 'string') return data;
  if (label !== MAIN_LABEL) return null;
  const frame = decodeFrame(data);
  if (!frame.ok || frame.value.kind === FrameKind.Binary) return null;
  return new TextDecoder().decode(frame.value.body.subarray(0, 256));
}
