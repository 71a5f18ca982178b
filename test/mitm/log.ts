/**
 * One JSON line on stdout per thing the man in the middle did or saw: the test that started it reads
 * them (see `mitm.ts`), so what it proves ("it read the text") rests on what the process reports.
 * `ms`: milliseconds since the process started, to see where time went.
 */
export function log(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...entry, ms: Math.round(performance.now()) })}\n`);
}
