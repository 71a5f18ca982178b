import { createHmac } from 'node:crypto';
import { connect, type Room } from '@icebreaker/client';
import { turnCredentials } from '@icebreaker/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coturn, RELAY_IP } from '../helpers/coturn.js';
import { messages, NODE_WEBRTC, openPeer } from '../helpers/peers.js';
import { selectedPair } from '../helpers/selected-pair.js';
import { type Harness, startHarness } from '../helpers/server.js';

const TURN_SECRET = 'turn-test-secret-0123456789';

/** Gathers with one ICE server and relay-only policy; resolves with the candidates found. */
async function gather(iceServer: RTCIceServer): Promise<string[]> {
  const pc = new NODE_WEBRTC.RTCPeerConnection({ iceServers: [iceServer], iceTransportPolicy: 'relay' });
  const candidates: string[] = [];
  const done = new Promise<void>((resolve) => {
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate?.candidate) candidates.push(event.candidate.candidate);
      else resolve();
    });
  });
  pc.createDataChannel('probe');
  await pc.setLocalDescription(await pc.createOffer());
  await done;
  pc.close();
  return candidates;
}

describe('TURN credentials against a real coturn (use-auth-secret, relay on 127.0.0.2)', () => {
  let turn: Coturn;
  let h: Harness;
  const sessions: Room[] = [];

  beforeAll(async () => {
    turn = await Coturn.start(TURN_SECRET);
    h = await startHarness({ turnUrls: [turn.url], turnSecret: TURN_SECRET, turnTtlMs: 600_000 });
  });
  afterAll(async () => {
    for (const s of sessions) s.close();
    await h?.close();
    await turn?.stop();
  });

  it('hands each peer its own credential in the REST scheme, and never the secret', async () => {
    const { id, welcome } = await h.peer('creds');
    const [server] = welcome.iceServers as Array<{ urls: string[]; username: string; credential: string }>;
    expect(server?.urls).toEqual([turn.url]);
    const [expiry, peerId] = (server?.username ?? '').split(':');
    expect(peerId).toBe(id);
    expect(Number(expiry) * 1000).toBeGreaterThan(Date.now() + 590_000);
    expect(Number(expiry) * 1000).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(server?.credential).toBe(
      createHmac('sha1', TURN_SECRET)
        .update(server?.username ?? '')
        .digest('base64'),
    );
    expect(JSON.stringify(welcome)).not.toContain(TURN_SECRET);
  });

  it('connects two relay-only peers through coturn: data flows and the selected pair is relay/relay', async () => {
    // No iceServers option: the library uses the welcome's, TURN credentials included; relay only.
    const options = { room: 'relayed', ...NODE_WEBRTC, rtcConfiguration: { iceTransportPolicy: 'relay' as const } };
    const a = await connect(h.server.signalingUrl, options);
    const b = await connect(h.server.signalingUrl, options);
    sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const got = messages(b, 1);
    await toB.send('through the relay');
    expect(await got).toEqual(['through the relay']);

    const { local, remote } = await selectedPair(toB.pc);
    expect([local.candidateType, remote.candidateType]).toEqual(['relay', 'relay']);
    expect([local.address, remote.address]).toEqual([RELAY_IP, RELAY_IP]);
  });

  it('lets an unexpired credential allocate a relay, and refuses an expired one', async () => {
    const fresh = turnCredentials([turn.url], TURN_SECRET, 60_000, 'probe-fresh');
    const expired = turnCredentials([turn.url], TURN_SECRET, 60_000, 'probe-expired', Date.now() - 120_000);
    const good = await gather(fresh);
    expect(good.some((c) => c.includes(` ${RELAY_IP} `) && c.includes('typ relay'))).toBe(true);
    expect(await gather(expired)).toEqual([]);
    // Refused for its credential, not for anything else.
    expect(turn.log()).toMatch(/Cannot find credentials of user <\d+:probe-expired>/);
    expect(turn.log()).not.toMatch(/probe-fresh>/);
  });
});
