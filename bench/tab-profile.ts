/**
 * `BENCH_CPU_PROF=dir`: a V8 CPU profile of a Chromium tab during one transfer (the Chrome DevTools
 * protocol's Profiler, the same one `--cpu-prof` writes), saved as `.cpuprofile` (open it in DevTools'
 * Performance panel), with a one-line summary: where the tab's main thread spent the transfer.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';

/** The part of a `.cpuprofile` the summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** A profiler attached to one tab. */
export class TabProfiler {
  private constructor(private readonly session: CDPSession) {}

  static async attach(page: Page): Promise<TabProfiler> {
    const session = await page.context().newCDPSession(page);
    await session.send('Profiler.enable');
    // 100 µs: fine enough to see a 64 KiB copy, coarse enough not to weigh on the transfer.
    await session.send('Profiler.setSamplingInterval', { interval: 100 });
    return new TabProfiler(session);
  }

  start(): Promise<unknown> {
    return this.session.send('Profiler.start');
  }

  /** Stops, writes `dir/name.cpuprofile`, and returns the summary. */
  async stop(dir: string, name: string): Promise<string> {
    const { profile } = (await this.session.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    return summarize(profile);
  }
}

/**
 * Busy time (everything but `(idle)`), garbage collection and the five functions with the most self
 * time, in ms. `(program)` is the browser's own work on this thread outside JavaScript (for a data
 * channel: delivering messages and events to the page).
 */
export function summarize(profile: CpuProfile): string {
  const byNode = new Map<number, number>();
  for (const [i, node] of profile.samples.entries()) byNode.set(node, (byNode.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = url ? `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}` : functionName;
    self.set(name, (self.get(name) ?? 0) + us);
  }
  const ms = (us: number) => (us / 1000).toFixed(0);
  const total = [...self.values()].reduce((sum, us) => sum + us, 0);
  const idle = self.get('(idle)') ?? 0;
  const top = [...self.entries()]
    .filter(([name]) => name !== '(idle)')
    .sort((x, y) => y[1] - x[1])
    .slice(0, 5)
    .map(([name, us]) => `${name} ${ms(us)}`);
  return `busy ${ms(total - idle)} of ${ms(total)} ms (gc ${ms(self.get('(garbage collector)') ?? 0)}); top: ${top.join('; ')}`;
}
