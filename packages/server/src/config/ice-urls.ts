/** A host of a STUN/TURN URI (RFC 7064 §3.1, RFC 7065 §3.1): an IPv6 literal, or a name or IPv4 address. */
const ICE_HOST = String.raw`(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)`;
const STUN_URI = new RegExp(String.raw`^stuns?:${ICE_HOST}(?::(\d{1,5}))?$`);
const TURN_URI = new RegExp(String.raw`^turns?:${ICE_HOST}(?::(\d{1,5}))?(?:\?transport=(?:udp|tcp))?$`);

/**
 * Whether `url` is a STUN or TURN URI that browsers take: `RTCPeerConnection` throws on any other
 * (a port of 0 or past 65535, a path, a query other than TURN's transport), and the server hands its
 * ICE servers to every client: one bad URL would break them all.
 */
export function isIceUrl(url: string, schemes: readonly RegExp[] = [STUN_URI, TURN_URI]): boolean {
  const match = schemes.map((scheme) => scheme.exec(url)).find((m) => m !== null);
  if (!match) return false;
  const port = match[1] === undefined ? 3478 : Number(match[1]);
  return port >= 1 && port <= 65_535;
}

/** Whether `url` is a `turn:` or `turns:` URI a browser takes (see {@link isIceUrl}). */
export const isTurnUrl = (url: string): boolean => isIceUrl(url, [TURN_URI]);

/** An origin is scheme, host and port only: "https://app.example", never a path or a trailing slash. */
export const isOrigin = (text: string): boolean => /^https?:/.test(text) && URL.parse(text)?.origin === text;
