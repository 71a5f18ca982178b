import { execFile } from 'node:child_process';
import type { Diagnosis } from '@icebreaker/client';
import { mintRoomToken } from '@icebreaker/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coturn } from '../helpers/coturn.js';
import { CLI, ServerProcess } from '../helpers/server-process.js';

const SECRET = 'doctor-cli-secret-0123456789';

/** Runs the built `icebreaker doctor` and resolves with its exit code and output. */
function doctor(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'doctor', ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('icebreaker doctor against a real server and a real coturn', () => {
  let turn: Coturn;
  let server: ServerProcess;
  beforeAll(async () => {
    turn = await Coturn.start(SECRET);
    server = await ServerProcess.start(['--port', '0', '--ice-servers', 'none', '--turn-url', turn.url, '--turn-secret', SECRET]);
  });
  afterAll(async () => {
    await server?.terminate();
    await turn?.stop();
  });

  it('--json: reads the TURN server from the welcome, relays through it, exit 0', async () => {
    const { code, stdout } = await doctor(server.url, '--json', '--timeout', '4s');
    const report = JSON.parse(stdout) as Diagnosis;
    expect(report.signaling).toEqual({ url: server.signalingUrl, ok: true });
    expect(report.servers.map((s) => [s.url, s.answered])).toEqual([[turn.url, true]]);
    expect(report.code).toBe('turn-ok');
    expect(report.checks.find((c) => c.policy === 'relay')?.pair?.local.type).toBe('relay');
    expect(code).toBe(0);
  });

  it('a wrong --turn-secret with --relay-only: no relay, no path, exit 1, and the verdict names the secret', async () => {
    const { code, stdout } = await doctor(
      server.url,
      '--turn-url',
      turn.url,
      '--turn-secret',
      'wrong-secret-0123456789',
      '--relay-only',
      '--json',
    );
    const report = JSON.parse(stdout) as Diagnosis;
    expect(report.findings.map((f) => f.code).slice(0, 2)).toEqual(['turn-no-relay', 'no-path']);
    expect(report.verdict).toContain('--turn-secret');
    expect(report.pathExists).toBe(false);
    expect(code).toBe(1);
  });

  it('prints a report for people: each server, the paths and the verdict', async () => {
    const { code, stdout } = await doctor(server.url, '--ice-servers', 'stun:nonexistent.invalid', '--timeout', '2s');
    expect(stdout).toContain(`Icebreaker doctor: ${server.signalingUrl}`);
    expect(stdout).toMatch(/✗ stun:nonexistent\.invalid {2}no answer/);
    expect(stdout).toMatch(/✓ any path +connected in \d+ ms: host udp/);
    expect(stdout).toContain('Verdict: Works, with warnings: the STUN server stun:nonexistent.invalid did not answer within 2 s');
    expect(code).toBe(0);
  });

  it('says when the signaling server does not answer, exit 1', async () => {
    const { code, stdout } = await doctor('http://127.0.0.1:9/', '--json', '--timeout', '2s');
    const report = JSON.parse(stdout) as Diagnosis;
    expect(report.code).toBe('signaling-unreachable');
    expect(code).toBe(1);
  });

  it('on a server that wants room tokens: --room and --token get the ICE servers, none gets auth-required', async () => {
    const secret = 'doctor-auth-secret-0123456789abcdefghij';
    const guarded = await ServerProcess.start(['--port', '0', '--ice-servers', 'none', '--auth-secret', secret]);
    try {
      const token = await mintRoomToken(secret, { room: 'doctor-check', ttlMs: 60_000 });
      const admitted = await doctor(guarded.url, '--room', 'doctor-check', '--token', token, '--json');
      expect((JSON.parse(admitted.stdout) as Diagnosis).signaling).toEqual({ url: guarded.signalingUrl, ok: true });
      expect(admitted.code).toBe(0);
      const refused = await doctor(guarded.url, '--json');
      expect((JSON.parse(refused.stdout) as Diagnosis).signaling?.error).toMatch(/^auth-required: /);
      expect(refused.code).toBe(1);
    } finally {
      await guarded.terminate();
    }
  });

  it.each([
    [[], 'give a server address, --ice-servers or --turn-url'],
    [['--turn-url', 'turn:127.0.0.1:3478'], '--turn-url needs --turn-secret'],
    [['--ice-servers', 'http://x'], '--ice-servers[0].urls: expected a stun:, stuns:, turn: or turns: URL'],
    [['--turn-url', 'http://x', '--turn-secret', SECRET], '--turn-url: expected a non-empty list of turn: or turns: URLs'],
    [['--ice-servers', 'none', '--timeout', '1ms'], '--timeout: "1ms" is not valid'],
    [['--ice-servers', 'none', '--colour'], "Unknown option '--colour'"],
    [['http://127.0.0.1:9/', '--room', 'a b'], '--room: expected 1 to 64 letters, digits or - _ . ~'],
  ])('bad usage %j: exit 2 and says why', async (args, message) => {
    const { code, stderr } = await doctor(...args);
    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });
});
