import { DisplayName, describeIssues, type ErrorCode, PeerRole, RoomName } from '@icebreaker/protocol';
import { errors, jwtVerify, SignJWT } from 'jose';
import * as v from 'valibot';

/** What a valid room token grants: a place in one room, with the name and role it fixes. */
export interface RoomGrant {
  readonly room: string;
  readonly name?: string;
  readonly role?: string;
  /**
   * Whether the token carries the claim `relay: true`: with `--relay token`, only such peers may relay
   * through the server (the relay costs the server bandwidth, so an application may reserve it).
   */
  readonly relay?: boolean;
  /** When the token that granted it expires (ms since the epoch); the place's resume tokens expire with it. */
  readonly expiresAt?: number;
}

/** The claims an Icebreaker room token carries besides the standard `exp` (and `iat`). */
const Claims = v.object({
  room: RoomName,
  name: v.exactOptional(DisplayName),
  role: v.exactOptional(PeerRole),
  relay: v.exactOptional(v.boolean()),
  exp: v.number(),
});

/** Why a join's token was refused. Each is its own wire code, so a client can tell the user what to fix. */
export type TokenRefusal = Extract<ErrorCode, 'auth-required' | 'auth-invalid' | 'auth-expired' | 'auth-wrong-room'>;

/** A refused token: its code, and what to fix when the code's own text would point the wrong way. */
export interface Refusal {
  readonly code: TokenRefusal;
  readonly message?: string;
}

/** HS256 needs a key at least as long as its hash (RFC 7518 §3.2): 256 bits, 32 characters here. */
export const MIN_AUTH_SECRET_LENGTH = 32;

/**
 * Checks the JWTs (HS256) that admit a peer to a room when the server runs with an auth secret.
 * The room is part of the signed claims, so a token opens one room only; a refusal never says
 * whether the room it asked for exists.
 */
export class RoomTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** The grant of a token for `room`, or the reason it is refused. Never throws. */
  async verify(token: string | undefined, room: string): Promise<RoomGrant | Refusal> {
    if (token === undefined) return { code: 'auth-required' };
    let payload: unknown;
    try {
      // Pinning the algorithm keeps "alg: none" and key-confusion tokens out (RFC 8725 §3.1).
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['exp'] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { code: 'auth-expired' };
      // A signed token whose standard claims are off (a string exp, a future nbf): say so, or its
      // author goes looking at the secret.
      if (error instanceof errors.JWTClaimValidationFailed)
        return { code: 'auth-invalid', message: `the room token's signature verifies, but its claims do not: ${error.message}` };
      return { code: 'auth-invalid' };
    }
    const claims = v.safeParse(Claims, payload);
    if (!claims.success)
      return {
        code: 'auth-invalid',
        message: `the room token's signature verifies, but its claims do not: ${claims.issues.map((i) => `${v.getDotPath(i) ?? 'claims'}: ${i.message}`).join('; ')}`,
      };
    if (claims.output.room !== room) return { code: 'auth-wrong-room' };
    const { name, role, relay, exp } = claims.output;
    return { ...grant(room, name, role, relay), expiresAt: exp * 1000 };
  }
}

/** What `mintRoomToken` puts in a token. */
export interface MintOptions extends RoomGrant {
  /** How long the token is valid, from now. */
  readonly ttlMs: number;
}

/**
 * Signs a room token with the server's auth secret: what an application backend does after it has
 * authenticated its user (and what `icebreaker token` does for development).
 *
 * @example
 * ```ts
 * const token = await mintRoomToken(process.env.ICEBREAKER_AUTH_SECRET, { room: 'demo', name: 'Ada', ttlMs: 3_600_000 });
 * // With `--relay token`, only tokens that carry the claim may relay through the server:
 * const relaying = await mintRoomToken(secret, { room: 'demo', relay: true, ttlMs: 3_600_000 });
 * ```
 */
export async function mintRoomToken(secret: string, options: MintOptions, now = Date.now()): Promise<string> {
  if (typeof secret !== 'string' || secret.length < MIN_AUTH_SECRET_LENGTH)
    throw new TypeError(`secret: at least ${MIN_AUTH_SECRET_LENGTH} characters are needed for HS256`);
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { room, ttlMs, name?, role?, relay? }');
  const unknown = Object.keys(options).find((key) => !MINT_OPTIONS.includes(key));
  if (unknown !== undefined)
    throw new TypeError(`options.${unknown.slice(0, 40)}: not an option; the options are ${MINT_OPTIONS.join(', ')}`);
  // At most a year: a room token is a pass; one that never ends cannot be taken back.
  if (!Number.isSafeInteger(options.ttlMs) || options.ttlMs < 1000 || options.ttlMs > 366 * 86_400_000)
    throw new TypeError(`options.ttlMs: expected a whole number of milliseconds from 1000 to ${366 * 86_400_000}, got ${options.ttlMs}`);
  if (!Number.isFinite(now)) throw new TypeError('now: expected milliseconds since the epoch');
  if (options.relay !== undefined && typeof options.relay !== 'boolean')
    throw new TypeError(`options.relay: expected true or false, got ${typeof options.relay}`);
  const claims = grant(options.room, options.name, options.role, options.relay);
  const checked = v.safeParse(Claims, { ...claims, exp: 0 });
  if (!checked.success) throw new TypeError(`room token: ${describeIssues(checked.issues)}`);
  const seconds = Math.floor(now / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + Math.max(1, Math.round(options.ttlMs / 1000)))
    .sign(new TextEncoder().encode(secret));
}

const MINT_OPTIONS: readonly string[] = ['room', 'ttlMs', 'name', 'role', 'relay'];

// `relay: false` is left out: a token without the claim says the same, in fewer bytes.
function grant(room: string, name: string | undefined, role: string | undefined, relay?: boolean): RoomGrant {
  return { room, ...(name === undefined ? {} : { name }), ...(role === undefined ? {} : { role }), ...(relay === true ? { relay } : {}) };
}
