import { RateLimiter, type RateLimits } from './rate-limiter.js';

/** TCP connections one address may hold beyond its WebSocket connections: page loads, probes. */
const HTTP_SOCKETS_PER_ADDRESS = 16;

/**
 * What the server keeps per remote address: its open connections, the places its dropped peers keep
 * for a resume, and the rate limit state its connections leave behind.
 *
 * Why parked places count: a client that connects, joins, sends and closes in a loop would otherwise
 * leave a parked place (and the signals queued or held for it) behind at every turn, each outside every
 * limit, and grow the server's memory with its bandwidth (issue "field defects" B4). They have their own
 * allowance, the same size as the connections', so that peers coming back after a network hiccup are
 * never refused a connection because their own places are waiting for them. Why limiter state is
 * carried: a new connection must not start with a full bucket its address has just spent.
 */
export class AddressBook {
  private readonly connections = new Map<string, number>();
  private readonly parked = new Map<string, number>();
  /** TCP sockets, WebSockets or not (page loads, probes, requests being read). */
  private readonly sockets = new Map<string, number>();
  /** The emptiest limiter each address closed recently, while it has not refilled; oldest first. */
  private readonly spent = new Map<string, RateLimiter>();

  constructor(
    /** Connections, and parked places, per address; 0: no limit. */
    private readonly perAddress: number,
    /** Addresses whose spent limiters are kept at most (the oldest go first). */
    private readonly maxSpent: number,
  ) {}

  /** Whether `address` has all the connections it may have. */
  full(address: string): boolean {
    return this.perAddress > 0 && (this.connections.get(address) ?? 0) >= this.perAddress;
  }

  connected(address: string): void {
    add(this.connections, address, 1);
  }

  disconnected(address: string): void {
    add(this.connections, address, -1);
  }

  /**
   * Counts a TCP socket of `address`; false when the address already holds its connections and
   * `HTTP_SOCKETS_PER_ADDRESS` more (the socket is then not counted, and is to be closed at once).
   */
  socketOpened(address: string): boolean {
    if (this.perAddress > 0 && (this.sockets.get(address) ?? 0) >= this.perAddress + HTTP_SOCKETS_PER_ADDRESS) return false;
    add(this.sockets, address, 1);
    return true;
  }

  socketClosed(address: string): void {
    add(this.sockets, address, -1);
  }

  /** Parks a place for `address` if its allowance lets it; false when the place must go at once. */
  park(address: string): boolean {
    if (this.perAddress > 0 && (this.parked.get(address) ?? 0) >= this.perAddress) return false;
    add(this.parked, address, 1);
    return true;
  }

  /** A place `address` parked was taken back or ended. */
  unpark(address: string): void {
    add(this.parked, address, -1);
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

/** Adds `delta` to a count, forgetting counts that reach zero (an address seen once costs nothing after). */
function add(counts: Map<string, number>, address: string, delta: number): void {
  const count = (counts.get(address) ?? 0) + delta;
  if (count > 0) counts.set(address, count);
  else counts.delete(address);
}
