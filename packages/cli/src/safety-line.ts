import type { SafetyNumber } from '@icebreaker/client';
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
