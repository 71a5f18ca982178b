import { createHmac } from 'node:crypto';
import type { IceServer } from '@icebreaker/protocol';

/**
 * Mints TURN credentials in the "TURN REST API" scheme (draft-uberti-behave-turn-rest-00 §2.2) that
 * coturn verifies with `use-auth-secret`: the username is `<expiry unix seconds>:<peer id>` and the
 * password is base64(HMAC-SHA1(secret, username)). The server checks them with the same secret, so
 * the secret stays here and every peer gets its own credential that stops working at `expiry`.
 * (coturn checks the expiry when an allocation is made; an allocation already made lives on.)
 *
 * @example
 * ```ts
 * turnCredentials(['turn:turn.example.org:3478'], secret, 3_600_000, peerId);
 * // → { urls: [...], username: '1767225600:Xy…', credential: 'base64…' }
 * ```
 */
export function turnCredentials(urls: readonly string[], secret: string, ttlMs: number, peerId: string, now = Date.now()): IceServer {
  if (!Array.isArray(urls) || urls.length === 0 || !urls.every((url) => typeof url === 'string' && /^turns?:\S+$/.test(url)))
    throw new TypeError('urls: expected a non-empty list of turn: or turns: URLs');
  if (typeof secret !== 'string' || secret === '') throw new TypeError("secret: expected the TURN server's static-auth-secret");
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000)
    throw new TypeError(`ttlMs: expected a whole number of milliseconds of at least 1000, got ${ttlMs}`);
  if (typeof peerId !== 'string' || peerId === '' || peerId.includes(':')) throw new TypeError('peerId: expected a peer id (no colon)');
  if (!Number.isFinite(now)) throw new TypeError('now: expected milliseconds since the epoch');
  const username = `${Math.floor((now + ttlMs) / 1000)}:${peerId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { urls: [...urls], username, credential };
}
