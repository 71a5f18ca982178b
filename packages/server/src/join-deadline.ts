import type { Rejections } from './rejections.js';
import type { Session } from './session.js';

/**
 * Closes connections that have not joined a room within `deadlineMs` of opening (1008): a socket
 * that never joins holds memory and a file descriptor for nothing.
 *
 * One sweep over the connections not yet in a room (in the order they opened) enforces the deadline:
 * no timer per connection, which at ten thousand connections is memory that counts.
 */
export class JoinDeadline {
  /** Connections not yet in a room, with when they opened, oldest first. */
  private readonly unjoined = new Map<Session, number>();
  private readonly sweep: ReturnType<typeof setInterval>;

  constructor(
    private readonly deadlineMs: number,
    private readonly rejections: Rejections,
  ) {
    this.sweep = setInterval(() => this.closeLate(), Math.max(20, Math.min(1000, deadlineMs / 4)));
    this.sweep.unref();
  }

  /** A connection opened now: its deadline starts. */
  opened(session: Session): void {
    this.unjoined.set(session, performance.now());
  }

  /** A connection joined or closed: the deadline no longer concerns it. */
  settled(session: Session): void {
    this.unjoined.delete(session);
  }

  stop(): void {
    clearInterval(this.sweep);
  }

  private closeLate(): void {
    const cutoff = performance.now() - this.deadlineMs;
    for (const [session, openedAt] of this.unjoined) {
      if (openedAt > cutoff) break;
      this.unjoined.delete(session);
      if (session.peerId !== undefined) continue;
      this.rejections.record(session, 'join-deadline', 'closed a connection that did not join in time');
      session.socket.close(1008, 'no join in time');
    }
  }
}
