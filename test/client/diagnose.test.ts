import { type DiagnoseOptions, type Diagnosis, diagnose } from '@icebreaker/client';
import { turnCredentials } from '@icebreaker/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NodeRTCPeerConnection } from '../../packages/cli/src/node-rtc.js';
import { Coturn, RELAY_IP } from '../helpers/coturn.js';
import { startHarness } from '../helpers/server.js';

const SECRET = 'doctor-test-secret-0123456789';
const Pc = NodeRTCPeerConnection as unknown as typeof RTCPeerConnection;

/** The doctor in Node on node-datachannel (libdatachannel), as `icebreaker doctor` runs it. */
const run = (options: Omit<DiagnoseOptions, 'RTCPeerConnection'>): Promise<Diagnosis> =>
  diagnose({ RTCPeerConnection: Pc, timeoutMs: 3000, ...options });

const codes = (d: Diagnosis) => d.findings.map((f) => f.code);

describe('diagnose() in Node (node-datachannel) against a real coturn', () => {
  let turn: Coturn;
  beforeAll(async () => {
    turn = await Coturn.start(SECRET);
  });
  afterAll(() => turn?.stop());

  it('with the right secret: TURN answered with a relay candidate, and relays data end to end', async () => {
    const d = await run({ iceServers: [turnCredentials([turn.url], SECRET, 60_000, 'doctor')] });
    const [server] = d.servers;
    expect(server).toMatchObject({ url: turn.url, kind: 'turn', transport: 'udp', answered: true, errors: [] });
    expect(server?.candidates).toContainEqual(expect.objectContaining({ type: 'relay', address: RELAY_IP }));
    expect(d.candidateTypes).toEqual(expect.arrayContaining(['host/udp', 'relay/udp']));
    const relay = d.checks.find((c) => c.policy === 'relay');
    expect(relay).toMatchObject({ connected: true, pair: { local: { type: 'relay' }, remote: { type: 'relay' } } });
    expect(relay?.rttMs).toBeGreaterThan(0);
    expect(d.pathExists).toBe(true);
    expect(d.udpBlocked).toBe(false);
    expect(d.code).toBe('turn-ok');
    expect(d.verdict).toMatch(/^OK: TURN works end to end/);
    // The credential never appears in the report.
    expect(JSON.stringify(d)).not.toContain(turnCredentials([turn.url], SECRET, 60_000, 'doctor').credential as string);
  });

  it('with a wrong secret: no relay, and the verdict points at the credential (libdatachannel reports no error code)', async () => {
    const d = await run({ iceServers: [turnCredentials([turn.url], 'not-the-secret-0123456789', 60_000, 'doctor')] });
    expect(d.servers[0]).toMatchObject({ kind: 'turn', answered: false });
    expect(d.code).toBe('turn-no-relay');
    expect(d.verdict).toContain('--turn-secret');
    expect(d.verdict).toContain("coturn's static-auth-secret");
    // Refused for its credential, as coturn's own log says.
    expect(turn.log()).toMatch(/401|Cannot find credentials|check_stun_auth/);
  });

  it('with a STUN URL that cannot resolve: reported as not answering, and nothing else breaks', async () => {
    const d = await run({ iceServers: [{ urls: 'stun:nonexistent.invalid' }] });
    expect(d.servers[0]).toMatchObject({ url: 'stun:nonexistent.invalid', kind: 'stun', answered: false });
    expect(codes(d)).toContain('stun-no-answer');
    expect(codes(d)).toContain('no-turn');
    expect(d.verdict).toContain('the STUN server stun:nonexistent.invalid did not answer within 3 s');
    expect(d.nat.kind).toBe('unknown');
    expect(d.pathExists).toBe(true);
    expect(d.udpBlocked).toBe(true);
  });

  it('with no ICE servers at all: a path on this machine, and the verdict asks for TURN', async () => {
    const d = await run({ iceServers: [] });
    expect(d.code).toBe('no-ice-servers');
    expect(d.verdict).toContain('`--turn-url`/`--turn-secret`');
    expect(d.verdict).toContain('or the relay will carry your data');
    expect(d.checks).toEqual([expect.objectContaining({ policy: 'all', connected: true })]);
    expect(d.host.length).toBeGreaterThan(0);
    expect(d.udpBlocked).toBe(false);
  });

  it('relay-only with no TURN server: no path', async () => {
    const d = await run({ iceServers: [], iceTransportPolicy: 'relay' });
    expect(d.pathExists).toBe(false);
    expect(d.code).toBe('no-path');
    expect(d.verdict).toMatch(/^Problem: no path: only relayed paths were allowed/);
  });

  it('fetches the ICE servers from a signaling server (TURN credentials minted for it), and says when it cannot', async () => {
    const h = await startHarness({ turnUrls: [turn.url], turnSecret: SECRET });
    try {
      const d = await run({ signalingUrl: h.server.signalingUrl, WebSocket: WebSocket as never });
      expect(d.signaling).toEqual({ url: h.server.signalingUrl, ok: true });
      expect(d.code).toBe('turn-ok');
    } finally {
      await h.close();
    }
    const gone = await run({ signalingUrl: h.server.signalingUrl, WebSocket: WebSocket as never });
    expect(gone.signaling).toMatchObject({ ok: false });
    expect(gone.code).toBe('signaling-unreachable');
  });

  it('refuses bad options with a TypeError naming the field', async () => {
    await expect(diagnose({} as DiagnoseOptions)).rejects.toThrow(/^options: expected iceServers, signalingUrl or both/);
    await expect(run({ iceServers: [], timeoutMs: 10 })).rejects.toThrow(/^options\.timeoutMs: expected a whole number from 500 to 60000/);
    await expect(run({ iceServers: [{ urls: 'http://x' }] })).rejects.toThrow(/^options\.iceServers\[0\]\.urls/);
    await expect(run({ iceServers: [{ urls: 'turn:x' }] })).rejects.toThrow(/^options\.iceServers\[0\]\.username/);
    await expect(run({ iceServers: [], iceTransportPolicy: 'none' as never })).rejects.toThrow(/^options\.iceTransportPolicy/);
    await expect(run({ signalingUrl: 'ftp://x', WebSocket: WebSocket as never })).rejects.toThrow(/^options\.signalingUrl: expected/);
    await expect(run({ signalingUrl: 'ws://127.0.0.1:9/ws', WebSocket: WebSocket as never, room: '../x' })).rejects.toThrow(
      /^options\.room: expected/,
    );
    await expect(run({ iceServers: [], colour: 1 } as never)).rejects.toThrow(/^options\.colour: not an option here/);
  });
});
