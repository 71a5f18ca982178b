import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'dist', 'main.js');

/** The signaling server as a separate process, so a test can kill it for real. */
export class ServerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  get signalingUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}ws`;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

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
    // The banner, for people, is on stderr; stdout carries the JSON log.
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (chunk) => {
        err += chunk;
        const match = /page\s+(http:\/\/\S+)/.exec(err);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
    child.stdout?.resume();
    return new ServerProcess(child, url);
  }

  /** Sends SIGTERM (a drain) and resolves with the exit code. */
  async terminate(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    return (await exited)[0] as number | null;
  }

  /** SIGKILL: no close frames, no cleanup, as when a machine dies. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}
