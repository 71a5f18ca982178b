import { createHash } from 'node:crypto';
import { connect, type Room } from '@icebreaker/client';
import { afterEach, describe, expect, it } from 'vitest';
import { Coturn, RELAY_IP } from '../helpers/coturn.js';
import { type FailingIce, refusedTurn, relayWithoutTurn, TURN_SECRET } from '../helpers/failing-ice.js';
import { type IsolatedPeer, isolatedPeer } from '../helpers/isolated-peer.js';
import { type IsolatedNetwork, isolatedNetwork } from '../helpers/netns.js';
import { NODE_WEBRTC, openPeer } from '../helpers/peers.js';
import { selectedPair } from '../helpers/selected-pair.js';
import { type Harness, metric, startHarness } from '../helpers/server.js';

const MiB = 1024 * 1024;
const sha256 = (data: ArrayBuffer) => createHash('sha256').update(new Uint8Array(data)).digest('hex');

describe('the TURN rungs, with ICE made to fail for real (network namespace, nftables, coturn)', () => {
  let net: IsolatedNetwork | null = null;
  let turn: Coturn | null = null;
  let failing: FailingIce | null = null;
  let h: Harness | null = null;
  const peers: IsolatedPeer[] = [];
  const rooms: Room[] = [];

  afterEach(async () => {
    for (const room of rooms.splice(0)) room.close();
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
    await h?.close();
    await turn?.stop();
    await failing?.close();
    await net?.close();
    [net, turn, failing, h] = [null, null, null, null];
  });

  /** A Node peer on the host that takes its ICE servers (TURN credentials included) from the welcome. */
  async function hostPeer(room: string): Promise<{ room: Room; received: Promise<ArrayBuffer> }> {
    const session = await connect((h as Harness).server.signalingUrl, { room, ...NODE_WEBRTC });
    rooms.push(session);
    const received = new Promise<ArrayBuffer>((resolve) => session.on('message', (_peer, data) => resolve(data as ArrayBuffer)));
    return { room: session, received };
  }

  it('connects a peer whose only way out is TCP to the signaling server and TURN: relay over TCP, 1 MiB with its SHA-256', async () => {
    net = await isolatedNetwork();
    turn = await Coturn.start({ secret: TURN_SECRET, listeningIps: [net.hostAddress], verbose: true });
    h = await startHarness({ host: net.hostAddress, turnUrls: [turn.tcpUrl], turnSecret: TURN_SECRET });
    await net.restrict({ onlyTcpTo: [h.server.port, turn.port] });

    const inside = isolatedPeer(net, { url: h.server.signalingUrl, room: 'tcp-only', stack: 'wrtc', send: MiB });
    peers.push(inside);
    await inside.report('joined');
    const outside = await hostPeer('tcp-only');
    const toInside = await openPeer(outside.room);

    // The isolated peer reaches its relay over TCP; the relay talks UDP to the host peer.
    const { local, remote } = await inside.report('pair');
    expect(local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tcp', address: RELAY_IP, url: turn.tcpUrl });
    expect(remote.candidateType).not.toBe('relay');
    expect((await selectedPair(toInside.pc)).remote).toMatchObject({ candidateType: 'relay', protocol: 'udp', address: RELAY_IP });
    const sent = await inside.report('sent');
    const data = await outside.received;
    expect([data.byteLength, sha256(data)]).toEqual([MiB, sent.sha256]);
    const { peerId } = await inside.report('joined');
    // Its own allocation (TURN usernames are `<expiry>:<peer id>`; peer ids are URL-safe base64).
    expect(turn.log()).toMatch(new RegExp(`user <\\d+:${peerId}>: incoming packet ALLOCATE processed, success`));
    // Gathering through a TURN server over UDP could not have worked: no UDP leaves the namespace.
    expect((await inside.report('gathered')).candidates).not.toContain('srflx/udp');
  }, 60_000);

  it('cannot use TURN over TCP from node-datachannel (libjuice: UDP only): behind that firewall only the relay through the signaling server connects it', async () => {
    net = await isolatedNetwork();
    turn = await Coturn.start({ secret: TURN_SECRET, listeningIps: [net.hostAddress], verbose: true });
    h = await startHarness({ host: net.hostAddress, turnUrls: [turn.tcpUrl], turnSecret: TURN_SECRET });
    await net.restrict({ onlyTcpTo: [h.server.port, turn.port] });
    // The CLI's peer runs on this stack. (Its polyfill does not enforce iceTransportPolicy 'relay', and
    // reports the end of gathering before its candidates: only the outcome tells.)
    const inside = isolatedPeer(net, { url: h.server.signalingUrl, room: 'juice', stack: 'node-datachannel', send: MiB });
    peers.push(inside);
    const outside = await hostPeer('juice');
    // The last rung: ICE never connects, the data goes through the signaling server, whole.
    expect((await inside.report('path', (p) => p.path === 'relay')).reason).toMatch(/ICE did not connect within 4 s|ICE failed/);
    const sent = await inside.report('sent');
    const data = await outside.received;
    expect([data.byteLength, sha256(data)]).toEqual([MiB, sent.sha256]);
    expect(inside.reports.filter((r) => r.type === 'ice').map((r) => r.state)).not.toContain('connected');
    // It never even tried the TURN server it was given (the host's peer did: its allocation is logged).
    const { peerId } = await inside.report('joined');
    expect(turn.log()).toMatch(/incoming packet ALLOCATE processed, success/);
    expect(turn.log()).not.toContain(`:${peerId}>`);
  }, 60_000);

  it('never connects that peer by ICE without TURN: every host pair is dropped (and libwebrtc still reports no `failed`)', async () => {
    net = await isolatedNetwork();
    h = await startHarness({ host: net.hostAddress });
    await net.restrict({ onlyTcpTo: [h.server.port] });
    // The relay turned off, to see ICE alone fail.
    const config = { url: h.server.signalingUrl, room: 'no-turn', stack: 'wrtc' as const, options: { relay: false } };
    const inside = isolatedPeer(net, config);
    const outside = isolatedPeer(null, config);
    peers.push(inside, outside);
    // Both gathered host candidates and exchanged them: the checks run, and time out.
    expect((await inside.report('gathered')).candidates).toContain('host/udp');
    expect((await outside.report('gathered')).candidates).toContain('host/udp');
    await expect(inside.report('open', undefined, 15_000)).rejects.toThrow(/no open report within 15000 ms/);
    expect(inside.reports.filter((r) => r.type === 'ice').map((r) => r.state)).not.toContain('connected');
  }, 60_000);

  it('connects that same peer through the relay of the signaling server, and sends 1 MiB both ways whole', async () => {
    net = await isolatedNetwork();
    h = await startHarness({ host: net.hostAddress });
    await net.restrict({ onlyTcpTo: [h.server.port] });
    const config = {
      url: h.server.signalingUrl,
      room: 'rescued',
      stack: 'wrtc' as const,
      send: MiB,
      options: { relay: { afterMs: 1000 } },
    };
    const inside = isolatedPeer(net, config);
    const outside = isolatedPeer(null, config);
    peers.push(inside, outside);
    for (const peer of [inside, outside])
      expect((await peer.report('path', (p) => p.path === 'relay')).reason).toBe('ICE did not connect within 1 s');
    const [sentIn, sentOut] = [await inside.report('sent'), await outside.report('sent')];
    expect((await outside.report('received')).sha256).toBe(sentIn.sha256);
    expect((await inside.report('received')).sha256).toBe(sentOut.sha256);
    expect(inside.reports.filter((r) => r.type === 'ice').map((r) => r.state)).not.toContain('connected');
    // Everything went through the server: a mebibyte each way, and a little more.
    expect(await metric(h.server, 'icebreaker_relayed_bytes_total')).toBeGreaterThan(2 * MiB);
  }, 60_000);

  it('connects directly over ICE-TCP when only UDP is dropped: dropping UDP alone does not force TURN on libwebrtc', async () => {
    net = await isolatedNetwork({ dropUdp: true });
    turn = await Coturn.start({ secret: TURN_SECRET, listeningIps: [net.hostAddress] });
    h = await startHarness({ host: net.hostAddress, turnUrls: [turn.url], turnSecret: TURN_SECRET });
    const inside = isolatedPeer(net, { url: h.server.signalingUrl, room: 'ice-tcp', stack: 'wrtc', send: 64 * 1024 });
    peers.push(inside);
    const outside = await hostPeer('ice-tcp');
    const { local } = await inside.report('pair');
    // Direct: the namespace's own TCP socket, seen as a host candidate or, when its active end is
    // learnt from the checks, as peer-reflexive (RFC 6544 §5.2): never a relay.
    expect(local.protocol).toBe('tcp');
    expect(['host', 'prflx']).toContain(local.candidateType);
    expect(sha256(await outside.received)).toBe((await inside.report('sent')).sha256);
    // TURN over UDP was offered and could not be reached.
    expect((await inside.report('gathered')).candidates).not.toContain('relay/udp');
  }, 60_000);

  it('leaves relay-only peers with no candidate when TURN refuses the credential (401): ICE cannot connect, the relay does', async () => {
    failing = await refusedTurn();
    h = await startHarness(failing.server);
    const config = { url: h.server.signalingUrl, room: 'refused', stack: 'wrtc' as const, ...failing.peer, send: MiB };
    const [a, b] = [isolatedPeer(null, config), isolatedPeer(null, config)];
    peers.push(a, b);
    for (const peer of [a, b]) {
      expect((await peer.report('candidate-error', (e) => e.errorCode === 401)).url).toBe(failing.turn?.url);
      expect((await peer.report('gathered')).candidates).toEqual([]);
    }
    // With no candidate on either side there is no pair to check: only the relay can open the channel.
    expect((await a.report('path', (p) => p.path === 'relay')).reason).toMatch(/ICE did not connect/);
    expect((await b.report('received')).sha256).toBe((await a.report('sent')).sha256);
    expect([...a.reports, ...b.reports].filter((r) => r.type === 'pair')).toEqual([]);
    expect(failing.turn?.log()).toMatch(/Cannot find credentials of user <\d+:[\w-]+>/);
  }, 60_000);

  it('leaves relay-only peers with no candidate when there is no TURN server at all: ICE cannot connect', async () => {
    failing = relayWithoutTurn();
    h = await startHarness(failing.server);
    const config = { url: h.server.signalingUrl, room: 'no-relay', stack: 'wrtc' as const, ...failing.peer, send: MiB };
    const [a, b] = [isolatedPeer(null, config), isolatedPeer(null, config)];
    peers.push(a, b);
    for (const peer of [a, b]) expect((await peer.report('gathered')).candidates).toEqual([]);
    // No pair ever: the relay through the signaling server carries the data.
    expect((await a.report('received')).sha256).toBe((await b.report('sent')).sha256);
    expect([...a.reports, ...b.reports].filter((r) => r.type === 'path').map((r) => r.type === 'path' && r.path)).toEqual([
      'relay',
      'relay',
    ]);
  }, 60_000);

  it('TURNS on 443 with a self-signed certificate: libwebrtc in Node refuses it (701), so that peer has no relay', async () => {
    net = await isolatedNetwork();
    // 443 on the namespace's own host address: parallel suites each have theirs, so they do not collide.
    turn = await Coturn.start({ secret: TURN_SECRET, listeningIps: [net.hostAddress], tlsPort: 443 });
    h = await startHarness({ host: net.hostAddress, turnUrls: [turn.tlsUrl], turnSecret: TURN_SECRET });
    await net.restrict({ onlyTcpTo: [h.server.port, 443] });
    const inside = isolatedPeer(net, { url: h.server.signalingUrl, room: 'turns', stack: 'wrtc' });
    peers.push(inside);
    // A peer gathers once there is another peer to connect to.
    await hostPeer('turns');
    expect(await inside.report('candidate-error', (e) => e.url === turn?.tlsUrl)).toMatchObject({ errorCode: 701 });
    expect((await inside.report('gathered')).candidates).not.toContain('relay/udp');
  }, 60_000);
});
