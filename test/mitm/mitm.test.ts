import { createHash, randomBytes } from 'node:crypto';
import {
  type ConnectOptions,
  connect,
  type IcebreakerError,
  type RemotePeer,
  type Room,
  type SafetyNumber,
  type WebSocketConstructor,
} from '@icebreaker/client';
import { createInvite } from '@icebreaker/client/pairing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIBDATACHANNEL, messages, NODE_WEBRTC, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';
import { Mitm, type MitmLine } from './mitm.js';

/** A Node peer that connects to `url` (the man in the middle's), on node-datachannel unless told. */
function peer(url: string, room: string, stack: Partial<ConnectOptions> = LIBDATACHANNEL, secret?: string): Promise<Room> {
  return connect(url, {
    room,
    ...stack,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    iceServers: [],
    ...(secret ? { secret } : {}),
  });
}

/** `peer`'s safety number once the handshake check is done (not `pending`). */
function settledSafety(peer: RemotePeer): Promise<SafetyNumber> {
  const now = peer.safetyNumber;
  if (now && now.checked !== 'pending') return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = peer.on('safety', (number) => {
      if (number.checked === 'pending') return;
      off();
      resolve(number);
    });
  });
}

/** The next error of `room` with `code`, and the peer it names. */
function roomError(room: Room, code: string): Promise<{ error: IcebreakerError; peer: RemotePeer | undefined }> {
  return new Promise((resolve) => {
    const off = room.on('error', (error, peer) => {
      if (error.code !== code) return;
      off();
      resolve({ error, peer });
    });
  });
}

const STACKS: Array<[string, Partial<ConnectOptions>]> = [
  ['node-datachannel', LIBDATACHANNEL],
  ['@roamhq/wrtc', NODE_WEBRTC],
];

const texts = (lines: MitmLine[]) => lines.filter((line) => typeof line.read === 'string').map((line) => line.read as string);

/**
 * Sends both ways between two rooms' peers, checks every message arrives intact, and returns each
 * side's safety number of the other.
 */
async function talk(a: Room, b: Room, tag: string): Promise<[SafetyNumber, SafetyNumber]> {
  const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
  const atA = messages(a, 2);
  const atB = messages(b, 2);
  const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
  await toB.send(`hello from a (${tag})`);
  await toB.send(bytes);
  await toA.send(`hello from b (${tag})`);
  await toA.send({ json: tag });
  const [textAtB, bytesAtB] = await atB;
  expect(textAtB).toBe(`hello from a (${tag})`);
  expect(new Uint8Array(bytesAtB as ArrayBuffer)).toEqual(bytes);
  expect(await atA).toEqual([`hello from b (${tag})`, { json: tag }]);
  return Promise.all([settledSafety(toB), settledSafety(toA)]);
}

describe.each(['honest', 'swap'] as const)('a %s man in the middle', (mode) => {
  let h: Harness;
  let mitm: Mitm;
  const sessions: Room[] = [];
  beforeAll(async () => {
    h = await startHarness();
    mitm = await Mitm.start(h.server.url, mode);
  });
  afterEach(() => {
    for (const s of sessions.splice(0)) s.close();
    expect(mitm.lines.filter((line) => line.error !== undefined)).toEqual([]);
    expect(mitm.alive).toBe(true);
  });
  afterAll(async () => {
    await mitm.stop();
    await h.close();
  });

  it('passes plain HTTP through unchanged', async () => {
    for (const path of ['/readyz', '/no-such-page']) {
      const [direct, through] = await Promise.all([fetch(new URL(path, h.server.url)), fetch(new URL(path, mitm.url))]);
      expect(through.status).toBe(direct.status);
      expect(await through.text()).toBe(await direct.text());
    }
  });

  it.each(STACKS)('lets two peers talk both ways (the first on %s)', async (stack, first) => {
    const room = `talk-${mode}-${stack.replace(/\W/g, '')}`;
    const before = mitm.lines.length;
    const a = await peer(mitm.signalingUrl, room, first);
    sessions.push(a);
    const b = await peer(mitm.signalingUrl, room);
    sessions.push(b);
    const [atA, atB] = await talk(a, b, stack);
    const seen = mitm.lines.slice(before).filter((line) => [line.from, line.to].some((id) => id === a.peerId || id === b.peerId));
    if (mode === 'swap') {
      const swapped = seen.filter((line) => line.swapped !== undefined);
      expect(swapped.map((line) => line.swapped)).toEqual(['answer', 'offer']);
      expect(texts(seen)).toEqual(expect.arrayContaining([`hello from a (${stack})`, `hello from b (${stack})`, `{"json":"${stack}"}`]));
      // Each peer's number is made with the man in the middle's certificate: they differ, and show it.
      expect(atA.digits).not.toBe(atB.digits);
      expect(atA.remote).not.toBe(atB.local);
      expect(atB.remote).not.toBe(atA.local);
      expect([atA.remote, atB.remote]).toEqual(swapped.map((line) => line.fingerprint));
    } else {
      expect(texts(seen)).toEqual([]);
      expect(atA.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
      expect(atA.digits).toBe(atB.digits);
      expect([atA.remote, atB.remote]).toEqual([atB.local, atA.local]);
    }
  });

  it('connects the next peer after one left', async () => {
    const room = `next-${mode}`;
    const a = await peer(mitm.signalingUrl, room);
    const b = await peer(mitm.signalingUrl, room);
    sessions.push(a, b);
    await talk(a, b, 'first');
    const left = new Promise((resolve) => a.on('peer-left', resolve));
    b.close();
    await left;
    const before = mitm.lines.length;
    const c = await peer(mitm.signalingUrl, room);
    sessions.push(c);
    await talk(a, c, 'next');
    if (mode === 'swap')
      expect(texts(mitm.lines.slice(before))).toEqual(expect.arrayContaining(['hello from a (next)', 'hello from b (next)']));
  });

  it('carries a file on its own channel, bytes intact', async () => {
    const room = `file-${mode}`;
    const before = mitm.lines.length;
    const a = await peer(mitm.signalingUrl, room);
    const b = await peer(mitm.signalingUrl, room, NODE_WEBRTC);
    sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const bytes = randomBytes(1024 * 1024 + 17);
    const arriving = new Promise<Blob | null>((resolve) => b.on('transfer', (_peer, transfer) => resolve(transfer.done)));
    const sent = toB.sendFile(Object.assign(new Blob([bytes]), { name: 'through.bin' }));
    const [, blob] = await Promise.all([sent.done, arriving]);
    const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
    expect(sha256(new Uint8Array(await (blob as Blob).arrayBuffer()))).toBe(sha256(bytes));
    const seen = mitm.lines.slice(before).filter((line) => line.from === a.peerId || line.from === b.peerId);
    const bridged = seen.filter((line) => line.bridged !== undefined).map((line) => line.bridged);
    const fileBytes = seen.filter((line) => line.label === 'icebreaker-file' && typeof line.readBinary === 'number');
    if (mode === 'swap') {
      expect(bridged).toEqual(['icebreaker', 'icebreaker-file']);
      expect(fileBytes.reduce((sum, line) => sum + (line.readBinary as number), 0)).toBeGreaterThanOrEqual(bytes.length);
    } else {
      expect([...bridged, ...fileBytes]).toEqual([]);
    }
  });

  it('with a link secret: both peers refuse the other (tampered) or, honest, prove it and talk', async () => {
    const { room, secret } = createInvite('http://localhost/');
    const before = mitm.lines.length;
    const a = await peer(mitm.signalingUrl, room, LIBDATACHANNEL, secret);
    sessions.push(a);
    const refusedAtA = roomError(a, 'tampered');
    const b = await peer(mitm.signalingUrl, room, NODE_WEBRTC, secret);
    sessions.push(b);
    const got: unknown[] = [];
    for (const room of [a, b]) room.on('message', (_peer, data) => got.push(data));
    if (mode === 'honest') {
      const [atA, atB] = await talk(a, b, 'paired');
      expect(atA.digits).toBe(atB.digits);
      expect([...a.peers.values(), ...b.peers.values()].map((p) => p.paired)).toEqual([true, true]);
      return;
    }
    const refusedAtB = roomError(b, 'tampered');
    const [atA, atB] = await Promise.all([refusedAtA, refusedAtB]);
    // A gets the man in the middle's answer with no proof; B his offer with A's proof, over A's fingerprint.
    expect(atA.error.message).toContain('no proof');
    expect(atB.error.message).toContain('a wrong proof');
    expect([atA.peer?.id, atB.peer?.id]).toEqual([b.peerId, a.peerId]);
    expect([atA.peer?.paired, atB.peer?.paired]).toEqual([false, false]);
    await mitm.waitFor((line) => line.swapped === 'offer' && line.proof === true);
    // Both refused before any channel opened: the man in the middle has nothing to bridge or read.
    await Promise.all([a, b].map((room) => closedPeers(room)));
    // Only this test's peers: what the man in the middle read of earlier ones may still be logged.
    const ours = [a.peerId, b.peerId];
    const seen = mitm.lines.slice(before).filter((line) => ours.includes(line.from as string));
    expect(seen.filter((line) => line.read !== undefined || line.readBinary !== undefined || line.bridged !== undefined)).toEqual([]);
    expect(got).toEqual([]);
    expect([a.signalingState, b.signalingState]).toEqual(['open', 'open']);
    expect((await fetch(new URL('/healthz', h.server.url))).status).toBe(200);
  });
});

/** Resolves once every peer of `room` has its channel closed (a refused peer's connection is closed). */
async function closedPeers(room: Room): Promise<void> {
  for (const peer of room.peers.values()) {
    if (peer.channelState === 'closed') continue;
    await new Promise<void>((resolve) => {
      const off = peer.on('state', () => {
        if (peer.channelState !== 'closed') return;
        off();
        resolve();
      });
    });
  }
}
