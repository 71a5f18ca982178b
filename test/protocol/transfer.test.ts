import {
  decodeReceiverControl,
  decodeSenderControl,
  encodeTransferControl,
  type ReceiverControl,
  type SenderControl,
  TRANSFER_TEXT_MAX,
} from '@icebreaker/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const text = fc.string({ maxLength: TRANSFER_TEXT_MAX });
const head = fc.record({
  t: fc.constant('head' as const),
  id: fc.string(),
  name: text,
  size: fc.maxSafeNat(),
  type: text,
});
const cancel = fc.record({ t: fc.constant('cancel' as const), reason: fc.string() });
const senderControl: fc.Arbitrary<SenderControl> = fc.oneof(
  head,
  fc.record({ t: fc.constant('end' as const), sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }),
  cancel,
);
const receiverControl: fc.Arbitrary<ReceiverControl> = fc.oneof(
  fc.constant({ t: 'go' as const }),
  fc.constant({ t: 'ok' as const }),
  fc.record({ t: fc.constant('fail' as const), reason: fc.string() }),
  cancel,
);

describe('transfer control messages', () => {
  it('round-trip: what the sender encodes, the receiver decodes as it was', () => {
    fc.assert(
      fc.property(senderControl, (control) => {
        expect(decodeSenderControl(encodeTransferControl(control))).toEqual({ ok: true, value: control });
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trip: what the receiver encodes, the sender decodes as it was', () => {
    fc.assert(
      fc.property(receiverControl, (control) => {
        expect(decodeReceiverControl(encodeTransferControl(control))).toEqual({ ok: true, value: control });
      }),
      { numRuns: 3000 },
    );
  });

  it('cuts a long name and type to the bound on arrival, keeping the transfer', () => {
    const long = 'x'.repeat(1000);
    const decoded = decodeSenderControl(JSON.stringify({ t: 'head', id: 'a', name: long, size: 1, type: long }));
    expect(decoded).toEqual({
      ok: true,
      value: { t: 'head', id: 'a', name: 'x'.repeat(TRANSFER_TEXT_MAX), size: 1, type: 'x'.repeat(TRANSFER_TEXT_MAX) },
    });
  });

  it.each([
    ['binary data', new ArrayBuffer(4)],
    ['text that is not JSON', '{"t":'],
    ['a JSON array', '[]'],
    ['no t', '{"reason":"x"}'],
    ['an unknown t', '{"t":"pause"}'],
    ['a negative size', '{"t":"head","id":"a","name":"n","size":-1,"type":""}'],
    ['a fractional size', '{"t":"head","id":"a","name":"n","size":1.5,"type":""}'],
    ['a size past 2^53', '{"t":"head","id":"a","name":"n","size":9007199254740993,"type":""}'],
    ['a reply of the other side', '{"t":"go"}'],
    ['an end without its digest', '{"t":"end"}'],
  ])('refuses %s from the sender with transfer-failed', (_what, data) => {
    const result = decodeSenderControl(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('transfer-failed');
  });

  it('refuses what the sender sends when it comes from the receiver', () => {
    expect(decodeReceiverControl('{"t":"head","id":"a","name":"n","size":1,"type":""}').ok).toBe(false);
    expect(decodeReceiverControl('{"t":"end","sha256":"00"}').ok).toBe(false);
  });

  it('decodes any JSON, any text and any value to a control message or a typed failure, never a throw', () => {
    const input = fc.oneof(
      fc.json(),
      fc.string(),
      fc.anything(),
      fc.oneof(senderControl, receiverControl).chain((control) =>
        // Near misses: a valid message with one field replaced by anything.
        fc
          .tuple(fc.constantFrom(...Object.keys(control)), fc.jsonValue())
          .map(([key, value]) => JSON.stringify({ ...control, [key]: value })),
      ),
    );
    fc.assert(
      fc.property(input, (data) => {
        for (const result of [decodeSenderControl(data), decodeReceiverControl(data)]) {
          if (!result.ok) {
            expect(result.error.code).toBe('transfer-failed');
            expect(result.error.message).toMatch(/\S/);
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
