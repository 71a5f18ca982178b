/** Sizes, rates and durations as the page shows them. */

const KiB = 1024;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Bytes in the largest unit that keeps the number readable: `512 B`, `64 KiB`, `12.5 MiB`, `1.20 GiB`. */
export function bytes(count: number): string {
  if (count >= GiB) return `${(count / GiB).toFixed(2)} GiB`;
  if (count >= MiB) return `${(count / MiB).toFixed(1)} MiB`;
  if (count >= KiB) return `${Math.round(count / KiB)} KiB`;
  return `${Math.round(count)} B`;
}

/** A rate in MiB/s (the unit the benchmark uses too). */
export function rate(bytesPerSecond: number): string {
  return `${(bytesPerSecond / MiB).toFixed(1)} MiB/s`;
}

/** Seconds left, as `42 s`, `3 min 5 s` or `1 h 2 min`; a dash while unknown. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Whole percent of `part` in `whole` (100 for an empty whole). */
export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.floor((part / whole) * 100)) : 100;
}

/** A count and its noun, singular for one: `1 file`, `3 files`, `0 files`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
