import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVE_SETTINGS } from '../../packages/cli/src/serve-settings.js';
import { RedisServer } from '../helpers/redis.js';
import { CLI } from '../helpers/server-process.js';
import { TestSocket, upgradeStatus } from '../helpers/socket.js';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    err += chunk;
  });
  return { child, stdout: () => out, stderr: () => err, exit: once(child, 'exit').then(([code]) => code as number | null) };
}

/** Waits for the banner (stderr, for people) to show `pattern`. */
async function waitForOutput(r: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = r.stderr().match(pattern);
    if (match) return match;
    if (r.child.exitCode !== null) throw new Error(`exited ${r.child.exitCode}: ${r.stderr()}`);
    await once(r.child.stderr as NodeJS.ReadableStream, 'data');
  }
}

/** The JSON log lines the server wrote on stdout (every line must be one). */
function logLines(r: Run): Array<Record<string, unknown>> {
  return r
    .stdout()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('icebreaker serve', () => {
  it('prints the page URL, serves, logs JSON lines, and closes at once on SIGINT', async () => {
    const r = run(['serve', '--port', '0', '--ice-servers', 'none']);
    const [, url] = await waitForOutput(r, /page\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
    const health = await fetch(new URL('/healthz', url));
    expect(health.status).toBe(200);
    const page = await fetch(url as string);
    expect(await page.text()).toContain('<title>Icebreaker');

    const socket = await TestSocket.open(new URL('/ws', url).href.replace('http', 'ws'));
    expect(await socket.join('cli')).toMatchObject({ iceServers: [] });
    r.child.kill('SIGINT');
    expect((await socket.closed).code).toBe(1001);
    expect(await r.exit).toBe(0);
    expect(r.stderr()).toContain('Stopped.');
    const events = logLines(r).map((line) => line.event);
    expect(events).toEqual(expect.arrayContaining(['listening', 'open-mode', 'join', 'stopped']));
  });

  it('drains on SIGTERM: not ready, no new connections, going-away to clients, 1001 after the drain timeout, exit 0', async () => {
    const r = run(['serve', '--port', '0', '--drain-timeout', '1s']);
    const [, url] = await waitForOutput(r, /page\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
    const signaling = new URL('/ws', url).href.replace('http', 'ws');
    expect((await fetch(new URL('/readyz', url))).status).toBe(200);
    const socket = await TestSocket.open(signaling);
    await socket.join('drain');

    r.child.kill('SIGTERM');
    expect(await socket.next()).toEqual({ type: 'going-away', reconnectWithinMs: 1000 });
    const ready = await fetch(new URL('/readyz', url));
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'draining' }]);
    expect(await upgradeStatus(signaling)).toBe(503);
    expect((await socket.closed).code).toBe(1001);
    expect(await r.exit).toBe(0);
    expect(logLines(r).find((line) => line.event === 'drain')).toMatchObject({ level: 30, connections: 1, timeoutMs: 1000 });
  });

  it('keeps serving when whoever reads its log goes away (EPIPE on stdout and stderr)', async () => {
    const r = run(['serve', '--port', '0', '--ice-servers', 'none', '--log-level', 'debug']);
    const [, url] = await waitForOutput(r, /page\s+(http:\/\/\S+)/);
    // The log collector dies: every later log line is written into a closed pipe.
    r.child.stdout?.destroy();
    r.child.stderr?.destroy();
    const signaling = `${(url as string).replace(/^http/, 'ws')}ws`;
    for (let i = 0; i < 5; i++) {
      const [a, b] = [await TestSocket.open(signaling), await TestSocket.open(signaling)];
      await a.join(`after-${i}`);
      await b.join(`after-${i}`);
      await Promise.all([a.close(), b.close()]);
    }
    expect(r.child.exitCode).toBeNull();
    expect((await fetch(new URL('/healthz', url))).status).toBe(200);
  });

  it('reads its settings from the environment', async () => {
    const r = run(['serve'], { ICEBREAKER_PORT: '0', ICEBREAKER_ICE_SERVERS: 'stun:stun.example.org:3478' });
    await waitForOutput(r, /ICE\s+stun:stun\.example\.org:3478/);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('takes --allowed-origin more than once and turns other origins away with 403', async () => {
    const r = run(['serve', '--port', '0', '--allowed-origin', 'https://a.example', '--allowed-origin', 'https://b.example']);
    const [, url] = await waitForOutput(r, /signaling\s+(ws:\/\/127\.0\.0\.1:\d+\/ws)/);
    const status = (origin: string) => upgradeStatus(url as string, { origin });
    expect(await status('https://a.example')).toBe('open');
    expect(await status('https://b.example')).toBe('open');
    expect(await status('https://c.example')).toBe(403);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('lists every option with --help', async () => {
    const r = run(['serve', '--help']);
    expect(await r.exit).toBe(0);
    // Made from the settings' definitions: every one is there, with its variable.
    for (const { meta } of SERVE_SETTINGS) {
      expect(r.stdout()).toContain(`--${meta.flag} <`);
      expect(r.stdout()).toContain(`env ${meta.env}`);
    }
    expect(r.stdout()).toContain('--config <file>');
  });

  it.each([
    [['serve', '--port', 'eighty'], /--port: "eighty" is not valid/],
    [['serve', '--bogus'], /Unknown option '--bogus'/],
    [['serve', '--room-capacity', '0'], /--room-capacity/],
    [['serve', '--ice-servers', '[{"urls":[]}]'], /--ice-servers/],
    [['serve', '--allowed-origin', 'https://a.example/app'], /--allowed-origin: "https:\/\/a.example\/app" is not valid/],
    [['launch'], /unknown command "launch"/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const r = run(args);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(message);
  });

  it('exits 1 and says why when its Redis cannot be reached', async () => {
    const r = run(['serve', '--port', '0', '--redis', 'redis://127.0.0.1:1']);
    expect(await r.exit).toBe(1);
    expect(r.stderr()).toContain('cannot start: redis at 127.0.0.1:1 not reachable');
  }, 30_000);

  it('exits 1 and says why when Redis refuses the database of its URL', async () => {
    const redis = await RedisServer.start();
    try {
      const r = run(['serve', '--port', '0', '--redis', `${redis.url}/99`]);
      expect(await r.exit).toBe(1);
      expect(r.stderr()).toContain('Connecting to Redis at 127.0.0.1');
      expect(r.stderr()).toMatch(/cannot start: redis database 99: .*out of range/);
    } finally {
      await redis.kill();
    }
  }, 30_000);

  it('says so when Redis refuses its password, rather than "not reachable" alone', async () => {
    const redis = await RedisServer.start();
    try {
      const r = run(['serve', '--port', '0', '--redis', `redis://someone:wrong@127.0.0.1:${redis.port}/0`]);
      expect(await r.exit).toBe(1);
      expect(r.stderr()).toMatch(/not reachable within 10000 ms \(.*(WRONGPASS|NOAUTH|invalid username-password).*\)/);
      expect(r.stderr()).not.toContain('wrong@');
    } finally {
      await redis.kill();
    }
  }, 30_000);

  it('exits 1 and says why when --host is not an address of this machine', async () => {
    const r = run(['serve', '--port', '0', '--host', '999.1.1.1']);
    expect(await r.exit).toBe(1);
    expect(r.stderr()).toContain('cannot listen on host 999.1.1.1: it is not an address of this machine');
  });

  it('names ICEBREAKER_CONFIG when the file it names cannot be read', async () => {
    const r = run(['serve', '--port', '0'], { ICEBREAKER_CONFIG: '/no/such/icebreaker.json' });
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toContain('ICEBREAKER_CONFIG /no/such/icebreaker.json: cannot read it');
  });

  it('exits 1 and says why when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = run(['serve', '--port', String(port)]);
      expect(await r.exit).toBe(1);
      expect(r.stderr()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });
});
