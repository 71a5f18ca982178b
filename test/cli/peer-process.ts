import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Room } from '@icebreaker/client';
import { afterEach, beforeEach } from 'vitest';
import { scratch } from '../helpers/files.js';
import { type Harness, startHarness } from '../helpers/server.js';
import { CLI } from '../helpers/server-process.js';

type Scratch = Awaited<ReturnType<typeof scratch>>;

/** A running `icebreaker peer`, with what it printed so far. */
export interface Cli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
}

const running: ChildProcess[] = [];

/**
 * Runs `icebreaker peer …`. With `stdin: 'ignore'` its stdin is /dev/null, as for a background job;
 * a string is written to its stdin, which then ends (`echo … |`).
 */
export function cli(args: readonly string[], stdin: 'pipe' | 'ignore' | string = 'pipe'): Cli {
  const child = spawn(process.execPath, [CLI, 'peer', ...args], { stdio: [stdin === 'ignore' ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  running.push(child);
  if (stdin !== 'ignore' && stdin !== 'pipe') child.stdin?.end(stdin);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c) => {
    out += c;
  });
  child.stderr?.on('data', (c) => {
    err += c;
  });
  return { child, stdout: () => out, stderr: () => err, exit: once(child, 'exit').then(([code]) => code as number | null) };
}

/** Kills every `icebreaker peer` still running (for `afterEach`). */
export function killPeers(): void {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Resolves once `read()` matches `pattern`; fails if the process exits first, or after 15 s. */
export async function waitFor(read: () => string, pattern: RegExp, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before ${pattern}: ${read()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${read()}`);
    // Polls the output it is given (a pipe has no event for "now matches"); nothing waits on time.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A fresh server and scratch folder for each test of the calling `describe`; after it, the terminal
 * peers it started are killed, the library sessions it opened closed, and the folder removed.
 */
export function cliSuite(): { readonly h: Harness; readonly files: Scratch; readonly sessions: Room[] } {
  const fixture = { h: undefined as unknown as Harness, files: undefined as unknown as Scratch, sessions: [] as Room[] };
  beforeEach(async () => {
    fixture.h = await startHarness();
    fixture.files = await scratch();
  });
  afterEach(async () => {
    killPeers();
    for (const s of fixture.sessions.splice(0)) s.close();
    await fixture.h.close();
    await fixture.files.dispose();
  });
  return fixture;
}
