/** What a connection's next message may do: pass, be dropped with `rate-limited`, or end the connection. */
export type RateVerdict = 'pass' | 'limited' | 'abusive';

interface Bucket {
  /** Whether a message costs one token, or one per byte. */
  readonly perByte: boolean;
  /** Tokens per millisecond. */
  readonly rate: number;
  readonly capacity: number;
  tokens: number;
}

/**
 * Token buckets on a connection's messages and bytes. Each holds `burstSeconds` of its rate, so an
 * ICE trickle passes in one go; past that, messages are dropped. A dropped message still costs its
 * tokens, as debt: a client that slows down when told recovers, one that keeps flooding runs its
 * debt past a second burst and is called abusive.
 */
export class RateLimiter {
  private readonly buckets: Bucket[] = [];
  private last: number;

  constructor(messagesPerSecond: number, bytesPerSecond: number, burstSeconds: number, now: number) {
    const add = (perByte: boolean, perSecond: number) => {
      const capacity = perSecond * burstSeconds;
      if (perSecond > 0) this.buckets.push({ perByte, rate: perSecond / 1000, capacity, tokens: capacity });
    };
    add(false, messagesPerSecond);
    add(true, bytesPerSecond);
    this.last = now;
  }

  /** Charges one message of `bytes` at time `now` (ms) and says what may happen to it. */
  take(bytes: number, now: number): RateVerdict {
    const elapsed = now - this.last;
    this.last = now;
    let verdict: RateVerdict = 'pass';
    for (const bucket of this.buckets) {
      bucket.tokens = Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.rate) - (bucket.perByte ? bytes : 1);
      if (bucket.tokens < -bucket.capacity) verdict = 'abusive';
      else if (bucket.tokens < 0 && verdict === 'pass') verdict = 'limited';
    }
    return verdict;
  }
}
