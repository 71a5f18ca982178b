import type { IcebreakerError, SafetyNumber } from '@icebreaker/client';
import { describe, expect, it } from 'vitest';
import { PeerTrust } from '../../packages/client/src/peer-trust.js';

// The handshake check in isolation: a stack cannot be made to use another certificate than its SDP
// names (browsers and both Node stacks refuse that themselves), so the comparison is tested here with
// the stats a stack would report. The real stacks' reports are in test/client/trust.test.ts.

const LOCAL = 'sha-256 AA:AA';
const REMOTE = 'sha-256 BB:BB';
const sdp = (fingerprint: string) => `v=0\r\na=fingerprint:${fingerprint}\r\n`;

/** A PeerTrust over a connection whose getStats reports `stats`, and what it told its host. */
function trustWith(stats: object[]) {
  const told = { numbers: [] as SafetyNumber[], errors: [] as IcebreakerError[] };
  const pc = { getStats: async () => new Map(stats.map((entry, i) => [String(i), entry])) } as unknown as RTCPeerConnection;
  const trust = new PeerTrust({
    pc,
    secret: undefined,
    safety: (number) => told.numbers.push(number),
    error: (error) => told.errors.push(error),
  });
  return { trust, told };
}

const transport = { type: 'transport', dtlsState: 'connected', localCertificateId: 'L', remoteCertificateId: 'R' };
const certificate = (id: string, fingerprint: string) => ({
  type: 'certificate',
  id,
  fingerprintAlgorithm: 'sha-256',
  fingerprint: fingerprint.slice('sha-256 '.length).toLowerCase(),
});

async function connected(stats: object[]) {
  const { trust, told } = trustWith(stats);
  await trust.outgoing('description', sdp(LOCAL));
  await trust.incoming('description', sdp(REMOTE), undefined);
  await trust.connected();
  return { number: trust.number, told };
}

describe('the check of the certificates the DTLS handshake used', () => {
  it('is `handshake` when getStats names the SDPs’ certificates (any case of hex)', async () => {
    const { number, told } = await connected([transport, certificate('L', LOCAL), certificate('R', REMOTE)]);
    expect(number?.checked).toBe('handshake');
    expect(number?.handshake).toEqual({ local: LOCAL, remote: REMOTE });
    expect(told.errors).toEqual([]);
  });

  it('is `mismatch`, with a fingerprint-mismatch error, when the peer presented another certificate', async () => {
    const { number, told } = await connected([transport, certificate('L', LOCAL), certificate('R', 'sha-256 CC:CC')]);
    expect(number?.checked).toBe('mismatch');
    expect(told.errors.map((error) => error.code)).toEqual(['fingerprint-mismatch']);
    expect(told.errors[0]?.message).toContain('CC:CC');
  });

  it('is `stack` when the stack reports no certificate', async () => {
    const { number, told } = await connected([{ type: 'candidate-pair', state: 'succeeded' }]);
    expect(number?.checked).toBe('stack');
    expect(number?.handshake).toBeUndefined();
    expect(told.errors).toEqual([]);
  });

  it('gives the same digits before and after the check: only `checked` changes', async () => {
    const { told } = await connected([transport, certificate('L', LOCAL), certificate('R', REMOTE)]);
    expect(new Set(told.numbers.map((n) => n.digits)).size).toBe(1);
    expect(told.numbers.at(-1)?.checked).toBe('handshake');
  });

  it('on a mismatch, gives digits of the handshake certificate, not those the peer computes from the SDPs (outsider)', async () => {
    const honest = await connected([transport, certificate('L', LOCAL), certificate('R', REMOTE)]);
    const { number } = await connected([transport, certificate('L', LOCAL), certificate('R', 'sha-256 CC:CC')]);
    expect(number?.checked).toBe('mismatch');
    expect(number?.digits).not.toBe(honest.number?.digits);
  });
});
