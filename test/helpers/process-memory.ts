import { readFileSync } from 'node:fs';

/** A process's memory, in bytes: resident now, proportional share of it (PSS), and the kernel's resident high-water mark. */
export interface ProcessMemory {
  readonly rss: number;
  readonly pss: number;
  readonly hwm: number;
}

const KIB_FIELD = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

/**
 * Reads `pid`'s memory from /proc (null once it has gone). PSS comes from smaps_rollup: shared pages
 * (Chromium's shared memory between its processes, libraries) count once across processes, so the
 * PSS of several processes adds up, which their RSS does not.
 */
export function readMemory(pid: number): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return { rss: KIB_FIELD(status, 'VmRSS'), hwm: KIB_FIELD(status, 'VmHWM'), pss: KIB_FIELD(rollup, 'Pss') };
  } catch {
    return null;
  }
}

/** The peaks seen of a process while sampled: its RSS and PSS at the worst sample, and its last high-water mark. */
export interface MemoryPeak extends ProcessMemory {
  readonly samples: number;
}

/**
 * Samples named processes every `intervalMs` (250 ms by default) until stopped. The high-water mark
 * is the kernel's own peak since the process started, read at each sample: it catches a spike
 * between two samples, and for a process that exits, the last one read stands (at most one interval
 * before its exit).
 */
export class MemorySampler {
  private readonly peaks = new Map<string, { rss: number; pss: number; hwm: number; samples: number }>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly pids: Readonly<Record<string, number>>,
    intervalMs = 250,
  ) {
    for (const name of Object.keys(pids)) this.peaks.set(name, { rss: 0, pss: 0, hwm: 0, samples: 0 });
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const now = readMemory(pid);
      const peak = this.peaks.get(name);
      if (!now || !peak) continue;
      peak.rss = Math.max(peak.rss, now.rss);
      peak.pss = Math.max(peak.pss, now.pss);
      peak.hwm = Math.max(peak.hwm, now.hwm);
      peak.samples++;
    }
  }

  /** Takes a last sample, stops, and returns each process's peaks. */
  stop(): Record<string, MemoryPeak> {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries([...this.peaks].map(([name, peak]) => [name, { ...peak }]));
  }
}
