/**
 * The memory bounds of a transfer of any size (README, "Memory: bounded, whatever the size"), as
 * absolute peaks of resident memory (VmHWM): what a user sees in a task manager, page and runtime
 * included. Measured by `npm run bench` (bench/big.ts) at 256 MiB and 4 GiB, and asserted at 512 MiB
 * by the tests; each is the measured peak plus a margin for this shared 2-core machine's noise.
 * The library itself holds at most its window (8 MiB of chunks in flight, 1 MiB each) and three
 * chunks read ahead on the sending side; the rest is the runtime (V8 heap, Blink, libdatachannel).
 */
export const MEMORY_BOUNDS = {
  /** The receiving Chromium tab's renderer process, writing into `opfsStore()`. */
  receivingRenderer: 320 * 1024 * 1024,
  /** `icebreaker peer --receive`, writing into its folder. */
  cliReceiver: 200 * 1024 * 1024,
} as const;
