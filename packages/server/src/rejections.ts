import type { Logger } from 'pino';
import type { Connection } from './connection.js';
import type { RejectionReason, ServerMetrics } from './metrics.js';

/** Counts and logs every connection the server turns away or cuts off, with its reason. */
export class Rejections {
  constructor(
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
  ) {}

  /** `connection` is null for an upgrade refused before any connection existed. */
  record(connection: Connection | null, reason: RejectionReason, why: string, address = connection?.address): void {
    this.metrics.rejected(reason);
    // Refusals an attacker can cause by the thousand (upgrades, idle sockets) are counted, and logged
    // only at debug: a flood must not become a flood of log lines.
    const level = connection === null || reason === 'join-deadline' ? 'debug' : 'warn';
    this.log[level]({ event: 'rejected', reason, address, peer: connection?.peerId }, why);
  }
}
