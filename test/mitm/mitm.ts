import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(import.meta.dirname, 'mitm-server.ts');
const START_TIMEOUT_MS = 20_000;

/** One JSON line the man in the middle printed: `{"swapped":"offer"}`, `{"read":"hello"}`, … */
export type MitmLine = Record<string, unknown>;

/**
 * The man-in-the-middle process (`mitm-server.ts`) for a test: in front of a server at `upstream`,
 * `honest` (forwards every frame) or `swap` (terminates each pair's signaling and DTLS and reads every
 * message). The test that starts one stops it (`afterAll(() => mitm.stop())`).
 *
 * @example
 * ```ts
 * const mitm = await Mitm.start(server.url, 'swap');
 * const room = await connect(mitm.signalingUrl, { room: 'r', ...LIBDATACHANNEL, WebSocket });
 * await mitm.waitFor((line) => line.read === 'hello');
 * await mitm.stop();
 * ```
 */
export class Mitm {
  /** Every line it printed so far, parsed, the listening line first. */
  readonly lines: MitmLine[] = [];
  private readonly watchers = new Set<{
    match: (line: MitmLine) => boolean;
    resolve: (line: MitmLine) => void;
    reject: (error: Error) => void;
  }>();

  private constructor(
    readonly child: ChildProcess,
    /** Its HTTP address (`http://127.0.0.1:PORT/`): the page loads from it. */
    readonly url: string,
    private readonly stderr: () => string,
  ) {
    // One listener for every waiter: a process that dies fails them all, with what it said.
    child.once('exit', (code, signal) => {
      for (const watcher of this.watchers)
        watcher.reject(new Error(`mitm-server exited (${code ?? signal}) before the line awaited: ${stderr()}`));
      this.watchers.clear();
    });
  }

  /** Starts it on an ephemeral port of 127.0.0.1 and resolves once it listens. */
  static async start(upstream: string, mode: 'honest' | 'swap'): Promise<Mitm> {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--upstream', upstream, '--mode', mode, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const lines: MitmLine[] = [];
    let mitm: Mitm | undefined;
    const listening = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mitm-server did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code) => reject(new Error(`mitm-server exited ${code} before listening: ${stderr}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
        const line = parseLine(text);
        lines.push(line);
        if (typeof line.listening === 'number') {
          clearTimeout(timer);
          resolve(line.listening);
        }
        mitm?.seen(line);
      });
    });
    try {
      const port = await listening;
      mitm = new Mitm(child, `http://127.0.0.1:${port}/`, () => stderr);
      mitm.lines.push(...lines);
      return mitm;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Its WebSocket endpoint (`ws://127.0.0.1:PORT/ws`): clients connect here instead of the server. */
  get signalingUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}ws`;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What it wrote on stderr (a crash's stack), for failure messages. */
  get errorOutput(): string {
    return this.stderr();
  }

  /** Resolves with the first line (already printed, or to come) for which `match` holds. */
  waitFor(match: (line: MitmLine) => boolean): Promise<MitmLine> {
    const found = this.lines.find(match);
    if (found) return Promise.resolve(found);
    if (!this.alive) return Promise.reject(new Error(`mitm-server has exited: ${this.stderr()}`));
    return new Promise((resolve, reject) => this.watchers.add({ match, resolve, reject }));
  }

  /** Stops it (SIGTERM) and resolves once it has exited. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }

  private seen(line: MitmLine): void {
    this.lines.push(line);
    for (const watcher of [...this.watchers]) {
      if (!watcher.match(line)) continue;
      this.watchers.delete(watcher);
      watcher.resolve(line);
    }
  }
}

/** A line as it printed: JSON, or (a stray warning of Node's) the raw text. */
function parseLine(text: string): MitmLine {
  try {
    return JSON.parse(text) as MitmLine;
  } catch {
    return { raw: text };
  }
}
