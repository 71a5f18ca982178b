import { IcebreakerError, RELAY_KEY_SALT, RELAY_SEALED_OVERHEAD } from '@icebreaker/protocol';
import { fromBase64Url, toBase64Url } from './base64url.js';

/**
 * The end-to-end encryption of the relay (the protocol's `relay-frame.ts` defines it): an ephemeral
 * ECDH P-256 key pair per remote peer, one AES-256-GCM key per direction derived with HKDF-SHA-256, and
 * a counter per direction as the IV, which the receiver requires to grow by exactly one. All of it is
 * WebCrypto: browsers (in a secure context: https or localhost) and Node ≥ 20 have it.
 */
export class RelayKeyPair {
  private constructor(
    private readonly pair: CryptoKeyPair,
    /** Our public key, raw (65 bytes). */
    readonly publicRaw: Uint8Array<ArrayBuffer>,
  ) {}

  /**
   * Makes a key pair. Rejects with `relay-unavailable` where WebCrypto is missing: a page served over
   * plain http from another address than localhost is not a secure context, and has no `crypto.subtle`.
   */
  static async generate(): Promise<RelayKeyPair> {
    const subtle = subtleCrypto();
    const pair = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])) as CryptoKeyPair;
    const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
    return new RelayKeyPair(pair, raw);
  }

  /** Our public key as the `relay-key` signal carries it: base64url, no padding. */
  get publicKey(): string {
    return toBase64Url(this.publicRaw);
  }

  /**
   * The two ciphers of a relay with the owner of `remoteKey` (base64url, as its `relay-key` signal
   * carried it). Rejects with `relay-failed` for a key that is not a P-256 point.
   */
  async agree(remoteKey: string): Promise<{ seal: Sealer; open: Opener }> {
    const subtle = subtleCrypto();
    const remoteRaw = fromBase64Url(remoteKey);
    let secret: ArrayBuffer;
    try {
      const remote = await subtle.importKey('raw', remoteRaw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
      secret = await subtle.deriveBits({ name: 'ECDH', public: remote }, this.pair.privateKey, 256);
    } catch (error) {
      throw new IcebreakerError('relay-failed', `the peer's relay key is not a P-256 public key: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const material = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
    const salt = new TextEncoder().encode(RELAY_KEY_SALT);
    const key = (info: Uint8Array<ArrayBuffer>) =>
      subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info }, material, { name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ]);
    const [out, inbound] = await Promise.all([key(concat(this.publicRaw, remoteRaw)), key(concat(remoteRaw, this.publicRaw))]);
    return { seal: new Sealer(out), open: new Opener(inbound) };
  }
}

/** Seals the payloads of one direction, in the order `seal` is called. */
export class Sealer {
  private counter = 0n;

  constructor(private readonly key: CryptoKey) {}

  /** The sealed payload of `plain`: its counter, then ciphertext and tag. Call in send order. */
  async seal(plain: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    const iv = ivOf(this.counter);
    this.counter += 1n;
    const sealed = new Uint8Array(await subtleCrypto().encrypt({ name: 'AES-GCM', iv }, this.key, plain));
    const payload = new Uint8Array(8 + sealed.byteLength);
    payload.set(iv.subarray(4), 0);
    payload.set(sealed, 8);
    return payload;
  }
}

/** Opens the payloads of one direction, each exactly once and in order. */
export class Opener {
  private counter = 0n;

  constructor(private readonly key: CryptoKey) {}

  /**
   * The plaintext of `payload`. Rejects with `relay-failed` when its counter is not the next one
   * (the server dropped, replayed or reordered a payload) or it does not authenticate.
   */
  async open(payload: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    if (payload.byteLength < RELAY_SEALED_OVERHEAD)
      throw new IcebreakerError('relay-failed', `a relayed payload of ${payload.byteLength} bytes is too short to be sealed`);
    const view = new DataView(payload.buffer, payload.byteOffset, 8);
    const counter = view.getBigUint64(0);
    if (counter !== this.counter)
      throw new IcebreakerError(
        'relay-failed',
        `relayed payload ${counter} arrived where ${this.counter} was due (dropped, replayed or reordered)`,
      );
    this.counter += 1n;
    try {
      return new Uint8Array(await subtleCrypto().decrypt({ name: 'AES-GCM', iv: ivOf(counter) }, this.key, payload.subarray(8)));
    } catch (error) {
      throw new IcebreakerError('relay-failed', 'a relayed payload did not authenticate (altered, or sealed with another key)', {
        cause: error,
      });
    }
  }
}

function ivOf(counter: bigint): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setBigUint64(4, counter);
  return iv;
}

function subtleCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle)
    throw new IcebreakerError(
      'relay-unavailable',
      'the relay needs WebCrypto for its end-to-end encryption, and this page has none: serve it over https (or from localhost)',
    );
  return subtle;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
