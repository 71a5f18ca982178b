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
