/**
 * The bytes of signals a server keeps waiting — held for a room's next peer, queued for a dropped one —
 * across all its rooms. Each hold and queue has its own bound; this one bounds their sum, so that many
 * rooms each within their bounds cannot add up to more memory than the operator allowed.
 */
export class ByteBudget {
  used = 0;

  constructor(readonly max: number) {}

  /** Reserves `bytes`; false (and nothing reserved) when that would pass the bound. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}
