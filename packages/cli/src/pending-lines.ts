/** What {@link PendingLines} holds at most: a paste or a small file, not an endless stream. */
export const PENDING_LIMITS = { lines: 1000, bytes: 1024 * 1024 } as const;

/** The lines a full queue turned away, by their line numbers on stdin (1 is the first). */
export interface DroppedLines {
  readonly count: number;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
}

/**
 * Chat lines read while no peer's channel is open, kept in order until one opens. Bounded by
 * {@link PENDING_LIMITS}: a line that does not fit is dropped (the queue keeps the oldest, so what
 * arrives is a beginning without gaps) and counted, so the user can be told which lines were lost.
 */
export class PendingLines {
  private lines: string[] = [];
  private bytes = 0;
  private read = 0;
  private dropped: { count: number; bytes: number; first: number; last: number } | null = null;

  get size(): number {
    return this.lines.length;
  }

  /** Queues the next line of stdin; false if the queue is full and the line was dropped. */
  push(line: string): boolean {
    this.read++;
    const bytes = Buffer.byteLength(line) + 1;
    if (this.lines.length < PENDING_LIMITS.lines && this.bytes + bytes <= PENDING_LIMITS.bytes) {
      this.lines.push(line);
      this.bytes += bytes;
      return true;
    }
    if (this.dropped) {
      this.dropped.count++;
      this.dropped.bytes += bytes;
      this.dropped.last = this.read;
    } else this.dropped = { count: 1, bytes, first: this.read, last: this.read };
    return false;
  }

  /** Counts a line that went out at once, so that line numbers stay those of stdin. */
  skip(): void {
    this.read++;
  }

  /** Empties the queue: the lines to send, oldest first, and what was dropped since the last take. */
  take(): { lines: string[]; dropped: DroppedLines | null } {
    const taken = { lines: this.lines, dropped: this.dropped };
    this.lines = [];
    this.bytes = 0;
    this.dropped = null;
    return taken;
  }
}
