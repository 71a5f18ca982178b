/** Progress of several files sent together, as `sendFiles` reports it and the receiver adds it up. */
export interface CombinedProgress {
  readonly bytes: number;
  readonly total: number;
  /** Bytes per second lately. */
  readonly rate: number;
  /** Seconds left at that rate; null (or absent) while there is no rate to go by. */
  readonly etaSeconds?: number | null;
  readonly files: number;
  readonly filesDone: number;
}

/** Where progress goes: stderr, drawn in place on a terminal, else a line per quarter; or JSON lines. */
export interface ProgressOutput {
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
  /** One JSON object per line (`{"event":"progress",…}`) instead of text, for scripts. */
  readonly json?: boolean;
}

const mib = (n: number): string => (n / 1048576).toFixed(1);

/** `1:05:09`, `4:07`, `0:03`: time left as a clock shows it. */
export function etaText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const clock = `${Math.floor((s % 3600) / 60)}:${String(s % 60).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${clock.padStart(5, '0')}` : clock;
}

/** The one line of combined progress: `sending  42% 84.0/200.0 MiB 25.1 MiB/s 0:05 left, 1/3 files`. */
export function combinedProgressText(label: string, p: CombinedProgress): string {
  const percent = p.total === 0 ? 100 : Math.floor((p.bytes / p.total) * 100);
  return `${label} ${String(percent).padStart(3)}% ${mib(p.bytes)}/${mib(p.total)} MiB ${mib(p.rate)} MiB/s ${etaText(p.filesDone === p.files ? 0 : p.etaSeconds)} left, ${p.filesDone}/${p.files} files`;
}

/**
 * A reporter of combined progress on `out.err`. On a terminal the line is redrawn in place, at most
 * ten times a second; otherwise (a log, a pipe) a line is written at each quarter and at the end, so a
 * log of a large folder is not a line per chunk. With `json`, each report is a JSON line (at most four
 * a second, and the last always).
 */
export function combinedProgress(out: ProgressOutput, label: string): (p: CombinedProgress) => void {
  let lastQuarter = -1;
  let lastAt = 0;
  return (p) => {
    const finished = p.filesDone === p.files;
    const now = performance.now();
    if (out.json) {
      if (!finished && now - lastAt < 250) return;
      lastAt = now;
      out.err.write(`${JSON.stringify({ event: 'progress', label, ...p, etaSeconds: p.etaSeconds ?? null })}\n`);
      return;
    }
    if (out.err.isTTY) {
      if (!finished && now - lastAt < 100) return;
      lastAt = now;
      out.err.write(`\r${combinedProgressText(label, p)}\u001b[K${finished ? '\n' : ''}`);
      return;
    }
    const quarter = finished ? 4 : Math.min(3, Math.floor((p.total === 0 ? 0 : p.bytes / p.total) * 4));
    if (quarter === lastQuarter) return;
    lastQuarter = quarter;
    out.err.write(`${combinedProgressText(label, p)}\n`);
  };
}
