import { IcebreakerError } from '@icebreaker/protocol';

/** An incremental SHA-256 of a file's bytes, fed frame by frame. */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** The digest as lowercase hex; call it once, after the last update. */
  hex(): string;
}

/**
 * Starts a SHA-256, loading the implementation on first use: only a file transfer needs one, and an
 * application that never sends a file does not download it (`import { connect }` stays small).
 *
 * One implementation, `@noble/hashes` (audited, plain JavaScript): WebCrypto has no incremental
 * digest, so a file of any size streamed to disk cannot be hashed with it, and a WebAssembly hash
 * (faster where it runs) does not run where WebAssembly is off: a browser without JIT (Lockdown
 * Mode, hardened enterprise settings), or a page whose Content-Security-Policy lacks
 * 'wasm-unsafe-eval'. Every peer must be able to check every file.
 */
export async function createSha256(): Promise<Sha256> {
  let loaded: [typeof import('@noble/hashes/sha2.js'), typeof import('@noble/hashes/utils.js')];
  try {
    loaded = await Promise.all([import('@noble/hashes/sha2.js'), import('@noble/hashes/utils.js')]);
  } catch (error) {
    // A page whose bundle's hashing chunk cannot be fetched (offline, a deploy that removed it).
    throw new IcebreakerError('transfer-failed', `could not load the SHA-256 implementation: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const [{ sha256 }, { bytesToHex }] = loaded;
  const hash = sha256.create();
  return {
    update: (bytes) => void hash.update(bytes),
    hex: () => bytesToHex(hash.digest()),
  };
}
