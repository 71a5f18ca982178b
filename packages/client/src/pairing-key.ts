import { fromBase64Url, toBase64Url } from './base64url.js';

/** What a proof is over: a side's DTLS fingerprints (in a description) or its relay public key. */
export type ProofKind = 'dtls' | 'relay';

/** HKDF's salt and info: this key is for these proofs and nothing else. */
const SALT = 'icebreaker pairing v1';
const INFO = 'proof';

/** A pairing link's secret: base64url, 128 to 512 bits. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{22,86}$/;

/**
 * The key of a pairing link's secret (see the README's "Pairing links"): each side proves that it holds
 * the link by sending, beside its own DTLS fingerprints and relay key, their HMAC-SHA-256 under a key
 * derived from the secret with HKDF-SHA-256. The secret never leaves the peer (only proofs do); a
 * signaling server that swaps a fingerprint for its own cannot make the proof that goes with it.
 *
 * WebCrypto where the page has it; the audited `@noble/hashes` where it does not (a page served over
 * plain http from another address than localhost), loaded only then.
 */
export class PairingKey {
  private signer: Promise<Signer> | null = null;

  /** `secret` must match {@link SECRET_PATTERN} (the room's options are checked before this). */
  constructor(private readonly secret: string) {}

  /** The proof for this side's fingerprints or relay key: base64url, 43 characters. */
  async prove(kind: ProofKind, value: string): Promise<string> {
    return toBase64Url(await (await this.load()).sign(message(kind, value)));
  }

  /** Whether `proof` is the proof for `value`: false for an absent or malformed one. */
  async check(kind: ProofKind, value: string, proof: string | undefined): Promise<boolean> {
    if (proof === undefined || !/^[A-Za-z0-9_-]{43}$/.test(proof)) return false;
    return (await this.load()).verify(message(kind, value), fromBase64Url(proof));
  }

  private load(): Promise<Signer> {
    this.signer ??= makeSigner(fromBase64Url(this.secret));
    return this.signer;
  }
}

interface Signer {
  sign(message: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
  verify(message: Uint8Array<ArrayBuffer>, mac: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

function message(kind: ProofKind, value: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`icebreaker proof v1\n${kind}\n${value}`);
}

async function makeSigner(secret: Uint8Array<ArrayBuffer>): Promise<Signer> {
  const encoder = new TextEncoder();
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const material = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
    const key = await subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(SALT), info: encoder.encode(INFO) },
      material,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign', 'verify'],
    );
    return {
      sign: async (data) => new Uint8Array(await subtle.sign('HMAC', key, data)),
      // WebCrypto's verify compares in constant time.
      verify: (data, mac) => subtle.verify('HMAC', key, mac, data),
    };
  }
  const [{ hkdf }, { hmac }, { sha256 }] = await Promise.all([
    import('@noble/hashes/hkdf.js'),
    import('@noble/hashes/hmac.js'),
    import('@noble/hashes/sha2.js'),
  ]);
  const key = hkdf(sha256, secret, encoder.encode(SALT), encoder.encode(INFO), 32);
  const sign = (data: Uint8Array) => hmac(sha256, key, data);
  return {
    sign: async (data) => sign(data),
    verify: async (data, mac) => {
      const expected = sign(data);
      // Every byte compared whatever the first difference: the time says nothing about the MAC.
      let difference = expected.length ^ mac.length;
      for (let i = 0; i < expected.length; i++) difference |= (expected[i] as number) ^ (mac[i] ?? 0);
      return difference === 0;
    },
  };
}
