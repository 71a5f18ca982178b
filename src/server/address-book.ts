import { RateLimiter, type RateLimits } from './rate-limiter.js';

/**
 * What the server keeps per remote address: how many slots it holds (open connections, and places its
 * dropped peers keep for a resume), and the rate limit state its connections leave behind.
 *
 * Why places count: a client that connects, joins, sends and closes in a loop would otherwise leave a
 * parked place (and the signals held for it) behind at every turn, each outside every limit, and grow
 * the server's memory with its bandwidth (issue "field defects" B4). Why limiter state is carried: a
 * new connection must not start with a full bucket its address has just spent.
 */
export class AddressBook {
  private readonly slots = new Map<string, number>();
  /** The emptiest limiter each address closed recently, while it has not refilled; oldest first. */
  private readonly spent = new Map<string, RateLimiter>();

  constructor(
    /** Slots per address; 0: no limit. */
    private readonly perAddress: number,
    /** Addresses whose spent limiters are kept at most (the oldest go first). */
    private readonly maxSpent: number,
  ) {}

  /** Whether `address` has used all its slots. */
  full(address: string): boolean {
    return this.perAddress > 0 && (this.slots.get(address) ?? 0) >= this.perAddress;
  }

  /** Slots in use by every address together. */
  get used(): number {
    let total = 0;
    for (const count of this.slots.values()) total += count;
    return total;
  }

  take(address: string): void {
    this.slots.set(address, (this.slots.get(address) ?? 0) + 1);
  }

  give(address: string): void {
    const left = (this.slots.get(address) ?? 1) - 1;
    if (left > 0) this.slots.set(address, left);
    else this.slots.delete(address);
  }

  /** The limiter a new connection from `address` starts with: no fuller than the last one it spent. */
  limiter(address: string, limits: RateLimits, now: number): RateLimiter {
    const spent = this.spent.get(address);
    if (spent && spent.fullness(now) < 1) return spent.copy();
    this.spent.delete(address);
    return new RateLimiter(limits, now);
  }

  /** A connection of `address` closed: its limiter is remembered while it is emptier than what is kept. */
  closed(address: string, limiter: RateLimiter, now: number): void {
    const fullness = limiter.fullness(now);
    if (fullness >= 1) return;
    const kept = this.spent.get(address);
    if (kept && kept.fullness(now) <= fullness) return;
    this.spent.delete(address);
    this.spent.set(address, limiter);
    if (this.spent.size > this.maxSpent) {
      const oldest = this.spent.keys().next().value;
      if (oldest !== undefined) this.spent.delete(oldest);
    }
  }
}
