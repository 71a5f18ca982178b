import type { RemotePeer, Room, SafetyNumber } from '@icebreaker/client';
import { safetyWords } from '@icebreaker/client/pairing';

/**
 * The status line for a peer's safety number: the digits and the words to read aloud, to compare
 * with what the other side prints. Equal on both sides means nobody swapped the certificates.
 */
export function safetyText(number: SafetyNumber, paired: boolean): string {
  const proof = paired ? '; the other side also proved it holds the link' : '';
  const warning =
    number.checked === 'mismatch' ? ' — WARNING: the DTLS handshake used another certificate than the one its description named' : '';
  return `safety number ${number.digits} (${safetyWords(number).join(' ')}) — compare it with the other side${proof}${warning}`;
}

/** The same as a `--json` line's fields: digits, words, how the certificate was checked, and whether the peer proved the link. */
export function safetyFields(peer: string, number: SafetyNumber, paired: boolean): Record<string, unknown> {
  return { event: 'safety', peer, digits: number.digits, words: safetyWords(number), checked: number.checked, paired };
}

/** Where {@link reportSafety} writes. */
export interface SafetyOutput {
  /** JSON lines (`safetyFields`) instead of text. */
  readonly json: boolean;
  /** Writes a status line (text mode). */
  line(text: string): void;
  /** Writes a JSON line (JSON mode). */
  event(fields: Record<string, unknown>): void;
  /** How a status line names a peer. */
  name(remote: RemotePeer): string;
}

/**
 * Reports each peer's safety number as it is known: a text line once per number (the `safety` event
 * also comes when only how it was checked changed, and a mismatch is said again), a JSON line for
 * each change of number or check. The peers already in the room came with the welcome, before any
 * listener: they are read at once.
 */
export function reportSafety(room: Room, out: SafetyOutput): void {
  const watched = new WeakSet<RemotePeer>();
  const watch = (remote: RemotePeer): void => {
    if (watched.has(remote)) return;
    watched.add(remote);
    let shown = '';
    const show = (number: SafetyNumber): void => {
      const key = `${number.digits} ${number.checked}`;
      if (key === shown) return;
      const digitsChanged = !shown.startsWith(`${number.digits} `);
      shown = key;
      if (out.json) out.event(safetyFields(remote.id, number, remote.paired));
      else if (digitsChanged || number.checked === 'mismatch') out.line(`${out.name(remote)}: ${safetyText(number, remote.paired)}`);
    };
    remote.on('safety', show);
    if (remote.safetyNumber !== undefined) show(remote.safetyNumber);
  };
  for (const remote of room.peers.values()) watch(remote);
  room.on('peer', watch);
}
