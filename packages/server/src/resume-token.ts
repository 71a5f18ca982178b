import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a resume token proves: which place of which room it was issued for, and until when. */
export interface ResumeClaim {
  readonly room: string;
  readonly peerId: string;
  /** The name and role the peer held, so that a peer coming back after a restart keeps them. */
  readonly name?: string;
  readonly role?: string;
  /** Whether the room token that admitted the peer carried `relay: true` (see RoomGrant.relay). */
  readonly relay?: boolean;
  /** The place's nonce when the token was issued: only the place's current nonce resumes it. */
  readonly nonce: string;
  readonly expiresAt: number;
}

/**
 * Signs and checks resume tokens (HMAC-SHA256). A valid signature only says the token is the server's
 * own: whether it still resumes anything is the hub's decision (the place must exist and carry the
 * token's nonce). Tokens are secrets of their holder: peer ids are public, tokens never are.
 */
export class ResumeTokens {
  private readonly key: Buffer;

  constructor(secret: string | null) {
    this.key = secret === null ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  issue(claim: ResumeClaim): string {
    const { room: r, peerId: p, name: n, role: o, relay, nonce: g, expiresAt: e } = claim;
    const payload = Buffer.from(JSON.stringify({ r, p, n, o, g, e, ...(relay === true ? { y: 1 } : {}) })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The claim of a valid, unexpired token, or null. Never throws on malformed input. */
  verify(token: string, now = Date.now()): ResumeClaim | null {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof c.r !== 'string' || typeof c.p !== 'string' || typeof c.g !== 'string') return null;
      if (typeof c.e !== 'number' || c.e < now) return null;
      return {
        room: c.r,
        peerId: c.p,
        ...(typeof c.n === 'string' ? { name: c.n } : {}),
        ...(typeof c.o === 'string' ? { role: c.o } : {}),
        ...(c.y === 1 ? { relay: true } : {}),
        nonce: c.g,
        expiresAt: c.e,
      };
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
