import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cli, waitFor } from '../cli/peer-process.js';
import { sha256OfFile } from './files.js';
import { type MemoryPeak, MemorySampler } from './process-memory.js';
import { ServerProcess } from './server-process.js';

/** What one file sent from `icebreaker peer --send` to `icebreaker peer --receive` measured. */
export interface CliTransferResult {
  readonly bytes: number;
  /** From starting the sender to the receiver's `saved` (file whole, every chunk checked, renamed into place). */
  readonly seconds: number;
  /** SHA-256 of the file that landed in the receiving folder. */
  readonly sha256: string;
  /** Peaks of the two peers' processes and of `icebreaker serve`, sampled every 250 ms. */
  readonly peaks: Record<'receiver' | 'sender' | 'server', MemoryPeak>;
}

/**
 * Sends the file at `path` (`size` bytes) with `icebreaker peer --send` to `icebreaker peer --receive
 * dir/inbox`, through `icebreaker serve` (all three built processes, as a user runs them), sampling
 * their memory while the file moves; then hashes what landed. Everything started is stopped; `dir`
 * is the caller's to remove.
 */
export async function cliTransfer(path: string, size: number, dir: string): Promise<CliTransferResult> {
  const server = await ServerProcess.start(['--port', '0', '--ice-servers', 'none']);
  const inbox = join(dir, 'inbox');
  await mkdir(inbox, { recursive: true });
  const room = `big-${Date.now().toString(36)}`;
  // A bound on the time, not a wait: the slowest rate seen here is well above 4 MiB/s.
  const deadline = 60_000 + size / 4096;
  const receiver = cli([server.url, '--room', room, '--receive', inbox, '--json'], 'ignore');
  let sender: ReturnType<typeof cli> | null = null;
  try {
    await waitFor(receiver.stderr, /joined room/, receiver.child);
    const started = performance.now();
    sender = cli([server.url, '--room', room, '--send', path], 'ignore');
    const sampler = new MemorySampler({
      receiver: receiver.child.pid as number,
      sender: sender.child.pid as number,
      server: server.child.pid as number,
    });
    let peaks: ReturnType<MemorySampler['stop']>;
    try {
      await waitFor(receiver.stderr, /"event":"saved"/, receiver.child, deadline);
      const code = await sender.exit;
      if (code !== 0) throw new Error(`icebreaker peer --send exited ${code}: ${sender.stderr()}`);
    } finally {
      peaks = sampler.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    receiver.child.kill('SIGTERM');
    await receiver.exit;
    return {
      bytes: size,
      seconds,
      sha256: await sha256OfFile(join(inbox, basename(path))),
      peaks: { receiver: peaks.receiver as MemoryPeak, sender: peaks.sender as MemoryPeak, server: peaks.server as MemoryPeak },
    };
  } finally {
    for (const peer of [receiver, sender])
      if (peer && peer.child.exitCode === null && peer.child.signalCode === null) peer.child.kill('SIGKILL');
    await server.terminate();
  }
}
