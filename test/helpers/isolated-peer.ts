import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { IsolatedNetwork } from './netns.js';
import type { PeerReport, ScriptedPeerConfig } from './scripted-peer.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(import.meta.dirname, 'scripted-peer.ts');

/** A Node peer running in its own process (inside an {@link IsolatedNetwork}), and what it reported. */
export interface IsolatedPeer {
  readonly child: ChildProcess;
  /** Every line it reported so far, in order. */
  readonly reports: readonly PeerReport[];
  /**
   * Resolves with the first report (past or future) of `type` that `match` accepts; rejects if the
   * process exits first, or after `timeoutMs` with everything it said (an ICE failure takes ~30 s in libwebrtc).
   */
  report<T extends PeerReport['type']>(
    type: T,
    match?: (report: Extract<PeerReport, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<PeerReport, { type: T }>>;
  /** What it printed on stderr. */
  stderr(): string;
  /** Kills it (SIGTERM, then waits for the exit). */
  close(): Promise<void>;
}

/**
 * Starts a scripted Node peer (test/helpers/scripted-peer.ts, through tsx so that it runs the
 * workspace's sources) in `net`, or on the host when `net` is null.
 *
 * @example
 * ```ts
 * const peer = isolatedPeer(net, { url, room: 'r', stack: 'wrtc', send: 1 << 20 });
 * const pair = await peer.report('pair');
 * await peer.close();
 * ```
 */
export function isolatedPeer(net: IsolatedNetwork | null, config: ScriptedPeerConfig): IsolatedPeer {
  const args = ['--import', 'tsx', SCRIPT, JSON.stringify(config)];
  const options = { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] as ['pipe', 'pipe', 'pipe'] };
  const child = net ? net.spawn(process.execPath, args, options) : spawn(process.execPath, args, options);
  const reports: PeerReport[] = [];
  const waiters = new Set<() => void>();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
    for (let end = stdout.indexOf('\n'); end >= 0; end = stdout.indexOf('\n')) {
      const line = stdout.slice(0, end);
      stdout = stdout.slice(end + 1);
      reports.push(JSON.parse(line) as PeerReport);
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  const said = () => `reports: ${reports.map((r) => JSON.stringify(r)).join('\n')}\nstderr: ${stderr}`;

  return {
    child,
    reports,
    stderr: () => stderr,
    report(type, match = () => true, timeoutMs = 45_000) {
      type Wanted = Extract<PeerReport, { type: typeof type }>;
      const find = () => reports.find((r): r is Wanted => r.type === type && match(r as Wanted));
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise<Wanted>((resolve, reject) => {
        const done = () => {
          waiters.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          const hit = find();
          if (!hit) return;
          done();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${type} report within ${timeoutMs} ms\n${said()}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then(([code]) => {
          if (!waiters.has(check)) return;
          done();
          reject(new Error(`the peer exited (${code}) before a ${type} report\n${said()}`));
        });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
