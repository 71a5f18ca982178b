import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/** The Firefox binary: $ICEBREAKER_FIREFOX, else Debian's firefox-esr. */
export function firefoxPath(): string {
  const path = process.env.ICEBREAKER_FIREFOX ?? '/usr/bin/firefox-esr';
  if (!existsSync(path)) throw new Error(`no Firefox at ${path}: install it (apt-get install firefox-esr) or set ICEBREAKER_FIREFOX`);
  return path;
}

// Firefox hides host candidates behind mDNS names by default, and ignores loopback; a test on one
// machine needs both off (the same reasons as Chromium's flags in browser.ts).
const PREFS = {
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.loopback': true,
  'browser.shell.checkDefaultBrowser': false,
};

/**
 * Drives a stock Firefox over WebDriver BiDi, the W3C protocol Firefox speaks natively. Playwright
 * needs commands this Firefox ESR does not have yet, and the test only needs three: open a tab,
 * navigate, and evaluate a script in the page.
 */
export class Firefox {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly process: ChildProcess,
    private readonly socket: WebSocket,
    private readonly profile: string,
  ) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; type: string; result?: unknown; error?: string; message?: string };
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.type === 'error') waiter.reject(new Error(`${message.error}: ${message.message}`));
      else waiter.resolve(message.result);
    });
  }

  static async launch(): Promise<Firefox> {
    const profile = await mkdtemp(join(tmpdir(), 'icebreaker-firefox-'));
    await writeFile(
      join(profile, 'user.js'),
      Object.entries(PREFS)
        .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
        .join(''),
    );
    const child = spawn(firefoxPath(), ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
    });
    let stderr = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
        const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`firefox exited ${code} before listening: ${stderr.slice(-500)}`)));
    });
    const socket = new WebSocket(`${endpoint}/session`);
    await once(socket, 'open');
    const firefox = new Firefox(child, socket, profile);
    await firefox.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
    return firefox;
  }

  send(method: string, params: object): Promise<unknown> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Opens a tab at `url` and returns a handle to evaluate scripts in it. */
  async open(url: string): Promise<FirefoxTab> {
    const { context } = (await this.send('browsingContext.create', { type: 'tab' })) as { context: string };
    await this.send('browsingContext.navigate', { context, url, wait: 'complete' });
    return new FirefoxTab(this, context);
  }

  async close(): Promise<void> {
    const exited = this.process.exitCode === null ? once(this.process, 'exit') : Promise.resolve();
    await this.send('browser.close', {}).catch(() => {});
    this.socket.terminate();
    const killer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    await rm(this.profile, { recursive: true, force: true });
  }
}

export class FirefoxTab {
  constructor(
    private readonly firefox: Firefox,
    readonly context: string,
  ) {}

  /** Evaluates `expression` in the page (awaiting a promise) and returns its JSON-serialisable value. */
  async evaluate<T>(expression: string): Promise<T> {
    const result = (await this.firefox.send('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${expression})))()`,
      target: { context: this.context },
      awaitPromise: true,
    })) as { type: string; result?: { value?: string }; exceptionDetails?: { text: string } };
    if (result.type !== 'success') throw new Error(`script failed: ${result.exceptionDetails?.text}`);
    const text = result.result?.value;
    return (text === undefined ? undefined : JSON.parse(text)) as T;
  }

  /** Polls `expression` until it is truthy, or fails with `what` after `timeoutMs`. */
  async waitFor(expression: string, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > deadline) throw new Error(`Firefox: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
