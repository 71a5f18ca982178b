import {
  CHUNK_BYTES_MAX,
  CHUNK_BYTES_MIN,
  decodeReceiverControl,
  decodeSenderControl,
  encodeTransferControl,
  type ReceiverControl,
  type SenderControl,
  TRANSFER_PATH_MAX,
  TRANSFER_TEXT_MAX,
} from '@icebreaker/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const text = fc.string({ maxLength: TRANSFER_TEXT_MAX });
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const index = fc.maxSafeNat();
const head = fc.record(
  {
    t: fc.constant('head' as const),
    id: fc.string({ minLength: 1, maxLength: 64 }),
    name: text,
    size: fc.maxSafeNat(),
    type: text,
    chunk: fc.integer({ min: CHUNK_BYTES_MIN, max: CHUNK_BYTES_MAX }),
    hash: fc.constant('sha-256' as const),
    path: fc.string({ maxLength: TRANSFER_PATH_MAX }),
    group: fc.record({ id: fc.string({ maxLength: 64 }), files: fc.integer({ min: 1, max: 1e6 }), bytes: fc.maxSafeNat() }),
  },
  { requiredKeys: ['t', 'id', 'name', 'size', 'type', 'chunk', 'hash'] },
);
const cancel = fc.record({ t: fc.constant('cancel' as const), reason: fc.string() });
const senderControl: fc.Arbitrary<SenderControl> = fc.oneof(
  head,
  fc.constant({ t: 'unknown' as const }),
  fc.record({ t: fc.constant('at' as const), i: index }),
  fc.record({ t: fc.constant('chunk' as const), i: index, hash: hex64 }),
  fc.record({ t: fc.constant('end' as const), root: hex64 }),
  cancel,
);
const receiverControl: fc.Arbitrary<ReceiverControl> = fc.oneof(
  fc.record({ t: fc.constant('resume' as const), id: fc.string({ minLength: 1, maxLength: 64 }) }),
  fc.record({ t: fc.constant('go' as const), from: index, proof: hex64 }, { requiredKeys: ['t', 'from'] }),
  fc.record({ t: fc.constant('ack' as const), i: index }),
  fc.record({ t: fc.constant('rewind' as const), i: index, reason: fc.string() }),
  fc.constant({ t: 'ok' as const }),
  fc.record({ t: fc.constant('fail' as const), reason: fc.string() }),
  cancel,
);
const goodHead = { t: 'head', id: 'a', name: 'n', size: 1, type: '', chunk: 1048576, hash: 'sha-256' };

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
    const decoded = decodeSenderControl(JSON.stringify({ ...goodHead, name: long, type: long, path: 'y'.repeat(5000) }));
    expect(decoded).toEqual({
      ok: true,
      value: { ...goodHead, name: 'x'.repeat(TRANSFER_TEXT_MAX), type: 'x'.repeat(TRANSFER_TEXT_MAX), path: 'y'.repeat(TRANSFER_PATH_MAX) },
    });
  });

  it.each([
    ['binary data', new ArrayBuffer(4)],
    ['text that is not JSON', '{"t":'],
    ['a JSON array', '[]'],
    ['no t', '{"reason":"x"}'],
    ['an unknown t', '{"t":"pause"}'],
    ['a negative size', JSON.stringify({ ...goodHead, size: -1 })],
    ['a fractional size', JSON.stringify({ ...goodHead, size: 1.5 })],
    ['a size past 2^53', JSON.stringify({ ...goodHead, size: 2 ** 53 + 2 })],
    ['a head without its chunk size (version 1)', '{"t":"head","id":"a","name":"n","size":1,"type":""}'],
    ['a chunk size below the bound', JSON.stringify({ ...goodHead, chunk: CHUNK_BYTES_MIN - 1 })],
    ['a chunk size above the bound', JSON.stringify({ ...goodHead, chunk: CHUNK_BYTES_MAX + 1 })],
    ['another hash', JSON.stringify({ ...goodHead, hash: 'md5' })],
    ['an empty id', JSON.stringify({ ...goodHead, id: '' })],
    ['a chunk hash that is not hex', '{"t":"chunk","i":0,"hash":"zz"}'],
    ['a negative chunk index', '{"t":"at","i":-1}'],
    ['a reply of the other side', '{"t":"go","from":0}'],
    ['an end without its root', '{"t":"end"}'],
  ])('refuses %s from the sender with transfer-failed', (_what, data) => {
    const result = decodeSenderControl(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('transfer-failed');
  });

  it('refuses what the sender sends when it comes from the receiver', () => {
    expect(decodeReceiverControl(JSON.stringify(goodHead)).ok).toBe(false);
    expect(decodeReceiverControl(`{"t":"end","root":"${'0'.repeat(64)}"}`).ok).toBe(false);
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
