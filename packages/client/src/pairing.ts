/**
 * Pairing links and codes, and the safety number's words: the second entry of the client,
 * `@icebreaker/client/pairing`, so that an application that pairs by link loads the word lists, and
 * one that does not never does. See the README's "Trust no server".
 *
 * @example
 * ```ts
 * import { connect } from '@icebreaker/client';
 * import { createInvite, readInvite } from '@icebreaker/client/pairing';
 * const invite = createInvite(location.href); // show invite.link, as text and as a QR code
 * const room = await connect(endpoint, { room: invite.room, secret: invite.secret });
 * // the other side: const { signaling, room, secret } = readInvite(link); connect(signaling, { room, secret })
 * ```
 *
 * @module
 */
import { RoomName } from '@icebreaker/protocol';
import { safeParse } from 'valibot';
import { toBase64Url } from './base64url.js';
import { SECRET_PATTERN } from './pairing-key.js';
import { EVEN_WORDS, ODD_WORDS } from './pgp-words.js';
import type { SafetyNumber } from './safety-number.js';

/**
 * The safety number and pairing proofs of one peer connection, for a peer written on the bare WebRTC
 * API (the page's step-by-step mode): the same code the library's peers run, so the numbers agree.
 */
export { PeerTrust, type TrustHost } from './peer-trust.js';

/** A pairing link and what it is made of. */
export interface Invite {
  /** `<page>#room=<room>&key=<secret>`: the part after `#` never reaches a server. */
  readonly link: string;
  readonly room: string;
  /** 128 random bits, base64url: pass it as `connect`'s `secret`. */
  readonly secret: string;
}

/** What {@link readInvite} finds in a link. */
export interface ReadInvite {
  /** The page the link opens (without its fragment). */
  readonly page: string;
  /** The signaling endpoint of that page's server: its origin over ws/wss, path `/ws`. */
  readonly signaling: string;
  readonly room: string;
  readonly secret: string;
}

/**
 * A new pairing link to `page` (the page's own address, or the server's for a terminal peer): a room
 * named at random (unless `options.room` is given) and a 128-bit secret, both in the fragment.
 * Throws a `TypeError` for a page that is not an http(s) address or a room name the server refuses.
 */
export function createInvite(page: string | URL, options: { readonly room?: string } = {}): Invite {
  const url = pageUrl(page, 'page');
  url.hash = '';
  const room = options.room ?? `p-${toBase64Url(randomBytes(12))}`;
  if (!safeParse(RoomName, room).success)
    throw new TypeError(`options.room: expected letters, digits and - _ . ~ (1 to 64), got ${JSON.stringify(room)}`);
  const secret = toBase64Url(randomBytes(16));
  return { link: `${url.href}#room=${room}&key=${secret}`, room, secret };
}

/**
 * Reads a pairing link (as {@link createInvite} makes them). Throws a `TypeError` saying what is wrong
 * for text that is not one; the message never repeats the secret.
 */
export function readInvite(text: string): ReadInvite {
  if (typeof text !== 'string') throw new TypeError('a pairing link: expected text');
  const url = pageUrl(text.trim(), 'a pairing link');
  const found = fragmentInvite(url.hash);
  if (!found)
    throw new TypeError(
      `a pairing link: expected "#room=…&key=…" after the address, got ${url.hash === '' ? 'no "#" part' : 'no room and key in it'}`,
    );
  url.hash = '';
  const signaling = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/ws`;
  return { page: url.href, signaling, ...found };
}

/**
 * The room and secret in a link's fragment (`location.hash`, with or without its `#`), or null when it
 * holds none. Throws a `TypeError` for a fragment that names a room or key that cannot be one.
 */
export function fragmentInvite(hash: string): { room: string; secret: string } | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const room = params.get('room');
  const secret = params.get('key');
  if (room === null && secret === null) return null;
  // Two of either: a link pasted into another, or edited; picking one in silence could pair the
  // wrong way, so say so (without repeating either key).
  for (const name of ['room', 'key'])
    if (params.getAll(name).length > 1) throw new TypeError(`a pairing link: it holds more than one ${name}: copy the link again`);
  if (room === null || !safeParse(RoomName, room).success)
    throw new TypeError('a pairing link: its room is missing or not a room name (letters, digits and - _ . ~, up to 64)');
  if (secret === null || !SECRET_PATTERN.test(secret))
    throw new TypeError(
      `a pairing link: its key is ${secret === null ? 'missing' : `not 22 to 86 base64url characters (${secret.length})`}: was the link cut short?`,
    );
  return { room, secret };
}

/**
 * A short code to type, like `7-tiger-hurricane`: a number from 1 to 99 and a word of each PGP list.
 * It names a room ({@link codeRoom}) and carries no secret: peers that meet by code compare their
 * safety numbers to know that nobody is in the middle.
 */
export function createCode(): string {
  const [number = 0, even = 0, odd = 0] = randomBytes(3);
  return `${(number % 99) + 1}-${EVEN_WORDS[even]}-${ODD_WORDS[odd]}`;
}

/** Whether `text` is a code like {@link createCode}'s (case and spaces around it do not matter). */
export function isCode(text: string): boolean {
  return parseCode(text) !== null;
}

/** The room a code stands for (`c-7-tiger-hurricane`). Throws a `TypeError` for text that is not a code. */
export function codeRoom(code: string): string {
  const parsed = parseCode(code);
  if (!parsed)
    throw new TypeError(`a code: expected a number from 1 to 99 and two words, like "7-tiger-hurricane", got ${shownCode(code)}`);
  return `c-${parsed}`;
}

/**
 * The first six bytes of a safety number as PGP words, to read aloud: the same check as the digits,
 * shorter (48 bits; the digits carry 66).
 */
export function safetyWords(number: Pick<SafetyNumber, 'bytes'>): string[] {
  return Array.from(number.bytes.subarray(0, 6), (byte, i) => (i % 2 === 0 ? EVEN_WORDS : ODD_WORDS)[byte] as string);
}

/**
 * What a {@link codeRoom} error shows of the text: a mistyped code as typed (it helps), anything else
 * only by its size, for it may be a pairing link or its key given where a code was expected.
 */
function shownCode(text: unknown): string {
  if (typeof text !== 'string') return typeof text;
  if (/^\s*\d{1,3}[-\s]+[a-z]{1,12}[-\s]+[a-z]{1,12}\s*$/i.test(text)) return JSON.stringify(text.trim());
  const link = text.includes('#') || text.includes('://');
  return `${link ? 'a link (read it with readInvite)' : 'text that is not one'}, ${text.length} characters`;
}

function parseCode(text: string): string | null {
  if (typeof text !== 'string') return null;
  const match = /^(\d{1,2})[-\s]+([a-z]+)[-\s]+([a-z]+)$/.exec(text.trim().toLowerCase());
  if (!match) return null;
  const [, number = '', even = '', odd = ''] = match;
  const value = Number(number);
  if (value < 1 || value > 99 || !EVEN_WORDS.includes(even) || !ODD_WORDS.includes(odd)) return null;
  return `${value}-${even}-${odd}`;
}

function pageUrl(page: string | URL, what: string): URL {
  let url: URL;
  try {
    url = new URL(String(page));
  } catch {
    throw new TypeError(`${what}: expected an http(s) address, got text that is not one`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`${what}: expected an http(s) address, got a ${url.protocol} one`);
  return url;
}

function randomBytes(count: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(count));
}
