import type { SafetyNumber } from '@icebreaker/client';
import { safetyWords } from '@icebreaker/client/pairing';
import type { StepOutput } from './teaching.js';

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
