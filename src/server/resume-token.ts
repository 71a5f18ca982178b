import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a resume token proves: which peer of which room it was issued to, and until when. */
export interface ResumeClaim {
  readonly room: string;
  readonly peerId: string;
  /** The name and role the peer held, so that a peer coming back after a restart keeps them. */
  readonly name?: string;
  readonly role?: string;
  readonly expiresAt: number;
}

/**
 * Signs and checks resume tokens (HMAC-SHA256). They are self-contained, so a server restarted with
 * the same secret still honours the tokens it issued before; with a random secret they die with the
 * process. Tokens are secrets of their holder: peer ids are public, tokens never are.
 */
export class ResumeTokens {
  private readonly key: Buffer;

  constructor(
    secret: string | null,
    private readonly ttlMs: number,
  ) {
    this.key = secret === null ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  issue(room: string, peerId: string, identity: { readonly name?: string; readonly role?: string } = {}, now = Date.now()): string {
    const { name: n, role: o } = identity;
    const payload = Buffer.from(JSON.stringify({ r: room, p: peerId, n, o, e: now + this.ttlMs })).toString('base64url');
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
      const claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof claim.r !== 'string' || typeof claim.p !== 'string' || typeof claim.e !== 'number' || claim.e < now) return null;
      return {
        room: claim.r,
        peerId: claim.p,
        ...(typeof claim.n === 'string' ? { name: claim.n } : {}),
        ...(typeof claim.o === 'string' ? { role: claim.o } : {}),
        expiresAt: claim.e,
      };
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
