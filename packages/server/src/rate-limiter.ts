/** Bytes a new connection of a spent address may still send at once: a join with its room token. */
const JOIN_ALLOWANCE_BYTES = 8 * 1024;

/** What a connection's next message may do: pass, be dropped with `rate-limited`, or end the connection. */
export type RateVerdict = 'pass' | 'limited' | 'abusive';

/**
 * Token buckets on a connection's messages and bytes. Each holds `burstSeconds` of its rate, so an
 * ICE trickle passes in one go; past that, messages are dropped. A dropped message still costs its
 * tokens, as debt: a client that slows down when told recovers, one that keeps flooding runs its
 * debt past a second burst and is called abusive. (Plain number fields: one of these lives per
 * connection, and ten thousand connections are the point.)
 */
export class RateLimiter {
  private messages: number;
  private bytes: number;
  private last: number;

  constructor(
    private readonly limits: RateLimits,
    now: number,
  ) {
    this.messages = limits.messageBurst;
    this.bytes = limits.byteBurst;
    this.last = now;
  }

  /** How full the emptier bucket is at `now`, from 1 (full) down (below 0: in debt). */
  fullness(now: number): number {
    const { messagesPerMs, messageBurst, bytesPerMs, byteBurst } = this.limits;
    const elapsed = now - this.last;
    const messages = messageBurst > 0 ? Math.min(messageBurst, this.messages + elapsed * messagesPerMs) / messageBurst : 1;
    const bytes = byteBurst > 0 ? Math.min(byteBurst, this.bytes + elapsed * bytesPerMs) / byteBurst : 1;
    return Math.min(messages, bytes);
  }

  /**
   * A limiter in the same state, for a new connection of an address that has just spent its budget:
   * not a fresh burst, yet not the old debt either, which would keep a reloaded page of an honest
   * user behind the same address from even joining. It may send a join; the rest waits for the refill.
   */
  copy(): RateLimiter {
    const twin = new RateLimiter(this.limits, this.last);
    twin.messages = Math.min(this.limits.messageBurst, Math.max(this.messages, 1));
    twin.bytes = Math.min(this.limits.byteBurst, Math.max(this.bytes, JOIN_ALLOWANCE_BYTES));
    return twin;
  }

  /** Charges one message of `size` bytes at time `now` (ms) and says what may happen to it. */
  take(size: number, now: number): RateVerdict {
    const { messagesPerMs, messageBurst, bytesPerMs, byteBurst } = this.limits;
    const elapsed = now - this.last;
    this.last = now;
    let verdict: RateVerdict = 'pass';
    if (messageBurst > 0) {
      this.messages = Math.min(messageBurst, this.messages + elapsed * messagesPerMs) - 1;
      verdict = judge(this.messages, messageBurst, verdict);
    }
    if (byteBurst > 0) {
      this.bytes = Math.min(byteBurst, this.bytes + elapsed * bytesPerMs) - size;
      verdict = judge(this.bytes, byteBurst, verdict);
    }
    return verdict;
  }
}

/** The rates and bursts every connection's limiter shares (a rate of 0 turns its bucket off). */
export class RateLimits {
  readonly messagesPerMs: number;
  readonly messageBurst: number;
  readonly bytesPerMs: number;
  readonly byteBurst: number;

  constructor(messagesPerSecond: number, bytesPerSecond: number, burstSeconds: number) {
    this.messagesPerMs = messagesPerSecond / 1000;
    this.messageBurst = messagesPerSecond * burstSeconds;
    this.bytesPerMs = bytesPerSecond / 1000;
    this.byteBurst = bytesPerSecond * burstSeconds;
  }
}

function judge(tokens: number, burst: number, verdict: RateVerdict): RateVerdict {
  if (tokens < -burst) return 'abusive';
  return tokens < 0 && verdict === 'pass' ? 'limited' : verdict;
}
