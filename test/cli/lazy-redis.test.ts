import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisServer } from '../helpers/redis.js';
import { CLI } from '../helpers/server-process.js';

const TRACE = join(import.meta.dirname, '..', 'helpers', 'trace-modules.mjs');

const running: ChildProcess[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
});

/** Runs `icebreaker serve` with every module it resolves traced; resolves with its stderr once it serves. */
async function serveTraced(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', TRACE, CLI, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.push(child);
  let err = '';
  child.stderr?.on('data', (chunk) => {
    err += chunk;
  });
  while (!/page\s+http:\/\/127\.0\.0\.1:\d+\//.test(err)) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${err}`);
    await once(child.stderr as NodeJS.ReadableStream, 'data');
  }
  return err;
}

/** The packages under node_modules that a traced run loaded. */
function packages(trace: string): Set<string> {
  return new Set([...trace.matchAll(/^loaded file:\/\/.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1] as string));
}

describe('the Redis store is loaded only with --redis (issue 10 §1)', () => {
  it('a server without --redis never loads ioredis, nor the Redis store', async () => {
    const trace = await serveTraced([]);
    expect(packages(trace)).toContain('ws');
    expect(packages(trace)).not.toContain('ioredis');
    expect(trace).not.toMatch(/redis-store\.js/);
  });

  it('a server with --redis loads both (the trace sees them when they are there)', async () => {
    const redis = await RedisServer.start();
    try {
      const trace = await serveTraced(['--redis', redis.url]);
      expect(packages(trace)).toContain('ioredis');
      expect(trace).toMatch(/\/server\/dist\/redis\/redis-store\.js/);
    } finally {
      await redis.kill();
    }
  });
});
