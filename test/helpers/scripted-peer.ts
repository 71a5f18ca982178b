/**
 * A Node peer run as its own process (by `isolatedPeer`, inside a network namespace): it joins a room
 * with the Icebreaker client, sends or receives random bytes, and reports on stdout, one JSON object a
 * line, what a test asserts on (see {@link PeerReport}). Its one argument is a {@link ScriptedPeerConfig}
 * in JSON. It runs until killed, or until its stdin ends.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type RemotePeer } from '@icebreaker/client';
import wrtc from '@roamhq/wrtc';
import { RTCPeerConnection as DataChannelPeerConnection } from 'node-datachannel/polyfill';
import WebSocket from 'ws';
import { selectedPair } from './selected-pair.js';

/** What the peer is told to do. */
export interface ScriptedPeerConfig {
  readonly url: string;
  readonly room: string;
  /** libwebrtc (@roamhq/wrtc: TURN over UDP, TCP and TLS) or libdatachannel (TURN over UDP only). */
  readonly stack: 'wrtc' | 'node-datachannel';
  /** Instead of the welcome's ICE servers. */
  readonly iceServers?: RTCIceServer[];
  readonly rtcConfiguration?: RTCConfiguration;
  /** More options of `connect` (JSON-able ones), e.g. those of a newer rung of the ladder. */
  readonly options?: Record<string, unknown>;
  /** Random bytes to send, in one message, to the first peer whose channel opens. */
  readonly send?: number;
}

/** A line the peer prints. */
export type PeerReport =
  | { readonly type: 'joined'; readonly peerId: string }
  | { readonly type: 'ice'; readonly state: RTCIceConnectionState }
  /**
   * Gathering finished: the local candidates found, as `<type>/<protocol>` (e.g. `relay/udp`, `host/tcp`).
   * Exact with libwebrtc; node-datachannel's polyfill may say `complete` before its candidates arrive.
   */
  | { readonly type: 'gathered'; readonly candidates: readonly string[] }
  | { readonly type: 'candidate-error'; readonly errorCode: number; readonly url: string; readonly errorText: string }
  | { readonly type: 'open'; readonly peerId: string }
  /** The path the data takes changed (the ladder): `direct`, `turn` or `relay`, and why. */
  | { readonly type: 'path'; readonly path: string; readonly reason: string }
  | { readonly type: 'pair'; readonly local: Record<string, string>; readonly remote: Record<string, string> }
  | { readonly type: 'sent'; readonly bytes: number; readonly sha256: string }
  | { readonly type: 'received'; readonly bytes: number; readonly sha256: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

const report = (line: PeerReport) => process.stdout.write(`${JSON.stringify(line)}\n`);

// @roamhq/wrtc can crash while Node's exit clean-up frees its connections (see test/helpers/peers.ts):
// a signal ends the process at once.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
// Its stdin is a pipe from the test: it ends when the test process dies, and so does this peer,
// instead of lingering in a namespace nobody will delete.
process.stdin.on('end', () => process.exit(0)).resume();

const config = JSON.parse(process.argv[2] ?? '{}') as ScriptedPeerConfig;
const stack =
  config.stack === 'wrtc'
    ? (wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection)
    : (DataChannelPeerConnection as unknown as typeof RTCPeerConnection);

/** Reports each ICE state once, and the TURN/STUN errors of gathering (401: the credential was refused). */
class ReportingPeerConnection extends stack {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    let last = '';
    this.addEventListener('iceconnectionstatechange', () => {
      if (this.iceConnectionState === last) return;
      last = this.iceConnectionState;
      report({ type: 'ice', state: this.iceConnectionState });
    });
    const candidates: string[] = [];
    let gathered = false;
    // The end of gathering: a null candidate (libwebrtc), or only the state (node-datachannel's polyfill).
    const complete = () => {
      if (gathered) return;
      gathered = true;
      report({ type: 'gathered', candidates });
    };
    this.addEventListener('icecandidate', (event) => {
      const line = event.candidate?.candidate;
      if (!line) return complete();
      const [, , protocol, , , , , type] = line.split(' ');
      candidates.push(`${type}/${protocol?.toLowerCase()}`);
    });
    this.addEventListener('icegatheringstatechange', () => {
      if (this.iceGatheringState === 'complete') complete();
    });
    this.addEventListener('icecandidateerror', (event) => {
      const e = event as RTCPeerConnectionIceErrorEvent;
      report({ type: 'candidate-error', errorCode: e.errorCode, url: e.url, errorText: e.errorText });
    });
  }
}

const room = await connect(config.url, {
  room: config.room,
  RTCPeerConnection: ReportingPeerConnection as typeof RTCPeerConnection,
  WebSocket: WebSocket as never,
  ...(config.iceServers ? { iceServers: config.iceServers } : {}),
  ...(config.rtcConfiguration ? { rtcConfiguration: config.rtcConfiguration } : {}),
  ...config.options,
});
report({ type: 'joined', peerId: room.peerId });
room.on('error', (error) => report({ type: 'error', code: error.code, message: error.message }));
room.on('message', (_peer, data) => {
  if (!(data instanceof ArrayBuffer)) return;
  report({ type: 'received', bytes: data.byteLength, sha256: createHash('sha256').update(new Uint8Array(data)).digest('hex') });
});
room.on('path', (_peer, info) => report({ type: 'path', path: info.path, reason: info.reason ?? '' }));
room.on('open', (peer: RemotePeer) => {
  report({ type: 'open', peerId: peer.id });
  void (async () => {
    // Over the relay through the signaling server there is no candidate pair.
    if (peer.path !== 'relay') {
      const { local, remote } = await selectedPair(peer.pc);
      report({ type: 'pair', local: { ...local }, remote: { ...remote } });
    }
    if (config.send === undefined) return;
    const bytes = randomBytes(config.send);
    await peer.send(bytes);
    report({ type: 'sent', bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
  })().catch((error: Error) => report({ type: 'error', code: 'script', message: error.message }));
});
