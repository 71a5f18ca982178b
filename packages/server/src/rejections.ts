import type { Logger } from 'pino';
import type { RejectionReason, ServerMetrics } from './metrics.js';
import type { Session } from './session.js';

/** Counts and logs every connection the server turns away or cuts off, with its reason. */
export class Rejections {
  constructor(
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
  ) {}

  /** `session` is null for an upgrade refused before any connection existed. */
  record(session: Session | null, reason: RejectionReason, why: string, address = session?.address): void {
    this.metrics.rejected(reason);
    // Refusals an attacker can cause by the thousand (upgrades, idle sockets) are counted, and logged
    // only at debug: a flood must not become a flood of log lines.
    const level = session === null || reason === 'join-deadline' ? 'debug' : 'warn';
    this.log[level]({ event: 'rejected', reason, address, peer: session?.peerId }, why);
  }
}
