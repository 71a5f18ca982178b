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
  private readonly watchers = new Set<(line: MitmLine) => void>();

  private constructor(
    readonly child: ChildProcess,
    /** Its HTTP address (`http://127.0.0.1:PORT/`): the page loads from it. */
    readonly url: string,
    private readonly stderr: () => string,
  ) {}

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
    const listening = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mitm-server did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code) => reject(new Error(`mitm-server exited ${code} before listening: ${stderr}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
        const line = JSON.parse(text) as MitmLine;
        lines.push(line);
        if (typeof line.listening === 'number') {
          clearTimeout(timer);
          resolve(line.listening);
        }
        mitm?.seen(line);
      });
    });
    let mitm: Mitm | undefined;
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
    return new Promise((resolve, reject) => {
      const watcher = (line: MitmLine) => {
        if (!match(line)) return;
        this.watchers.delete(watcher);
        resolve(line);
      };
      this.watchers.add(watcher);
      this.child.once('exit', (code) => reject(new Error(`mitm-server exited ${code}: ${this.stderr()}`)));
    });
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
    for (const watcher of [...this.watchers]) watcher(line);
  }
}
