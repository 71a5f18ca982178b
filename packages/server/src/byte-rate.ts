/**
 * A token bucket of bytes per second that never refuses: bytes already relayed are charged even past
 * the bucket's bottom, as debt, and the caller learns how long the debt takes to pay back. The relay
 * slows a sender for that long instead of dropping what it sent (a dropped byte would break the
 * peers' end-to-end stream).
 */
export class ByteRate {
  private tokens: number;
  private last: number;
  private readonly perMs: number;
  private readonly burst: number;

  constructor(bytesPerSecond: number, burst: number, now: number) {
    this.perMs = bytesPerSecond / 1000;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** Charges `bytes` at `now` (ms) → how many ms until the bucket is out of debt (0: it is not in debt). */
  charge(bytes: number, now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs) - bytes;
    this.last = now;
    return this.tokens >= 0 ? 0 : -this.tokens / this.perMs;
  }

  /** Whether the bucket has refilled by `now`: an idle bucket, which can be forgotten. */
  full(now: number): boolean {
    return this.tokens + (now - this.last) * this.perMs >= this.burst;
  }
}

/**
 * A bucket holds this many seconds of its rate: short enough that a transfer's pace is the rate
 * within a few percent after the first second, long enough that a rate check per frame is rare.
 */
export const RELAY_BURST_SECONDS = 0.25;

/** A bucket for `bytesPerSecond` (null: `0`, no limit) whose burst holds at least `minBurst` bytes. */
export function byteRate(bytesPerSecond: number, minBurst: number, now: number): ByteRate | null {
  return bytesPerSecond === 0 ? null : new ByteRate(bytesPerSecond, Math.max(minBurst, bytesPerSecond * RELAY_BURST_SECONDS), now);
}
