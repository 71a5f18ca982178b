import { sha256 } from './chunk-hash.js';

/**
 * A number two peers compare (read aloud, or side by side) to know that nobody sits between them:
 * both compute it from both sides' DTLS certificate fingerprints, and the relay's public keys once
 * the relay is in use. A signaling server that put itself in the middle had to give each side its own
 * certificate instead of the other's, so each side's number is made of other inputs, and they differ.
 * See the README's "Trust no server".
 */
export interface SafetyNumber {
  /** 20 digits in four groups of five (~66 bits), e.g. `"01234 56789 01234 56789"`. */
  readonly digits: string;
  /** The SHA-256 the digits come from (`safetyWords` of `@icebreaker/client/pairing` reads it too). */
  readonly bytes: Uint8Array;
  /**
   * This side's fingerprint(s) as its SDP names them, canonical (`"sha-256 AB:CD:…"`, one per line);
   * empty, as is `remote`, when the relay carries the data but a description never came: the number
   * is then the relay keys' alone.
   */
  readonly local: string;
  /** The peer's fingerprint(s) as the peer's SDP names them. */
  readonly remote: string;
  /** Both relay public keys (base64url), once the relay's keys are agreed: they are part of the number then. */
  readonly relayKeys?: { readonly local: string; readonly remote: string };
  /** The certificates the DTLS handshake used, from `getStats` (absent where the stack does not report them). */
  readonly handshake?: { readonly local?: string; readonly remote?: string };
  /**
   * `pending` before DTLS connects; `handshake`: the certificates `getStats` reports are the ones the
   * SDPs named (from getStats, or the DTLS transport's `getRemoteCertificates()`); `stack`: the stack
   * reports neither (node-datachannel's bare polyfill) and checks the
   * peer's certificate against the SDP itself, as WebRTC requires; `mismatch`: they differ (an `error`
   * event, `fingerprint-mismatch`, says so too).
   */
  readonly checked: 'pending' | 'handshake' | 'stack' | 'mismatch';
}

/** What a safety number is made of, before hashing. */
export interface SafetyInputs {
  readonly local: string;
  readonly remote: string;
  readonly relayKeys?: { readonly local: string; readonly remote: string } | undefined;
}

/** The label hashed first, so that no other use of SHA-256 over fingerprints gives the same bytes. */
const LABEL = 'icebreaker safety number v1';

/**
 * The SHA-256 of the label, the two sides' fingerprints in sorted order (so both sides hash the same
 * text), then, when agreed, the two relay keys in sorted order. Each part on a line of its own.
 */
export async function safetyBytes(inputs: SafetyInputs): Promise<Uint8Array> {
  const parts = [LABEL, ...[inputs.local, inputs.remote].sort()];
  if (inputs.relayKeys) parts.push('relay', ...[inputs.relayKeys.local, inputs.relayKeys.remote].sort());
  return sha256(new TextEncoder().encode(parts.join('\n')));
}

/**
 * Four groups of five digits, each the big-endian value of five bytes modulo 100 000 (the way Signal
 * writes its safety numbers): 20 digits a person can read in one breath per group.
 */
export function safetyDigits(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let group = 0; group < 4; group++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + (bytes[group * 5 + i] ?? 0);
    groups.push(String(value % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}
