/**
 * The DTLS certificate fingerprints an SDP names: every `a=fingerprint:<algorithm> <hex>` line, at the
 * session or a media level (RFC 8122 §5), in one canonical form, `"sha-256 AB:CD:…"` (algorithm in
 * lower case, hex in upper case, as `getStats` certificate stats write them), without repeats, sorted.
 * Two SDPs of the same certificate give the same list whichever stack wrote them.
 *
 * Read at least as loosely as any stack reads them: Firefox takes `a=FINGERPRINT:`, a tab after the
 * algorithm and a space after the colon, and its DTLS accepts a certificate that matches any of the
 * fingerprints. A line this parser skipped would be one the proofs and the safety number never cover,
 * where a signaling path could hide its own certificate beside the honest one. So every line that
 * mentions a fingerprint counts: canonical when it parses, as written (trimmed) when it does not.
 */
export function sdpFingerprints(sdp: string): string[] {
  const found = new Set<string>();
  // A lone CR ends a line for some SDP parsers too.
  for (const line of sdp.split(/\r\n|\r|\n/)) {
    if (!/fingerprint/i.test(line)) continue;
    const match = /^\s*a\s*=\s*fingerprint\s*:\s*(\S+)\s+([0-9A-Fa-f:]+)\s*$/i.exec(line);
    found.add(match ? canonicalFingerprint(match[1] as string, match[2] as string) : line.trim());
  }
  return [...found].sort();
}

/** One fingerprint in the canonical form of {@link sdpFingerprints}. */
export function canonicalFingerprint(algorithm: string, value: string): string {
  return `${algorithm.toLowerCase()} ${value.toUpperCase()}`;
}

/** What a side's fingerprints stand for in a safety number or a proof: the canonical list, one per line. */
export function fingerprintText(fingerprints: readonly string[]): string {
  return fingerprints.join('\n');
}
