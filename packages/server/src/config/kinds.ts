import { IceServer } from '@icebreaker/protocol';
import * as v from 'valibot';
import { isIceUrl } from './ice-urls.js';

// Each kind's issues carry, as their message, what was expected ("a whole number from 2 to 256"):
// whoever reports the issue names the setting the way its caller wrote it, and adds that.

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number) {
  const expected = `a whole number from ${min} to ${max}`;
  return v.pipe(v.number(expected), v.safeInteger(expected), v.minValue(min, expected), v.maxValue(max, expected));
}

/** A duration in whole milliseconds from `minMs` to `maxMs`. */
export function duration(minMs: number, maxMs: number) {
  const expected = `a duration from ${minMs}ms to ${maxMs / 1000}s (milliseconds as an option; 500ms, 30s or 2m as text)`;
  return v.pipe(v.number(expected), v.safeInteger(expected), v.minValue(minMs, expected), v.maxValue(maxMs, expected));
}

/**
 * A secret of at least `minLength` characters not counting spaces (a value of spaces is a mistake,
 * not a key), or null: unset. Its value is kept as given, so that the CLI's `token` command, which
 * signs with the same variable, agrees with the server byte for byte.
 */
export function secret(minLength: number) {
  const expected = `at least ${minLength} characters (not counting spaces)`;
  return v.nullable(
    v.pipe(
      v.string(expected),
      v.check((text) => text.trim().length >= minLength, expected),
    ),
  );
}

/** A list of strings that each pass `item`; `expected` says what an item looks like. */
export function listOf(item: (text: string) => boolean, expected: string) {
  const bad = (issue: v.BaseIssue<unknown>) => `${expected}, not "${String(issue.input).slice(0, 80)}"`;
  return v.pipe(v.array(v.pipe(v.string(bad), v.check(item, bad)), `a list of ${expected}`), v.readonly());
}

/** A host name or IP address to listen on. */
export function host() {
  const expected = 'a host name or IP address';
  return v.pipe(
    v.string(expected),
    v.check((text) => text !== '' && !/[\s/]/.test(text), expected),
  );
}

/** A Redis URL, or null: rooms in this process. */
export function redisUrl() {
  const expected = 'a redis:// or rediss:// URL, with a database number as its path if any (redis://host:6379/0)';
  const fits = (text: string) => {
    const url = URL.parse(text);
    // The path, if any, is a database number: anything else would be ignored and use database 0.
    return url !== null && (url.protocol === 'redis:' || url.protocol === 'rediss:') && /^(\/\d{0,5})?$/.test(url.pathname);
  };
  return v.nullable(v.pipe(v.string(expected), v.check(fits, expected)));
}

/** A folder path, or null. */
export function folder() {
  const expected = 'a folder path, or null';
  return v.nullable(v.pipe(v.string(expected), v.nonEmpty(expected)));
}

const urlsOf = (servers: readonly IceServer[]) => servers.flatMap((server) => [server.urls].flat());

/**
 * ICE servers as browsers take them: each URL a STUN or TURN URI, and every TURN server with a
 * username and a credential (`RTCPeerConnection` throws otherwise, and these go to every client).
 */
export function iceServers() {
  const shape = (issue: v.BaseIssue<unknown>) =>
    `a list of RTCIceServer objects (${issue.expected === null ? '' : `expected ${issue.expected}, `}received ${issue.received}; as text: comma-separated URLs, or "none")`;
  return v.pipe(
    v.message(v.array(IceServer), shape),
    v.check(
      (servers) => urlsOf(servers).every((url) => isIceUrl(url)),
      (issue) => {
        const bad = urlsOf(issue.input as IceServer[]).find((url) => !isIceUrl(url)) ?? '';
        return `stun:host[:port] or turn:host[:port][?transport=udp|tcp] URLs, not "${bad.slice(0, 80)}"`;
      },
    ),
    v.check(
      (servers) =>
        servers.every((server) => !urlsOf([server]).some((url) => url.startsWith('turn')) || Boolean(server.username && server.credential)),
      'a username and a credential with every turn: or turns: server (or use --turn-url with --turn-secret)',
    ),
    v.readonly(),
  );
}
