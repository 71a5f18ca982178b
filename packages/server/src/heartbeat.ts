import type { Connection } from './connection.js';

/**
 * Pings every connection each interval and drops whoever did not answer the previous ping (detected
 * within two intervals): a peer whose network vanished never sends a close frame. The peers of a
 * dropped connection are told `timeout`.
 */
export class Heartbeat {
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(connections: () => Iterable<Connection>, intervalMs: number) {
    this.timer = setInterval(() => {
      for (const connection of connections()) {
        // A sender the relay has paused is not read, its pongs neither: it is not the one that stopped.
        if (connection.relay?.paused) continue;
        if (!connection.answeredPing) {
          connection.closeReason = 'timeout';
          connection.socket.terminate();
          continue;
        }
        connection.answeredPing = false;
        connection.socket.ping();
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
