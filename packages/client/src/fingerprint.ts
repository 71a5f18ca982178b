/**
 * The DTLS certificate fingerprints an SDP names: every `a=fingerprint:<algorithm> <hex>` line, at the
 * session or a media level (RFC 8122 §5), in one canonical form, `"sha-256 AB:CD:…"` (algorithm in
 * lower case, hex in upper case, as `getStats` certificate stats write them), without repeats, sorted.
 * Two SDPs of the same certificate give the same list whichever stack wrote them.
 */
export function sdpFingerprints(sdp: string): string[] {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+) +([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match) found.add(canonicalFingerprint(match[1] as string, match[2] as string));
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
