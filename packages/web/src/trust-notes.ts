import type { SafetyNumber } from '@icebreaker/client';
import { safetyWords } from '@icebreaker/client/pairing';
import type { StepOutput } from './teaching.js';

/** What the teaching step about trust shows: where each part of the safety number comes from. */
export interface TrustNotes {
  /** This tab's fingerprint, from its own SDP's `a=fingerprint` line ("sha-256 AB:CD:…"). */
  readonly local: string;
  /** The other tab's, from the SDP that came through the signaling server. */
  readonly remote: string;
  /** The certificates the DTLS handshake used, from getStats (absent where the browser does not say). */
  readonly handshake?: { readonly local?: string; readonly remote?: string };
  readonly checked: SafetyNumber['checked'];
  readonly relayed: boolean;
  readonly digits: string;
  readonly words: readonly string[];
}

/** The teaching step's output for a safety number the library (or the step-by-step lesson) made. */
export function trustOutput(number: SafetyNumber): Extract<StepOutput, { kind: 'trust' }> {
  return {
    kind: 'trust',
    text: 'Each SDP named its side’s certificate; the handshake showed which certificates were really used; the safety number is made from them.',
    notes: {
      local: number.local,
      remote: number.remote,
      ...(number.handshake === undefined ? {} : { handshake: number.handshake }),
      checked: number.checked,
      relayed: number.relayKeys !== undefined,
      digits: number.digits,
      words: safetyWords(number),
    },
  };
}
