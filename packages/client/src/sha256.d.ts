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
export declare function createSha256(): Promise<Sha256>;
//# sourceMappingURL=sha256.d.ts.map