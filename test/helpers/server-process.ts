import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** The built `icebreaker` command: tests run it as a user does (`npm run build` first). */
export const CLI = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'dist', 'main.js');

/** A server process a test starts: where it listens, and how to stop it (the test that starts one stops it). */
export class ListeningProcess {
  protected constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /**
   * Spawns `command` and resolves with its process once a line of its output matches `listening` (whose
   * first group is its address); rejects with what it printed if it exits first.
   */
  static async spawn(command: readonly string[], listening: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<ListeningProcess> {
    const child = spawn(command[0] as string, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ListeningProcess(child, await addressOf(child, listening));
  }

  get signalingUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}ws`;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Sends `signal` and resolves with the exit code once the process has ended by itself. */
  async stop(signal: 'SIGTERM' | 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    return (await exited)[0] as number | null;
  }

  /** Sends SIGTERM (a drain) and resolves with the exit code. */
  terminate(): Promise<number | null> {
    return this.stop('SIGTERM');
  }

  /** SIGKILL: no close frames, no cleanup, as when a machine dies. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** The address a starting process prints (the first group of `listening`, on stdout or stderr). */
export function addressOf(child: ChildProcess, listening: RegExp): Promise<string> {
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = listening.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited ${code}: ${output}`)));
  });
}

/** The signaling server as a separate process, so a test can kill it for real. */
export class ServerProcess extends ListeningProcess {
  /**
   * Starts `icebreaker serve` with `args` and resolves once it prints its address. `maxOpenFiles`
   * lowers the process's descriptor limit (through the shell's `ulimit`, then `exec`: the child is node).
   */
  static async start(args: string[], options: { maxOpenFiles?: number } = {}): Promise<ServerProcess> {
    const command = [process.execPath, CLI, 'serve', ...args];
    const child =
      options.maxOpenFiles === undefined
        ? spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('bash', ['-c', `ulimit -n ${options.maxOpenFiles} && exec "$@"`, 'bash', ...command], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
    // The banner, for people, is on stderr; stdout carries the JSON log (read, so the pipe never fills).
    return new ServerProcess(child, await addressOf(child, /page\s+(http:\/\/\S+)/));
  }
}
