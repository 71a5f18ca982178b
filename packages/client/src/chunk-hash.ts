import { IcebreakerError } from '@icebreaker/protocol';

/**
 * SHA-256 of one chunk of a file, as lowercase hex.
 *
 * WebCrypto where the page has it: its digest is native (SHA extensions), runs off the JavaScript
 * thread in browsers, and needs the whole input at once, which per-chunk hashing gives it (a whole
 * file streamed to disk could not be hashed with it). A page served over plain http from another
 * address than localhost is not a secure context and has no `crypto.subtle`: there the audited
 * `@noble/hashes` does the same work in JavaScript, loaded only then.
 */
export async function hashChunk(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await sha256(bytes));
}

/** SHA-256 of `bytes`, the same way as {@link hashChunk} (WebCrypto, else `@noble/hashes`), as bytes. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return new Uint8Array(await subtle.digest('SHA-256', bytes));
  return (await loadNoble()).sha256(bytes);
}

/**
 * The SHA-256 of the first `count` chunk hashes (their raw bytes, in order): a transfer's `root` when
 * `count` is every chunk, a receiver's `proof` of what it holds when it resumes.
 */
export function hashOfHashes(hashes: readonly string[], count = hashes.length): Promise<string> {
  const joined = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) joined.set(fromHex(hashes[i] as string), i * 32);
  return hashChunk(joined);
}

let noble: Promise<typeof import('@noble/hashes/sha2.js')> | null = null;

function loadNoble(): Promise<typeof import('@noble/hashes/sha2.js')> {
  noble ??= import('@noble/hashes/sha2.js').catch((error: unknown) => {
    noble = null;
    // A page whose bundle's hashing chunk cannot be fetched (offline, a deploy that removed it).
    throw new IcebreakerError('transfer-failed', `could not load the SHA-256 implementation: ${(error as Error).message}`, {
      cause: error,
    });
  });
  return noble;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte];
  return out;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
