import type { Connection } from './connection.js';
import type { Rejections } from './rejections.js';

/**
 * Closes connections that have not joined a room within `deadlineMs` of opening (1008): a socket
 * that never joins holds memory and a file descriptor for nothing.
 *
 * One sweep over the connections not yet in a room (in the order they opened) enforces the deadline:
 * no timer per connection, which at ten thousand connections is memory that counts.
 */
export class JoinDeadline {
  /** Connections not yet in a room, with when they opened, oldest first. */
  private readonly unjoined = new Map<Connection, number>();
  private readonly sweep: ReturnType<typeof setInterval>;

  constructor(
    private readonly deadlineMs: number,
    private readonly rejections: Rejections,
  ) {
    this.sweep = setInterval(() => this.closeLate(), Math.max(20, Math.min(1000, deadlineMs / 4)));
    this.sweep.unref();
  }

  /** A connection opened now: its deadline starts. */
  opened(connection: Connection): void {
    this.unjoined.set(connection, performance.now());
  }

  /** A connection joined or closed: the deadline no longer concerns it. */
  settled(connection: Connection): void {
    this.unjoined.delete(connection);
  }

  stop(): void {
    clearInterval(this.sweep);
  }

  private closeLate(): void {
    const cutoff = performance.now() - this.deadlineMs;
    for (const [connection, openedAt] of this.unjoined) {
      if (openedAt > cutoff) break;
      this.unjoined.delete(connection);
      if (connection.peerId !== undefined) continue;
      this.rejections.record(connection, 'join-deadline', 'closed a connection that did not join in time');
      connection.socket.close(1008, 'no join in time');
    }
  }
}
