import type { Session } from './session.js';

/**
 * Pings every connection each interval and drops whoever did not answer the previous ping (detected
 * within two intervals): a peer whose network vanished never sends a close frame. The peers of a
 * dropped connection are told `timeout`.
 */
export class Heartbeat {
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(sessions: () => Iterable<Session>, intervalMs: number) {
    this.timer = setInterval(() => {
      for (const session of sessions()) {
        if (!session.answeredPing) {
          session.closeReason = 'timeout';
          session.socket.terminate();
          continue;
        }
        session.answeredPing = false;
        session.socket.ping();
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
