import { parseCandidate, type SignalingClient } from '@icebreaker/client';
import { PeerTrust } from '@icebreaker/client/pairing';
import {
  DEFAULT_FRAME_BYTES,
  describeIssues,
  encodeFrames,
  FrameKind,
  type IcebreakerError,
  IceServer,
  MAIN_LABEL,
  type PeerId,
  Reassembler,
  type RequestId,
  type SignalData,
  TRANSFER_LABEL,
  type WelcomeMessage,
} from '@icebreaker/protocol';
import * as v from 'valibot';
import { LessonRecord } from './lesson-record.js';
import { STEPS } from './steps.js';
import type { CandidateRow, LessonEvents, LiveStates, Mode, StepStatus, Teaching } from './teaching.js';
import { trustOutput } from './trust-notes.js';

/** The library's channel label and framing, so a step-by-step tab can talk to an automatic one. */
export const CHANNEL_LABEL = MAIN_LABEL;

const IceServers = v.array(IceServer);

/**
 * The two-peer connection of the seed, one step at a time. The caller (PEER1) is the peer that was
 * alone in the room when it joined. In `steps` mode the learner runs each action; in `auto` mode every
 * action runs as soon as it is ready and candidates trickle, as in a real application. Both modes go
 * through the same steps, so the page shows the same things.
 */
export class Lesson extends LessonRecord<LessonEvents> implements Teaching {
  mode: Mode;
  /** The ICE servers as editable JSON; read by steps 1 and 13. */
  iceServersText: string;

  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private localDescription: RTCSessionDescriptionInit | null = null;
  private remoteDescription: RTCSessionDescriptionInit | null = null;
  private descriptionRequest: RequestId | null = null;
  private trickling = false;
  private gatheringDone = false;
  private endOfCandidatesSent = false;
  private remoteEnded = false;
  private running: number | null = null;
  private readonly failures = new Map<number, string>();

  constructor(
    private readonly signaling: SignalingClient,
    welcome: WelcomeMessage,
    mode: Mode,
  ) {
    super(welcome.peers.length === 0 ? 'caller' : 'callee', welcome.peers[0]?.id ?? null);
    this.mode = mode;
    this.iceServersText = JSON.stringify(welcome.iceServers, null, 2);
    signaling.on('signal', (from, data) => this.receive(from, data));
    signaling.on('peer-joined', (peer) => this.peerJoined(peer.id));
    signaling.on('peer-left', (peerId, reason) => this.peerLeft(peerId, reason));
    signaling.on('error', (error, re) => this.serverError(error, re));
    signaling.on('close', (code) => this.end(`The signaling connection closed (${code}). Reload to start again.`));
    this.log(
      'info',
      `Joined room "${welcome.room}" as ${this.role === 'caller' ? 'PEER1, the caller' : 'PEER2, the callee'} (id ${welcome.peerId}).`,
    );
    if (this.role === 'callee') this.complete(11, { kind: 'text', text: `Joined room "${welcome.room}", where PEER1 is waiting.` });
  }

  // ── what the view reads ──────────────────────────────────────────────────────────────────────

  status(n: number): StepStatus {
    if (this.done.has(n)) return 'done';
    if (this.running === n) return 'running';
    if (this.elsewhere(n)) return 'elsewhere';
    if (this.failures.has(n)) return 'failed';
    return this.ready(n) ? 'ready' : 'waiting';
  }

  failure(n: number): string | undefined {
    return this.failures.get(n);
  }

  get started(): boolean {
    return this.done.has(1) || this.done.has(13);
  }

  get peerConnection(): RTCPeerConnection | null {
    return this.pc;
  }

  /** Step by step runs without the library, so without an invite link's secret. */
  get paired(): boolean {
    return false;
  }

  /** Step by step runs on the bare WebRTC API: the view reads the path from the selected pair. */
  get path(): null {
    return null;
  }

  states(): LiveStates {
    const pc = this.pc;
    return {
      signalingState: pc?.signalingState ?? '—',
      iceGatheringState: pc?.iceGatheringState ?? '—',
      iceConnectionState: pc?.iceConnectionState ?? '—',
      connectionState: pc?.connectionState ?? '—',
      channelState: this.channel?.readyState ?? '—',
    };
  }

  // ── what the learner does ────────────────────────────────────────────────────────────────────

  setMode(mode: Mode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.log('info', mode === 'auto' ? 'Automatic mode: the remaining steps run by themselves, candidates trickle.' : 'Step-by-step mode.');
    this.changed();
  }

  /** Runs one action step. Does nothing unless the step is ready; a failure is shown on the step. */
  async run(n: number): Promise<void> {
    if (this.running !== null || !this.ready(n) || this.ended) return;
    this.running = n;
    this.failures.delete(n);
    this.changed();
    try {
      await this.perform(n);
      this.done.add(n);
      this.log('step', `Step ${n} done: ${STEPS.find((s) => s.n === n)?.title ?? ''}.`);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.failures.set(n, message);
      this.log('error', `Step ${n} failed: ${message}`);
    } finally {
      this.running = null;
      this.changed();
    }
  }

  sendChat(text: string): void {
    if (this.channel?.readyState !== 'open' || text === '') return;
    for (const frame of encodeFrames(FrameKind.Text, new TextEncoder().encode(text), DEFAULT_FRAME_BYTES)) this.channel.send(frame);
    this.emit('chat', { from: 'me', text });
  }

  // ── step preconditions and actions ───────────────────────────────────────────────────────────

  /** Whether action step `n` may run now: it is this peer's, not done, and its inputs exist. */
  private ready(n: number): boolean {
    if (this.done.has(n) || this.ended) return false;
    const pc = this.pc;
    if (this.role === 'caller') {
      switch (n) {
        case 1:
          return true;
        case 2:
          return this.done.has(1);
        case 3:
          return pc !== null;
        case 5:
          return this.channel !== null;
        case 6:
          return this.localDescription !== null;
        case 8:
          return this.done.has(6);
        // Trickle ICE sends candidates right after the offer; the seed's teaching order holds them
        // until the answer is back (its step 25).
        case 25:
          return this.mode === 'auto' ? this.done.has(8) : this.remoteDescription !== null;
        case 26:
          return this.remoteDescription !== null;
      }
      return false;
    }
    switch (n) {
      case 13:
        return true;
      case 14:
        return this.done.has(13);
      case 16:
        return pc !== null;
      case 17:
        return this.done.has(16) && this.remoteDescription !== null;
      case 18:
        return this.done.has(17);
      case 19:
        return this.localDescription !== null;
      case 21:
        return this.done.has(19);
      case 22:
        return this.done.has(21);
    }
    return false;
  }

  private async perform(n: number): Promise<void> {
    switch (n) {
      case 1:
      case 13: {
        const servers = this.readIceServers();
        this.outputs.set(n, { kind: 'json', text: 'The RTCPeerConnection will be configured with:', value: { iceServers: servers } });
        return;
      }
      case 2:
      case 14:
        this.createPeerConnection();
        this.outputs.set(n, { kind: 'text', text: 'Created. Listening for icecandidate, icecandidateerror and every state change.' });
        if (n === 14) this.complete(15, { kind: 'text', text: 'PEER2 will only receive: no tracks, no channel of its own.' });
        return;
      case 3: {
        const channel = this.requirePc().createDataChannel(CHANNEL_LABEL);
        this.wireChannel(channel);
        this.outputs.set(3, {
          kind: 'text',
          text: `Data channel "${channel.label}" created; readyState "${channel.readyState}" until the connection is up.`,
        });
        this.complete(4, { kind: 'text', text: 'The channel belongs to the connection already; the offer will describe it.' });
        return;
      }
      case 5:
      case 18: {
        const pc = this.requirePc();
        const description = n === 5 ? await pc.createOffer() : await pc.createAnswer();
        this.localDescription = { type: description.type, sdp: description.sdp ?? '' };
        this.outputs.set(n, { kind: 'sdp', text: `An RTCSessionDescription of type "${description.type}":`, sdp: description.sdp ?? '' });
        return;
      }
      case 6:
      case 19: {
        const pc = this.requirePc();
        await pc.setLocalDescription(this.requireLocalDescription());
        this.outputs.set(n, { kind: 'text', text: `signalingState is now "${pc.signalingState}"; ICE gathering has started.` });
        return;
      }
      case 8:
      case 21: {
        const description = this.requireLocalDescription();
        this.descriptionRequest = this.signaling.signal(
          { kind: 'description', description: { type: description.type === 'offer' ? 'offer' : 'answer', sdp: description.sdp ?? '' } },
          this.remotePeer ?? undefined,
        );
        const where = this.remotePeer ? `to ${this.remotePeer}` : 'to the server, which holds it until PEER2 joins';
        this.outputs.set(n, { kind: 'text', text: `Sent the ${description.type} ${where}.` });
        if (n === 8 && this.remotePeer)
          this.complete(10, { kind: 'text', text: 'PEER2 was already in the room, so it went straight through.' });
        if (n === 21) this.complete(23, { kind: 'text', text: 'Relayed to PEER1.' });
        // After a hold expired and the offer went again, candidates that had gone with it go again too.
        if (this.trickling) this.flushCandidates();
        return;
      }
      case 16: {
        this.requirePc().addEventListener('datachannel', (event) => this.incomingChannel(event.channel));
        this.outputs.set(16, { kind: 'text', text: 'Listening. The channel will arrive once the connection is up.' });
        return;
      }
      case 17:
      case 26: {
        const pc = this.requirePc();
        const remote = this.remoteDescription;
        if (!remote) throw new Error('no remote description has arrived');
        await pc.setRemoteDescription(remote);
        const applied = await this.applyBufferedCandidates();
        this.outputs.set(n, {
          kind: 'text',
          text: `signalingState is now "${pc.signalingState}". ${applied} buffered candidate${applied === 1 ? '' : 's'} applied.`,
        });
        return;
      }
      case 22:
      case 25: {
        this.trickling = true;
        const sent = this.flushCandidates();
        this.outputs.set(n, {
          kind: 'text',
          text: `Sent ${sent} candidate${sent === 1 ? '' : 's'}${this.endOfCandidatesSent ? ' and end-of-candidates' : '; later ones follow as they appear'}.`,
        });
        if (n === 25)
          this.complete(9, {
            kind: 'text',
            text: this.mode === 'auto' ? 'Trickling: each candidate goes as soon as it appears.' : 'Sent in step 25.',
          });
        return;
      }
    }
    throw new Error(`step ${n} is not an action`);
  }

  private readIceServers(): RTCIceServer[] {
    let json: unknown;
    try {
      json = JSON.parse(this.iceServersText);
    } catch {
      throw new SyntaxError('the ICE servers must be a JSON array, e.g. [{"urls": "stun:stun.example.org"}]');
    }
    const parsed = v.safeParse(IceServers, json);
    if (!parsed.success) throw new TypeError(`not a list of ICE servers: ${describeIssues(parsed.issues)}`);
    return parsed.output;
  }

  private createPeerConnection(): void {
    const pc = new RTCPeerConnection({ iceServers: this.readIceServers() });
    this.pc = pc;
    // PEER1 opens the only channel; one that PEER2 opens is reported, not silently left unanswered.
    if (this.role === 'caller') pc.addEventListener('datachannel', (event) => this.incomingChannel(event.channel));
    pc.addEventListener('icecandidate', (event) => this.localCandidate(event.candidate));
    pc.addEventListener('icecandidateerror', (event) => {
      const e = event as RTCPeerConnectionIceErrorEvent;
      this.log('error', `ICE server ${e.url || '?'} did not answer (${e.errorCode} ${e.errorText}). Other candidates still work.`);
    });
    // Step 28 once DTLS is up, and again when the channel opens: whichever comes with both
    // descriptions in place makes the number (the step keeps the first).
    this.watchStates(pc, (property) => {
      if (property === 'connectionState' && pc.connectionState === 'connected') void this.checkTrust();
    });
  }

  /**
   * A channel the other peer opened. Only PEER1's "icebreaker" channel is ours: a peer written from
   * the docs with another label ("chat") would otherwise wait for ever for an answer on it.
   */
  private incomingChannel(channel: RTCDataChannel): void {
    const other = this.role === 'caller' ? 'PEER2' : 'PEER1';
    if (this.role === 'callee' && channel.label === CHANNEL_LABEL && !this.channel) {
      this.log('info', `datachannel event: "${channel.label}" arrived from PEER1.`);
      this.wireChannel(channel);
      this.changed();
      return;
    }
    channel.close();
    this.report(
      channel.label === TRANSFER_LABEL
        ? `${other} sent a file: files are received in automatic mode only. The chat still works.`
        : `${other} opened a data channel labelled "${channel.label}"; this page talks only on the one channel "${CHANNEL_LABEL}" ` +
            `that PEER1 opens (see the README's protocol section), so it closed it.`,
    );
  }

  private wireChannel(channel: RTCDataChannel): void {
    this.channel = channel;
    channel.addEventListener('open', () => {
      this.log('state', `data channel "${channel.label}" readyState → open`);
      this.complete(27, { kind: 'text', text: 'Connected peer to peer. Messages now travel directly, not through the server.' });
      void this.checkTrust();
    });
    channel.addEventListener('close', () => {
      this.log('state', `data channel "${channel.label}" readyState → closed`);
      this.changed();
    });
    channel.binaryType = 'arraybuffer';
    const reassembler = new Reassembler(1024 * 1024);
    channel.addEventListener('message', (event) => {
      if (typeof event.data === 'string') {
        this.emit('chat', { from: 'peer', text: event.data });
        return;
      }
      const result = reassembler.push(event.data);
      if (!result.ok) this.log('error', `Unreadable message: ${result.error.message}`);
      else if (result.value) {
        // JSON is shown as the text it came as: the step-by-step page shows what travels.
        const { kind, body } = result.value;
        this.emit('chat', {
          from: 'peer',
          text: kind === FrameKind.Binary ? `[${body.byteLength} bytes]` : new TextDecoder().decode(body),
        });
      }
    });
  }

  /**
   * Step 28: the safety number of this connection, made by the library's own code from the two SDPs
   * and the certificates getStats reports, so that it equals the number an automatic tab shows.
   */
  private async checkTrust(): Promise<void> {
    const pc = this.pc;
    if (this.done.has(28)) return;
    const local = pc?.localDescription?.sdp;
    const remote = pc?.remoteDescription?.sdp;
    if (!pc || !local || !remote) return;
    const trust = new PeerTrust({
      pc,
      secret: undefined,
      safety: () => {},
      error: (error) => this.report(`${error.code}: ${error.message}`),
    });
    try {
      await trust.outgoing('description', local);
      await trust.incoming('description', remote, undefined);
      await trust.connected();
    } catch (error) {
      this.log('error', `The safety number could not be made: ${(error as Error).message}`);
      return;
    }
    if (trust.number) this.complete(28, trustOutput(trust.number));
  }

  // ── candidates ───────────────────────────────────────────────────────────────────────────────

  private localCandidate(candidate: RTCIceCandidate | null): void {
    if (candidate === null || candidate.candidate === '') {
      if (this.gatheringDone) return;
      this.gatheringDone = true;
      const count = this.candidates.filter((c) => c.side === 'local').length;
      this.complete(this.role === 'caller' ? 7 : 20, {
        kind: 'text',
        text: `Gathering complete: ${count} candidate${count === 1 ? '' : 's'}. ${summarize(this.candidates, 'local')}`,
      });
      if (this.trickling) this.flushCandidates();
      return;
    }
    const init = candidate.toJSON();
    const row: CandidateRow = { side: 'local', init, parsed: parseCandidate(candidate.candidate), state: 'collected' };
    this.candidates.push(row);
    this.log('info', `Local candidate: ${describe(row)}`);
    if (this.trickling) this.flushCandidates();
    this.changed();
  }

  /** Sends every collected local candidate, then end-of-candidates once gathering is over. */
  private flushCandidates(): number {
    let sent = 0;
    for (const row of this.candidates) {
      if (row.side !== 'local' || row.state !== 'collected') continue;
      this.signaling.signal({ kind: 'candidate', candidate: toWire(row.init) }, this.remotePeer ?? undefined);
      row.state = 'sent';
      sent++;
    }
    if (this.gatheringDone && !this.endOfCandidatesSent) {
      this.signaling.signal({ kind: 'end-of-candidates' }, this.remotePeer ?? undefined);
      this.endOfCandidatesSent = true;
      this.log('signal', 'Sent end-of-candidates.');
    }
    if (sent > 0) this.log('signal', `Sent ${sent} candidate${sent === 1 ? '' : 's'}.`);
    return sent;
  }

  private async applyBufferedCandidates(): Promise<number> {
    let applied = 0;
    for (const row of this.candidates) {
      if (row.side === 'remote' && row.state === 'buffered') {
        await this.applyRemote(row);
        applied++;
      }
    }
    if (this.remoteEnded) await this.endRemoteCandidates();
    return applied;
  }

  private async applyRemote(row: CandidateRow): Promise<void> {
    try {
      await this.requirePc().addIceCandidate(row.init);
      row.state = 'applied';
    } catch (error) {
      row.state = 'failed';
      this.log('error', `Could not add remote candidate ${describe(row)}: ${(error as Error).message}`);
    }
    this.changed();
  }

  private async endRemoteCandidates(): Promise<void> {
    try {
      // An absent candidate is the W3C way to say "no more candidates" (RFC 8838 §13).
      await this.requirePc().addIceCandidate();
    } catch {
      // Older engines reject this form; ICE works the same without it, it only finishes sooner.
    }
  }

  // ── what arrives from the server ─────────────────────────────────────────────────────────────

  private receive(from: PeerId, data: SignalData): void {
    if (this.remotePeer === null) this.remotePeer = from;
    if (from !== this.remotePeer) return;
    switch (data.kind) {
      case 'description':
        this.receiveDescription(data.description);
        return;
      case 'candidate': {
        const row: CandidateRow = {
          side: 'remote',
          init: data.candidate,
          parsed: parseCandidate(data.candidate.candidate),
          state: 'buffered',
        };
        this.candidates.push(row);
        this.log('signal', `Received candidate ${describe(row)}`);
        if (this.role === 'callee') this.markElsewhere([9, 25]);
        else this.markElsewhere([22]);
        if (this.pc?.remoteDescription) void this.applyRemote(row);
        this.changed();
        return;
      }
      case 'end-of-candidates':
        this.remoteEnded = true;
        this.log('signal', 'Received end-of-candidates: the other peer found all its routes.');
        if (this.pc?.remoteDescription) void this.endRemoteCandidates();
        return;
    }
  }

  private receiveDescription(description: RTCSessionDescriptionInit): void {
    this.log('signal', `Received the ${description.type} (${description.sdp?.length ?? 0} characters of SDP).`);
    if (this.role === 'callee' && description.type === 'offer' && !this.remoteDescription) {
      this.remoteDescription = description;
      this.markElsewhere([1, 2, 3, 4, 5, 6, 7, 8]);
      this.complete(10, { kind: 'text', text: 'Delivered by the server.' });
      this.complete(12, { kind: 'sdp', text: 'The offer from PEER1:', sdp: description.sdp ?? '' });
    } else if (this.role === 'caller' && description.type === 'answer' && !this.remoteDescription) {
      this.remoteDescription = description;
      this.markElsewhere([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
      this.complete(23, { kind: 'text', text: 'Delivered by the server.' });
      this.complete(24, {
        kind: 'sdp',
        text: 'The answer from PEER2 (its candidates are listed below as they arrive):',
        sdp: description.sdp ?? '',
      });
    } else {
      this.log('error', `Ignored an unexpected ${description.type}: this page handles one offer and one answer.`);
    }
  }

  private peerJoined(peerId: PeerId): void {
    this.log('info', `Peer ${peerId} joined the room.`);
    if (this.role !== 'caller' || this.remotePeer !== null) return;
    this.remotePeer = peerId;
    this.complete(11, { kind: 'text', text: `PEER2 (${peerId}) joined the room.` });
    if (this.done.has(8)) this.complete(10, { kind: 'text', text: 'The server delivered the offer it was holding.' });
  }

  private peerLeft(peerId: PeerId, reason: string): void {
    this.log('info', `Peer ${peerId} left the room (${reason}).`);
    if (peerId !== this.remotePeer) return;
    this.remoteLeft = true;
    this.end(`The other peer left (${reason}). Start over to connect again.`);
  }

  private serverError(error: IcebreakerError, re: RequestId | undefined): void {
    this.log('error', `Server: ${error.code}: ${error.message}`);
    if (error.code === 'hold-expired' && re !== undefined && re === this.descriptionRequest) {
      // The offer and the candidates that waited with it are gone; step 8 may run again.
      this.done.delete(8);
      this.outputs.set(8, { kind: 'text', text: `Nobody joined in time, so the server discarded the offer. ${error.message}` });
      for (const row of this.candidates) if (row.side === 'local' && row.state === 'sent') row.state = 'collected';
      this.endOfCandidatesSent = false;
      this.changed();
    }
  }

  private end(reason: string): void {
    this.finish(reason, () => this.pc?.close());
  }

  protected override changed(): void {
    super.changed();
    if (this.mode === 'auto') queueMicrotask(() => this.drive());
  }

  /** Automatic mode: run the first of this peer's action steps that is ready. */
  private drive(): void {
    if (this.mode !== 'auto' || this.running !== null || this.ended) return;
    const next = STEPS.find((s) => s.action && s.actor === this.role && this.ready(s.n) && !this.failures.has(s.n));
    if (next) void this.run(next.n);
  }

  /** Starts automatic mode's work (called once the page is ready). */
  start(): void {
    this.changed();
  }

  private requirePc(): RTCPeerConnection {
    if (!this.pc) throw new Error('create the RTCPeerConnection first');
    return this.pc;
  }

  private requireLocalDescription(): RTCSessionDescriptionInit {
    if (!this.localDescription) throw new Error('create the description first');
    return this.localDescription;
  }
}

/** The candidate in the protocol's form (the browser's toJSON may carry extra or undefined fields). */
function toWire(init: RTCIceCandidateInit) {
  return {
    candidate: init.candidate ?? '',
    ...(init.sdpMid === undefined ? {} : { sdpMid: init.sdpMid }),
    ...(init.sdpMLineIndex === undefined ? {} : { sdpMLineIndex: init.sdpMLineIndex }),
    ...(init.usernameFragment === undefined ? {} : { usernameFragment: init.usernameFragment }),
  };
}

/** "host udp 192.0.2.1:5000" for a candidate row. */
export function describe(row: CandidateRow): string {
  const p = row.parsed;
  return p ? `${p.type} ${p.protocol} ${p.address}:${p.port}` : row.init.candidate || '(empty)';
}

function summarize(rows: readonly CandidateRow[], side: CandidateRow['side']): string {
  const counts = new Map<string, number>();
  for (const row of rows) if (row.side === side) counts.set(row.parsed?.type ?? '?', (counts.get(row.parsed?.type ?? '?') ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}
