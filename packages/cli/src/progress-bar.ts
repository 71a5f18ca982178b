import type { TransferProgress } from '@icebreaker/client';

/** Draws progress on a terminal in place, or as a line per quarter when stderr is not a terminal. */
export function progressBar(err: NodeJS.WritableStream & { isTTY?: boolean }, label: string): (p: TransferProgress) => void {
  let lastQuarter = -1;
  return ({ bytes, total, rate }) => {
    const fraction = total === 0 ? 1 : bytes / total;
    const mib = (n: number) => (n / 1048576).toFixed(1);
    const text = `${label} ${(fraction * 100).toFixed(0).padStart(3)}% ${mib(bytes)}/${mib(total)} MiB ${mib(rate)} MiB/s`;
    if (err.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      err.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter !== lastQuarter) {
      lastQuarter = quarter;
      err.write(`${text}\n`);
    }
  };
}
