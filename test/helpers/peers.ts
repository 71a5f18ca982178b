import {
  type ConnectOptions,
  connect,
  type IcebreakerError,
  type RemotePeer,
  type Room,
  type SafetyNumber,
  type SignalingState,
  type WebSocketConstructor,
} from '@icebreaker/client';
import wrtc from '@roamhq/wrtc';
import { RTCPeerConnection as DataChannelPeerConnection } from 'node-datachannel/polyfill';
import { afterEach, beforeEach } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness } from './server.js';

// @roamhq/wrtc crashes (SIGSEGV in napi_reference_unref, from a peer connection's finalizer) when the
// garbage collector or Node's exit clean-up frees a closed connection after its data channels
// (WonderInventions/node-webrtc#35): a test worker would die mid-run or after its tests passed. Tests
// keep every connection and channel they make alive, and exit through process.exit, which skips the clean-up.
const kept: object[] = [];
class KeptRTCPeerConnection extends (wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection) {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    kept.push(this);
    this.addEventListener('datachannel', (event) => kept.push(event.channel));
  }
  override createDataChannel(label: string, options?: RTCDataChannelInit): RTCDataChannel {
    const channel = super.createDataChannel(label, options);
    kept.push(channel);
    return channel;
  }
}
process.once('exit', (code) => process.exit(code));

/** Node has no WebRTC: tests inject libwebrtc (@roamhq/wrtc), as a Node application would. */
export const NODE_WEBRTC = {
  RTCPeerConnection: KeptRTCPeerConnection as typeof RTCPeerConnection,
  WebSocket: WebSocket as unknown as WebSocketConstructor,
};

/** libdatachannel through node-datachannel's W3C polyfill: the lightest WebRTC stack for Node. */
export const LIBDATACHANNEL = { RTCPeerConnection: DataChannelPeerConnection as unknown as typeof RTCPeerConnection };

/** Both WebRTC stacks of Node, for `it.each`: the default (@roamhq/wrtc) and node-datachannel. */
export const NODE_STACKS: Array<[string, Partial<ConnectOptions>]> = [
  ['@roamhq/wrtc', {}],
  ['node-datachannel', LIBDATACHANNEL],
];

/** A fresh server for every test of the calling `describe`, and the sessions a test opens, closed after it. */
export function serverPerTest(): { readonly h: Harness; readonly sessions: Room[] } {
  const fixture = { h: undefined as unknown as Harness, sessions: [] as Room[] };
  beforeEach(async () => {
    fixture.h = await startHarness();
  });
  afterEach(async () => {
    for (const s of fixture.sessions.splice(0)) s.close();
    await fixture.h.close();
  });
  return fixture;
}

/** Connects a Node peer to `url` in `room`; the caller closes it. */
export function nodePeer(url: string, room: string, extra: Partial<ConnectOptions> = {}): Promise<Room> {
  return connect(url, { room, ...NODE_WEBRTC, iceServers: [], ...extra });
}

/** Resolves with the remote peer of `session` once its data channel is open. */
export function openPeer(session: Room, id?: string): Promise<RemotePeer> {
  for (const peer of session.peers.values()) {
    if ((id === undefined || peer.id === id) && peer.channelState === 'open') return Promise.resolve(peer);
  }
  return new Promise((resolve) => {
    const off = session.on('open', (peer) => {
      if (id !== undefined && peer.id !== id) return;
      off();
      resolve(peer);
    });
  });
}

/** Resolves with the next `count` messages `session` receives from `from`. */
export function messages(session: Room, count: number, from?: string): Promise<unknown[]> {
  const got: unknown[] = [];
  return new Promise((resolve) => {
    const off = session.on('message', (peer, data) => {
      if (from !== undefined && peer.id !== from) return;
      got.push(data);
      if (got.length === count) {
        off();
        resolve(got);
      }
    });
  });
}

/** The ICE username fragment of a description, which changes on every ICE restart. */
export function ufrag(description: RTCSessionDescription | null): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(description?.sdp ?? '')?.[1];
}

/** Waits until `check` holds, re-checking whenever `emitter` reports a state change. */
export function until(peer: RemotePeer, check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = peer.on('state', () => {
      if (!check()) return;
      off();
      resolve();
    });
  });
}

/** Resolves once `session`'s signaling connection is in `state`. */
export function signalingState(session: Room, state: SignalingState): Promise<void> {
  if (session.signalingState === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = session.on('signaling', (now) => {
      if (now !== state) return;
      off();
      resolve();
    });
  });
}

/** Resolves with `peer`'s safety number once `check` accepts it (by default: once it is checked, not `pending`). */
export function safetyOf(
  peer: RemotePeer,
  check: (number: SafetyNumber) => boolean = (n) => n.checked !== 'pending',
): Promise<SafetyNumber> {
  const now = peer.safetyNumber;
  if (now && check(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = peer.on('safety', (number) => {
      if (!check(number)) return;
      off();
      resolve(number);
    });
  });
}

/** The next error of `room` with `code`, and the peer it names. */
export function roomError(room: Room, code: string): Promise<{ error: IcebreakerError; peer: RemotePeer | undefined }> {
  return new Promise((resolve) => {
    const off = room.on('error', (error, peer) => {
      if (error.code !== code) return;
      off();
      resolve({ error, peer });
    });
  });
}

/** The first RemotePeer of `room`, open or not (one whose relay keys were swapped never opens). */
export function firstPeer(room: Room): Promise<RemotePeer> {
  const known = [...room.peers.values()][0];
  if (known) return Promise.resolve(known);
  return new Promise((resolve) => {
    const off = room.on('peer', (peer) => {
      off();
      resolve(peer);
    });
  });
}

/** A fresh ECDH P-256 public key, raw and base64url: what a path in the middle hands out as a relay key. */
export async function attackerKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair;
  return Buffer.from(await crypto.subtle.exportKey('raw', pair.publicKey)).toString('base64url');
}

/** ICE cannot connect (relay-only policy, no TURN): the relay through the server carries the data. */
export const NO_PATH = { rtcConfiguration: { iceTransportPolicy: 'relay' as const }, relay: { afterMs: 300 } };
