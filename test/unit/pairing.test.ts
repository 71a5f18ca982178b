import { codeRoom, createCode, createInvite, fragmentInvite, isCode, readInvite, safetyWords } from '@icebreaker/client/pairing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { sdpFingerprints } from '../../packages/client/src/fingerprint.js';
import { PairingKey } from '../../packages/client/src/pairing-key.js';
import { EVEN_WORDS, ODD_WORDS } from '../../packages/client/src/pgp-words.js';
import { safetyBytes, safetyDigits } from '../../packages/client/src/safety-number.js';

describe('pairing links', () => {
  it('carry the room and a 128-bit secret in the fragment, and read back', () => {
    const invite = createInvite('https://signal.example.org/?lang=en#old');
    expect(invite.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(invite.room).toMatch(/^p-[A-Za-z0-9_-]{16}$/);
    expect(invite.link).toBe(`https://signal.example.org/?lang=en#room=${invite.room}&key=${invite.secret}`);
    expect(readInvite(invite.link)).toEqual({
      page: 'https://signal.example.org/?lang=en',
      signaling: 'wss://signal.example.org/ws',
      room: invite.room,
      secret: invite.secret,
    });
    expect(readInvite(createInvite('http://127.0.0.1:8080/', { room: 'my-room' }).link)).toMatchObject({
      signaling: 'ws://127.0.0.1:8080/ws',
      room: 'my-room',
    });
    expect(createInvite('http://x/').secret).not.toBe(invite.secret);
  });

  it('refuse what is not a link with a message that never repeats the key', () => {
    const secret = createInvite('http://x/').secret;
    const bad = [
      'not a link',
      `ftp://x/#room=a&key=${secret}`,
      'http://x/',
      'http://x/#room=a',
      `http://x/#key=${secret}`,
      `http://x/#room=a b&key=${secret}`,
      `http://x/#room=a&key=${secret.slice(0, 21)}`,
      `http://x/#room=a&key=${secret}!`,
    ];
    for (const text of bad) {
      expect(() => readInvite(text), text).toThrow(TypeError);
      try {
        readInvite(text);
      } catch (error) {
        expect((error as Error).message).not.toContain(secret.slice(0, 21));
      }
    }
    expect(() => createInvite('javascript:alert(1)')).toThrow(/http\(s\)/);
    expect(() => createInvite('http://x/', { room: '../etc' })).toThrow(TypeError);
    expect(fragmentInvite('')).toBeNull();
    expect(fragmentInvite('#lesson=3')).toBeNull();
  });
});

describe('pairing codes', () => {
  it('are a number and a word of each list, and name a room', () => {
    for (let i = 0; i < 200; i++) {
      const code = createCode();
      expect(isCode(code)).toBe(true);
      const [number, even, odd] = code.split('-');
      expect(Number(number)).toBeGreaterThanOrEqual(1);
      expect(Number(number)).toBeLessThanOrEqual(99);
      expect(EVEN_WORDS).toContain(even);
      expect(ODD_WORDS).toContain(odd);
      expect(codeRoom(code)).toBe(`c-${code}`);
    }
    expect(codeRoom('  7 Tiger HURRICANE ')).toBe('c-7-tiger-hurricane');
    for (const bad of [
      '',
      '0-tiger-hurricane',
      '100-tiger-hurricane',
      '7-hurricane-tiger',
      '7-tiger',
      'tiger-hurricane-7',
      '7-purple-sausage',
    ])
      expect(isCode(bad), bad).toBe(false);
    expect(() => codeRoom('7-purple-sausage')).toThrow(/two words/);
  });
});

describe('safety numbers', () => {
  const a = 'sha-256 AA:BB';
  const b = 'sha-256 CC:DD';

  it('are the same whichever side computes them, and change with any input', async () => {
    const one = await safetyBytes({ local: a, remote: b });
    expect(await safetyBytes({ local: b, remote: a })).toEqual(one);
    expect(await safetyBytes({ local: a, remote: 'sha-256 CC:DE' })).not.toEqual(one);
    const relayed = await safetyBytes({ local: a, remote: b, relayKeys: { local: 'k1', remote: 'k2' } });
    expect(await safetyBytes({ local: b, remote: a, relayKeys: { local: 'k2', remote: 'k1' } })).toEqual(relayed);
    expect(relayed).not.toEqual(one);
    expect(safetyDigits(one)).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(safetyWords({ bytes: one })).toHaveLength(6);
    expect(safetyDigits(new Uint8Array(32))).toBe('00000 00000 00000 00000');
    // 2^40 - 1 mod 100000 in every group.
    expect(safetyDigits(new Uint8Array(32).fill(255))).toBe('27775 27775 27775 27775');
    expect(safetyWords({ bytes: new Uint8Array([0, 0, 255, 255, 1, 1]) })).toEqual([
      'aardvark',
      'adroitness',
      'zulu',
      'yucatan',
      'absurd',
      'adviser',
    ]);
  });

  it('read every a=fingerprint line of an SDP in one canonical form', () => {
    const sdp = 'v=0\r\na=fingerprint:SHA-256 ab:cd\r\nm=application 9\r\na=fingerprint:sha-256 AB:CD\r\na=fingerprint:sha-1 01:02\r\n';
    expect(sdpFingerprints(sdp)).toEqual(['sha-1 01:02', 'sha-256 AB:CD']);
    expect(sdpFingerprints('v=0\r\n')).toEqual([]);
  });
});

describe('pairing proofs', () => {
  const secret = createInvite('http://x/').secret;

  it('check only for the value and kind they were made for, and only under the same secret', async () => {
    const key = new PairingKey(secret);
    const proof = await key.prove('dtls', 'sha-256 AA');
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await key.check('dtls', 'sha-256 AA', proof)).toBe(true);
    expect(await new PairingKey(secret).check('dtls', 'sha-256 AA', proof)).toBe(true);
    expect(await key.check('dtls', 'sha-256 AB', proof)).toBe(false);
    expect(await key.check('relay', 'sha-256 AA', proof)).toBe(false);
    expect(await key.check('dtls', 'sha-256 AA', undefined)).toBe(false);
    expect(await key.check('dtls', 'sha-256 AA', 'short')).toBe(false);
    expect(await new PairingKey(createInvite('http://x/').secret).check('dtls', 'sha-256 AA', proof)).toBe(false);
  });

  it('are the same without WebCrypto (a page outside a secure context uses @noble/hashes)', async () => {
    const withSubtle = await new PairingKey(secret).prove('relay', 'key');
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array<ArrayBuffer>) => globalThis.crypto.getRandomValues(bytes) });
    try {
      const key = new PairingKey(secret);
      expect(await key.prove('relay', 'key')).toBe(withSubtle);
      expect(await key.check('relay', 'key', withSubtle)).toBe(true);
      await fc.assert(
        fc.asyncProperty(fc.string(), async (value) => !(await key.check('relay', `${value}x`, withSubtle)) || `${value}x` === 'key'),
        { numRuns: 50 },
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
