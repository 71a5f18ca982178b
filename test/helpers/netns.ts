import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/*
 * The layout of one isolated network (N is a free number from 1 to 254, unique on the machine):
 *
 *   host (root namespace)                              namespace icebreaker-N
 *   ┌──────────────────────────────────┐               ┌────────────────────────────────┐
 *   │ ib-h-N  10.200.N.1/24            │◀── veth ────▶│ ib-n-N  10.200.N.2/24          │
 *   │ servers and coturn listen here   │               │ lo up; default via 10.200.N.1  │
 *   │ (the namespace cannot reach      │               │ nft table inet icebreaker:     │
 *   │  127.0.0.1: that is its own lo)  │               │  the filter, on input + output │
 *   └──────────────────────────────────┘               └────────────────────────────────┘
 *
 * No forwarding and no NAT: the namespace talks only to the host itself, whose every address (eth0's,
 * 10.200.N.1) it reaches through the default route. Packets to 127.0.0.0/8 sent over the veth are
 * martians that the host drops, so anything the namespace must reach listens on `hostAddress`.
 * The filter lives inside the namespace, so the host's own rules are never touched.
 */

const run = promisify(execFile);

/** What the namespace may send and receive besides loopback; everything is allowed when unset. */
export interface NetworkFilter {
  /** Drop every UDP datagram in and out: no host or srflx path, no TURN over UDP. */
  readonly dropUdp?: boolean;
  /**
   * Drop everything but TCP to these ports of the host's address (the signaling server's, TURN's):
   * no UDP, and no ICE-TCP host path either, so only a relay over TCP can carry media. Empty: only loopback.
   */
  readonly onlyTcpTo?: readonly number[];
}

/** An isolated network namespace wired to the host by a veth pair; see the layout above. */
export interface IsolatedNetwork {
  /** The namespace's name, for `ip netns exec`. */
  readonly name: string;
  /** The host's end of the veth: what servers the namespace must reach listen on. */
  readonly hostAddress: string;
  /** The namespace's own address. */
  readonly address: string;
  /** How long `ip`/`nft` took to build it, in ms. */
  readonly setupMs: number;
  /** Replaces the filter (ports are often known only once servers listen on `hostAddress`). */
  restrict(filter: NetworkFilter): Promise<void>;
  /** Spawns `command` inside the namespace (`ip netns exec` runs it in place: the pid is the command's). */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Deletes the veth pair, the nft table and the namespace; safe to call twice, and after a failed setup. */
  close(): Promise<void>;
}

const LOCKS = '/run/icebreaker-netns';

/**
 * Builds a network namespace for one test: veth pair, addresses, routes, and `filter` (nftables, inside
 * the namespace). Fails loudly when `ip` or `nft` refuse (the suite runs as root on CI): a test that
 * needs isolation is worthless without it. Close it in `afterEach`/`afterAll` even when the test failed.
 *
 * @example
 * ```ts
 * const net = await isolatedNetwork();
 * const server = await startHarness({ host: net.hostAddress });
 * await net.restrict({ onlyTcpTo: [server.server.port, turn.port] });
 * const child = net.spawn(process.execPath, ['peer.js']);
 * await net.close();
 * ```
 */
export async function isolatedNetwork(filter: NetworkFilter = {}): Promise<IsolatedNetwork> {
  const started = performance.now();
  const { n, release } = await claimSubnet();
  const name = `icebreaker-${n}`;
  const host = `ib-h-${n}`;
  const inside = `ib-n-${n}`;
  const hostAddress = `10.200.${n}.1`;
  const address = `10.200.${n}.2`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await teardown(name, host);
    await release();
  };
  try {
    // Leftovers of a run that was killed before its teardown, under the number just claimed.
    await teardown(name, host);
    await ip('netns', 'add', name);
    await ip('link', 'add', host, 'type', 'veth', 'peer', 'name', inside, 'netns', name);
    await ip('addr', 'add', `${hostAddress}/24`, 'dev', host);
    await ip('link', 'set', host, 'up');
    await ip('-n', name, 'addr', 'add', `${address}/24`, 'dev', inside);
    await ip('-n', name, 'link', 'set', inside, 'up');
    // Loopback is down in a new namespace: a process that talks to itself (libwebrtc does) needs it.
    await ip('-n', name, 'link', 'set', 'lo', 'up');
    await ip('-n', name, 'route', 'add', 'default', 'via', hostAddress);
    await nft(name, ruleset(hostAddress, filter));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    name,
    hostAddress,
    address,
    setupMs: performance.now() - started,
    restrict: (next) => nft(name, ruleset(hostAddress, next)),
    spawn: (command, args, options = {}) => spawn('ip', ['netns', 'exec', name, command, ...args], options),
    close,
  };
}

/** The nft script that (re)creates the namespace's table for `filter`. */
function ruleset(hostAddress: string, filter: NetworkFilter): string {
  const only = filter.onlyTcpTo;
  const dropUdp = filter.dropUdp === true || only !== undefined;
  const lines = [
    // `add` then `delete` then `add`: replaces the table whether or not it exists, in one transaction.
    'add table inet icebreaker',
    'delete table inet icebreaker',
    'table inet icebreaker {',
    `  chain output { type filter hook output priority 0; policy ${only ? 'drop' : 'accept'};`,
    '    oifname "lo" accept',
    ...(dropUdp ? ['    meta l4proto udp drop'] : []),
    ...(only?.length ? [`    ip daddr ${hostAddress} tcp dport { ${only.join(', ')} } accept`] : []),
    '  }',
    `  chain input { type filter hook input priority 0; policy ${only ? 'drop' : 'accept'};`,
    '    iifname "lo" accept',
    ...(dropUdp ? ['    meta l4proto udp drop'] : []),
    // Only answers to connections the namespace opened (to the ports above) come in.
    ...(only ? ['    ct state established,related accept'] : []),
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (error) {
    throw new Error(`ip ${args.join(' ')} failed (the network tests need root, iproute2 and nftables): ${stderrOf(error)}`);
  }
}

async function nft(namespace: string, script: string): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin?.end(script);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`nft -f in ${namespace} exited ${code} (install nftables): ${stderr}\n${script}`);
}

/** Removes the veth pair (both ends go together) and the namespace, with its nft table; ignores what is not there. */
async function teardown(name: string, hostLink: string): Promise<void> {
  // Deleting the link before the namespace: the kernel would remove it with the namespace, but later.
  await run('ip', ['link', 'del', hostLink]).catch(() => {});
  await run('ip', ['netns', 'exec', name, 'nft', 'delete', 'table', 'inet', 'icebreaker']).catch(() => {});
  await run('ip', ['netns', 'del', name]).catch(() => {});
}

/**
 * Claims a subnet number no other process on the machine holds (another test file, another checkout's
 * suite): an exclusive lock file per number, naming its pid; a lock whose process is gone is taken over.
 */
async function claimSubnet(): Promise<{ n: number; release: () => Promise<void> }> {
  await mkdir(LOCKS, { recursive: true });
  const start = 1 + (process.pid % 254);
  for (let i = 0; i < 254; i++) {
    const n = 1 + ((start + i - 1) % 254);
    const path = join(LOCKS, String(n));
    const release = () => rm(path, { force: true });
    try {
      const file = await open(path, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      return { n, release };
    } catch {
      const owner = Number(await readFile(path, 'utf8').catch(() => ''));
      if (owner > 0 && owner !== process.pid && !alive(owner)) {
        await release();
        i--; // Try this number again, now free.
      }
    }
  }
  throw new Error(`no free subnet 10.200.N.0/24 left: every lock in ${LOCKS} is held by a running process`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stderrOf(error: unknown): string {
  const e = error as { stderr?: string; message?: string };
  return (e.stderr || e.message || String(error)).trim();
}
