import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/server.js';
import { CLI } from '../helpers/server-process.js';

const SECRET = 'cli-token-secret-0123456789abcdefgh';

/** Runs the built CLI; resolves with its exit code and output (a failing exit does not throw). */
async function icebreaker(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('icebreaker token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ authSecret: SECRET });
  });
  afterAll(() => h.close());

  it('mints a token a server with the same secret accepts for that room only, with the name and role given', async () => {
    const { code, stdout } = await icebreaker(['token', '--room', 'demo', '--ttl', '10m', '--name', 'Ada', '--role', 'host'], {
      ICEBREAKER_AUTH_SECRET: SECRET,
    });
    expect(code).toBe(0);
    const token = stdout.trim();
    const first = await h.peer('demo', { token });
    const second = await h.peer('demo', { token });
    expect(second.welcome.peers).toEqual([{ id: first.id, name: 'Ada', role: 'host' }]);
    const elsewhere = await h.socket();
    elsewhere.send({ type: 'join', protocol: 1, room: 'other', token });
    expect((await elsewhere.next()).code).toBe('auth-wrong-room');
  });

  it('--relay adds the claim that a server with --relay token asks for', async () => {
    const relaying = await startHarness({ authSecret: SECRET, relay: 'token' });
    try {
      const mint = async (...extra: string[]) =>
        (await icebreaker(['token', '--room', 'relay', ...extra], { ICEBREAKER_AUTH_SECRET: SECRET })).stdout.trim();
      const withClaim = await relaying.peer('relay', { token: await mint('--relay') });
      const without = await relaying.peer('relay', { token: await mint() });
      expect(withClaim.welcome.relay).toEqual({ payloadBytes: 32 * 1024 });
      expect(without.welcome).not.toHaveProperty('relay');
    } finally {
      await relaying.close();
    }
  });

  it.each([
    [['token'], /--room is required/],
    [['token', '--room', 'demo'], /no secret/],
    [['token', '--room', 'demo', '--secret', 'short'], /at least 32 characters/],
    [['token', '--room', 'demo', '--secret', SECRET, '--ttl', 'forever'], /--ttl/],
    [['token', '--room', 'a/b', '--secret', SECRET], /room token/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, stderr } = await icebreaker(args, { ICEBREAKER_AUTH_SECRET: '' });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
