import { decodeClientMessage, decodeServerMessage, ERROR_CODES, encode } from '@icebreaker/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } } as const;
const candidate = {
  kind: 'candidate',
  candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
} as const;

const VALID_CLIENT = [
  { type: 'join', protocol: 1, room: 'lobby' },
  { type: 'join', id: 1, protocol: 1, room: 'a-b_c.d~e', name: 'Ada', token: 'x.y.z' },
  { type: 'signal', data: offer },
  { type: 'signal', id: 'req', to: 'peer-1', data: candidate },
  { type: 'signal', data: { kind: 'candidate', candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null } } },
  { type: 'signal', data: { kind: 'end-of-candidates' } },
  { type: 'signal', data: { kind: 'description', description: { type: 'answer', sdp: 'v=0' } } },
  // A new peer connection between the same two peers: its signals carry its generation.
  { type: 'signal', to: 'peer-1', seq: 40, data: { kind: 'description', description: { type: 'offer', sdp: 'v=0' }, gen: 2 } },
  { type: 'signal', data: { kind: 'end-of-candidates', gen: 0 } },
  { type: 'signal', to: 'peer-1', seq: 41, data: { kind: 'reconnect', gen: 1 } },
  { type: 'leave' },
  { type: 'leave', id: 3 },
] as const;

const VALID_SERVER = [
  { type: 'welcome', protocol: 1, peerId: 'p1', room: 'lobby', peers: [], iceServers: [] },
  {
    type: 'welcome',
    protocol: 1,
    peerId: 'p2',
    room: 'lobby',
    peers: [{ id: 'p1', name: 'Ada' }],
    iceServers: [{ urls: 'stun:stun.example.org' }, { urls: ['turn:t.example.org'], username: 'u', credential: 'c' }],
  },
  { type: 'peer-joined', peer: { id: 'p2' } },
  { type: 'peer-left', peerId: 'p2', reason: 'timeout' },
  { type: 'signal', from: 'p1', data: offer },
  { type: 'error', code: 'room-full', message: 'full', re: 4 },
  { type: 'error', code: 'bad-json', message: 'nope' },
] as const;

describe('decodeClientMessage', () => {
  it.each(VALID_CLIENT)('accepts a valid $type', (message) => {
    expect(decodeClientMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('drops unknown fields, so a forged sender never survives decoding', () => {
    const result = decodeClientMessage(JSON.stringify({ type: 'signal', from: 'forged', extra: 1, data: { ...offer, from: 'x' } }));
    expect(result).toEqual({ ok: true, message: { type: 'signal', data: offer } });
  });

  const INVALID: Array<[string, unknown, string]> = [
    ['not JSON', 'hello', 'bad-json'],
    ['empty text', '', 'bad-json'],
    ['a binary frame', new Uint8Array([123, 125]), 'binary-frame'],
    ['a number', '42', 'invalid-message'],
    ['an array', '[{"type":"join"}]', 'invalid-message'],
    ['no type', '{"room":"r"}', 'invalid-message'],
    ['a type from the other direction', '{"type":"welcome"}', 'unknown-type'],
    ['an unknown type', '{"type":"hello"}', 'unknown-type'],
    ['join without protocol', '{"type":"join","room":"r"}', 'invalid-message'],
    ['join with a fractional protocol', '{"type":"join","protocol":1.5,"room":"r"}', 'invalid-message'],
    ['join with an empty room', '{"type":"join","protocol":1,"room":""}', 'invalid-message'],
    ['join with a space in the room', '{"type":"join","protocol":1,"room":"a b"}', 'invalid-message'],
    ['join with a 65-char name', `{"type":"join","protocol":1,"room":"r","name":"${'n'.repeat(65)}"}`, 'invalid-message'],
    ['signal without data', '{"type":"signal"}', 'invalid-message'],
    ['signal with an unknown kind', '{"type":"signal","data":{"kind":"sdp"}}', 'invalid-message'],
    [
      'signal with a rollback',
      '{"type":"signal","data":{"kind":"description","description":{"type":"rollback","sdp":""}}}',
      'invalid-message',
    ],
    [
      'signal with an SDP over 48 KiB',
      JSON.stringify({ type: 'signal', data: { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(48 * 1024 + 1) } } }),
      'invalid-message',
    ],
    [
      'signal with a negative line index',
      '{"type":"signal","data":{"kind":"candidate","candidate":{"candidate":"c","sdpMLineIndex":-1}}}',
      'invalid-message',
    ],
    ['signal with a numeric target', '{"type":"signal","to":5,"data":{"kind":"end-of-candidates"}}', 'invalid-message'],
    ['a request id that is an object', '{"type":"leave","id":{}}', 'invalid-message'],
    ['a negative generation', '{"type":"signal","data":{"kind":"end-of-candidates","gen":-1}}', 'invalid-message'],
    ['a fractional generation', '{"type":"signal","data":{"kind":"candidate","candidate":{"candidate":"c"},"gen":1.5}}', 'invalid-message'],
    ['a reconnect to generation 0', '{"type":"signal","data":{"kind":"reconnect","gen":0}}', 'invalid-message'],
    ['a reconnect without a generation', '{"type":"signal","data":{"kind":"reconnect"}}', 'invalid-message'],
  ];

  it.each(INVALID)('rejects %s with %s', (_name, frame, code) => {
    const result = decodeClientMessage(frame);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(0);
    }
  });

  it('keeps the request id of an invalid message so the error can answer it', () => {
    expect(decodeClientMessage('{"type":"join","id":"j1","protocol":1}')).toMatchObject({
      ok: false,
      error: { code: 'invalid-message', re: 'j1' },
    });
    expect(decodeClientMessage('{"type":"nope","id":9}')).toMatchObject({ ok: false, error: { code: 'unknown-type', re: 9 } });
  });

  it('never throws and always returns a message or a known code, whatever the frame (property)', () => {
    const frames = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.uint8Array(),
      // Messages with the right type but arbitrary bodies reach the schemas, not just the JSON parser.
      fc
        .record({
          type: fc.constantFrom('join', 'signal', 'leave', 'welcome'),
          id: fc.anything(),
          data: fc.anything(),
          room: fc.anything(),
          protocol: fc.anything(),
        })
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(frames, (frame) => {
        const result = decodeClientMessage(frame);
        if (result.ok) expect(['join', 'signal', 'leave']).toContain(result.message.type);
        else expect(Object.keys(ERROR_CODES)).toContain(result.error.code);
      }),
      { numRuns: 10_000 },
    );
  });

  it('round-trips every valid message through encode (property over generated signals)', () => {
    const signal = fc.record({
      type: fc.constant('signal' as const),
      to: fc.string({ minLength: 1, maxLength: 64 }),
      data: fc.oneof(
        fc.record({
          kind: fc.constant('description' as const),
          description: fc.record({ type: fc.constantFrom('offer' as const, 'answer' as const), sdp: fc.string({ maxLength: 2000 }) }),
        }),
        fc.record({
          kind: fc.constant('candidate' as const),
          candidate: fc.record({ candidate: fc.string({ maxLength: 200 }), sdpMid: fc.string({ maxLength: 8 }) }),
        }),
        fc.constant({ kind: 'end-of-candidates' as const }),
      ),
    });
    fc.assert(
      fc.property(signal, (message) => {
        expect(decodeClientMessage(encode(message))).toEqual({ ok: true, message });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodeServerMessage', () => {
  it.each(VALID_SERVER)('accepts a valid $type', (message) => {
    expect(decodeServerMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it.each([
    ['an error with a code nobody defined', '{"type":"error","code":"teapot","message":"x"}'],
    ['a signal without a sender', `{"type":"signal","data":{"kind":"end-of-candidates"}}`],
    ['a welcome without peers', '{"type":"welcome","protocol":1,"peerId":"p","room":"r","iceServers":[]}'],
    ['a peer-left with an unknown reason', '{"type":"peer-left","peerId":"p","reason":"bored"}'],
  ])('rejects %s', (_name, frame) => {
    expect(decodeServerMessage(frame)).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array()), (frame) => {
        const result = decodeServerMessage(frame);
        if (!result.ok) expect(Object.keys(ERROR_CODES)).toContain(result.error.code);
      }),
      { numRuns: 10_000 },
    );
  });
});

// Found by an outsider: valibot's terminal drawing (`×`, `→ at`, line breaks) reached error messages.
describe('an invalid message', () => {
  it('is described on one line, naming each bad field by its path', () => {
    const result = decodeClientMessage('{"type":"signal","seq":-1.5,"data":{"kind":"candidate","candidate":{"candidate":7}}}');
    if (result.ok) throw new Error('decoded an invalid message');
    expect(result.error.code).toBe('invalid-message');
    expect(result.error.message).toMatch(/^invalid "signal" message: .*seq: .*; data\.candidate\.candidate: /);
    expect(result.error.message).not.toMatch(/[×→\n]/);
  });
});
