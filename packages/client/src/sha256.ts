import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { createSHA256 } from 'hash-wasm';

/** An incremental SHA-256 of a file's bytes, fed frame by frame. */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** The digest as lowercase hex; call it once, after the last update. */
  hex(): string;
}

/**
 * Starts a SHA-256: in WebAssembly (five times the speed of JavaScript in Chromium, so hashing
 * stops being what limits a transfer), or in plain JavaScript where WebAssembly may not run
 * (a Content-Security-Policy without 'wasm-unsafe-eval', a browser with JIT turned off).
 */
export async function createSha256(): Promise<Sha256> {
  try {
    const wasm = await createSHA256();
    return {
      update: (bytes) => void wasm.update(bytes),
      hex: () => wasm.digest('hex'),
    };
  } catch {
    const js = sha256.create();
    return {
      update: (bytes) => void js.update(bytes),
      hex: () => bytesToHex(js.digest()),
    };
  }
}
