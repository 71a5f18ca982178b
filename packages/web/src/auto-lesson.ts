import {
  type BatchItem,
  type IncomingTransfer,
  memorySink,
  type OutgoingTransfer,
  type PayloadData,
  parseCandidate,
  type RemotePeer,
  Room,
  type SignalingClient,
  type TransferBatch,
  type TransferStore,
} from '@icebreaker/client';
import { type IcebreakerError, IceServer, type PeerId, type WelcomeMessage } from '@icebreaker/protocol';
import * as v from 'valibot';
import { LessonRecord } from './lesson-record.js';
import { IN_MEMORY_BELOW_BYTES, pageStore } from './page-store.js';
import type { LessonEvents, LiveStates, PathInfo, StepOutput, StepStatus, Teaching } from './teaching.js';
import { trustOutput } from './trust-notes.js';

/** The extra events of the automatic mode: files and media, which the library brings. */
export interface AutoLessonEvents extends LessonEvents {
  transfer: [direction: 'in' | 'out', transfer: IncomingTransfer | OutgoingTransfer];
  /** Several files sent at once (a multiple pick, a folder), with `files` files. */
  batch: [batch: TransferBatch, files: number];
  track: [track: MediaStreamTrack, streams: readonly MediaStream[]];
}

/** A warning about the other side the user must see at once (see safety-view.ts). */
export interface TrustWarning {
  readonly code: 'tampered' | 'fingerprint-mismatch';
  readonly peer: PeerId | null;
  readonly message: string;
}

/**
 * Automatic mode on the Icebreaker client library: perfect negotiation, trickle ICE, reliable
 * signaling, files and media. It performs no step itself; it watches the library's peer connection
 * and its signals and marks each of the seed's steps as it sees it happen, so the page shows the same
 * things as in step-by-step mode.
 */
export class AutoLesson extends LessonRecord<AutoLessonEvents> implements Teaching {
  readonly mode = 'auto' as const;
  iceServersText: string;
  private room: Room | null = null;
  private peer: RemotePeer | null = null;
  /** What step 1 showed, shown again when a newcomer starts the steps over. */
  private configured: StepOutput | null = null;
  private pathInfo: PathInfo | null = null;
  /** The last `tampered` or `fingerprint-mismatch` error: the safety view shows it as a warning. */
  trustWarning: TrustWarning | null = null;
  /**
   * Where received files go: the disk (OPFS), so that a file of any size fits and a transfer resumes
   * after this tab reloads; `null` where the browser has no OPFS (memory, resumable while the tab lives).
   */
  readonly store: TransferStore | null = pageStore();

  constructor(
    private readonly endpoint: string,
    private readonly signaling: SignalingClient,
    private readonly welcome: WelcomeMessage,
    /** `relay` (from `?ice=relay`): TURN candidates only, to see the ladder at work with no TURN server. */
    private readonly iceTransportPolicy: RTCIceTransportPolicy = 'all',
    /** The invite link's secret: the library proves it, and refuses a peer that cannot. Never logged. */
    private readonly secret?: string,
  ) {
    super(welcome.peers.length === 0 ? 'caller' : 'callee', welcome.peers[0]?.id ?? null);
    this.iceServersText = JSON.stringify(welcome.iceServers, null, 2);
    this.log(
      'info',
      `Joined room "${welcome.room}" as ${this.role === 'caller' ? 'PEER1, the caller' : 'PEER2, the callee'} (id ${welcome.peerId}).`,
    );
    if (this.role === 'callee') this.complete(11, { kind: 'text', text: `Joined room "${welcome.room}", where PEER1 is waiting.` });
  }

  get started(): boolean {
    return this.room !== null;
  }

  get peerConnection(): RTCPeerConnection | null {
    return this.peer?.pc ?? null;
  }

  get path(): PathInfo | null {
    return this.pathInfo;
  }

  /** Whether this tab joined with an invite link's secret. */
  get paired(): boolean {
    return this.secret !== undefined;
  }

  /** The library's peer, once there is one (for files and media). */
  get remote(): RemotePeer | null {
    return this.peer;
  }

  status(n: number): StepStatus {
    if (this.done.has(n)) return 'done';
    return this.elsewhere(n) ? 'elsewhere' : 'waiting';
  }

  failure(): undefined {
    return undefined;
  }

  states(): LiveStates {
    const pc = this.peer?.pc;
    return {
      signalingState: pc?.signalingState ?? '—',
      iceGatheringState: pc?.iceGatheringState ?? '—',
      iceConnectionState: pc?.iceConnectionState ?? '—',
      connectionState: pc?.connectionState ?? '—',
      channelState: this.peer ? this.peer.channelState : '—',
    };
  }

  /** Actions run by themselves here. */
  async run(): Promise<void> {}

  /** The automatic mode stays automatic. */
  setMode(): void {}

  sendChat(text: string): void {
    if (!this.peer || text === '') return;
    void this.peer.send(text).then(
      () => this.emit('chat', { from: 'me', text }),
      (error: Error) => this.log('error', `Not sent: ${error.message}`),
    );
  }

  /** Asks the connected peers again to resume what is unfinished (the partials' Resume button). */
  resumeTransfers(): boolean {
    if (!this.room) return false;
    this.room.resumeTransfers();
    return true;
  }

  sendFile(file: File): OutgoingTransfer | null {
    if (!this.peer || this.ended || this.remoteLeft) return null;
    const transfer = this.peer.sendFile(file);
    this.log('info', `Sending file "${file.name}" (${file.size} bytes) on a data channel of its own.`);
    this.emit('transfer', 'out', transfer);
    return transfer;
  }

  /**
   * Sends several files as one batch with one combined progress: each file of a folder with its path
   * in it. One file that is not in a folder goes as a plain transfer.
   */
  sendFiles(items: readonly BatchItem[]): void {
    if (!this.peer || this.ended || this.remoteLeft || items.length === 0) return;
    const [first] = items;
    if (items.length === 1 && first && first.path === undefined) {
      if (first.file instanceof File) this.sendFile(first.file);
      return;
    }
    const batch = this.peer.sendFiles(items);
    this.log('info', `Sending ${items.length} files (${batch.total} bytes) together, each on a data channel of its own.`);
    this.emit('batch', batch, items.length);
  }

  /** Leaves the room through the library's current signaling connection (it may have reconnected). */
  leave(): void {
    this.room?.close();
  }

  /** Starts the library: it offers when PEER2 arrives (PEER1) or answers PEER1's offer (PEER2). */
  start(): void {
    let iceServers: RTCIceServer[];
    try {
      iceServers = v.parse(v.array(IceServer), JSON.parse(this.iceServersText));
    } catch (error) {
      this.log('error', `The ICE servers are not valid JSON RTCIceServer objects: ${(error as Error).message}`);
      return;
    }
    this.configured = { kind: 'json', text: 'The library configures each RTCPeerConnection with:', value: { iceServers } };
    this.complete(this.role === 'caller' ? 1 : 13, this.configured);
    const options = {
      room: this.welcome.room,
      iceServers,
      rtcConfiguration: { iceTransportPolicy: this.iceTransportPolicy },
      ...(this.store ? { transfers: { store: this.store } } : {}),
      ...(this.secret === undefined ? {} : { secret: this.secret }),
    };
    const room = new Room(this.endpoint, options, this.signaling, this.welcome);
    this.room = room;
    room.on('peer', (peer) => this.adopt(peer));
    room.on('peer-left', (peer) => {
      if (peer.id !== this.remotePeer) return;
      // The tab stays in the room, as an application would: the next peer to join connects to it
      // (a browser tab, or `icebreaker peer --send` a minute later). Leaving here made the newcomer
      // wait for a peer that had gone.
      this.remoteLeft = true;
      this.log(
        'info',
        `The other peer (${peer.id}) left. This tab stays in room "${this.welcome.room}": the next peer to join connects to it.`,
      );
      this.changed();
    });
    room.on('open', () => {
      this.log('state', 'data channel readyState → open');
      this.complete(27, {
        kind: 'text',
        text: 'Connected peer to peer through the Icebreaker library. Chat, send files, or add your camera.',
      });
    });
    room.on('message', (_peer, data) => {
      this.emit('chat', {
        from: 'peer',
        text: typeof data === 'string' ? data : data instanceof ArrayBuffer ? `[${data.byteLength} bytes]` : JSON.stringify(data),
      });
    });
    room.on('transfer', (_peer, transfer) => {
      this.log('info', `Receiving file "${transfer.info.path ?? transfer.info.name}" (${transfer.info.size} bytes).`);
      // accept() must come in this turn, before the library opens the store's sink.
      if (transfer.info.size < IN_MEMORY_BELOW_BYTES) transfer.accept(memorySink(transfer.info.type));
      this.emit('transfer', 'in', transfer);
    });
    room.on('signaling', (state) => {
      this.log(state === 'open' ? 'info' : 'error', `Signaling connection: ${state}.`);
      this.changed();
    });
    room.on('error', (error, peer) => {
      // The library closed a channel the other peer opened with a label it does not use: without
      // this alert the page would wait for a channel that never comes.
      if (error.code === 'unexpected-channel') this.report(`Refused a data channel: ${error.message}. See the README's protocol section.`);
      else if (error.code === 'tampered' || error.code === 'fingerprint-mismatch') this.warn(error, peer?.id ?? null);
      else this.log('error', `${error.code}: ${error.message}`);
    });
    this.changed();
  }

  private adopt(peer: RemotePeer): void {
    // The same peer on a new peer connection: the last one died while both stayed in the room.
    const again = peer.generation > 0 && peer.id === this.remotePeer && !this.remoteLeft;
    if (this.peer && !this.remoteLeft && !again) return;
    if (again) this.log('info', `The connection to ${peer.id} died: the library makes a new one (connection #${peer.generation + 1}).`);
    else if (this.peer) this.startOver(peer);
    this.peer = peer;
    this.remotePeer = peer.id;
    if (this.role === 'caller') {
      this.complete(11, { kind: 'text', text: `PEER2 (${peer.id}) joined the room; the library starts negotiating.` });
      this.complete(2, { kind: 'text', text: 'Created by the library, with its listeners.' });
      this.complete(3, { kind: 'text', text: 'The library opened its main data channel.' });
      this.complete(4);
    } else {
      this.complete(14, { kind: 'text', text: 'Created by the library when PEER1 was found in the room.' });
      this.complete(15);
      this.complete(16, { kind: 'text', text: 'The library takes the channel PEER1 opens.' });
    }
    const pc = peer.pc;
    const gathered = () => {
      const count = this.candidates.filter((c) => c.side === 'local').length;
      this.complete(this.role === 'caller' ? 7 : 20, { kind: 'text', text: `Gathering complete: ${count} candidates.` });
    };
    this.watchStates(pc, (property) => {
      if (peer !== this.peer) return;
      if (property === 'iceGatheringState' && pc.iceGatheringState === 'complete') gathered();
    });
    // A first peer prepares its offer before anyone joins, so gathering may be over by now; its
    // candidates are told again just after this event, hence the count a microtask later.
    queueMicrotask(() => {
      if (peer === this.peer && pc.iceGatheringState === 'complete') gathered();
    });
    peer.on('signal', (direction, data) => {
      if (peer === this.peer) this.observe(direction, data);
    });
    peer.on('track', (track, streams) => this.emit('track', track, streams));
    peer.on('state', () => this.changed());
    peer.on('safety', (number) => {
      if (peer !== this.peer) return;
      // The teaching step (28) once the handshake check is done: then all its parts are known.
      if (number.checked === 'pending') this.changed();
      else if (this.done.has(28)) {
        this.outputs.set(28, trustOutput(number));
        this.changed();
      } else this.complete(28, trustOutput(number));
    });
    this.watchPath(peer);
  }

  /** A peer that failed the link's proof, or whose handshake used another certificate than its SDP named. */
  private warn(error: IcebreakerError, peer: PeerId | null): void {
    this.trustWarning = { code: error.code as TrustWarning['code'], peer, message: error.message };
    this.log('error', `${error.code}: ${error.message}`);
    this.changed();
  }

  /** Follows the path the library reports: said in the timeline, and beside the candidate pairs. */
  private watchPath(peer: RemotePeer): void {
    this.pathInfo = { path: peer.path };
    peer.on('path', (info) => {
      if (peer !== this.peer) return;
      this.pathInfo = info.reason === undefined ? { path: info.path } : { path: info.path, reason: info.reason };
      const pair = info.pair ? ` over ${info.pair.local.type} ↔ ${info.pair.remote.type} candidates` : '';
      const says: Record<typeof info.path, string> = {
        connecting: 'Connecting.',
        direct: `The data goes peer to peer${pair}.`,
        turn: `The data goes through a TURN server${pair}.`,
        relay: 'The data goes through the signaling server, sealed end to end: ICE found no path.',
      };
      this.log(info.path === 'relay' ? 'error' : 'info', `${says[info.path]}${info.reason ? ` (${info.reason})` : ''}`);
      this.changed();
    });
  }

  /**
   * A peer joined after the last one left: the steps start over for the new connection, with this tab
   * as PEER1, since it was in the room first (the library makes the offer from the peer already there).
   * The timeline and the files received stay.
   */
  private startOver(peer: RemotePeer): void {
    this.role = 'caller';
    this.remoteLeft = false;
    this.problem = null;
    this.done.clear();
    this.outputs.clear();
    this.candidates.length = 0;
    this.pathInfo = null;
    this.trustWarning = null;
    this.log('info', `A new peer (${peer.id}) joined: the steps start over, with this tab as PEER1, the caller.`);
    if (this.configured) this.complete(1, this.configured);
  }

  /** Marks the steps a signal shows to have happened. */
  private observe(direction: 'in' | 'out', data: PayloadData): void {
    const caller = this.role === 'caller';
    if (data.kind === 'candidate') {
      const init = data.candidate;
      this.candidates.push({
        side: direction === 'out' ? 'local' : 'remote',
        init,
        parsed: parseCandidate(init.candidate),
        state: direction === 'out' ? 'sent' : 'applied',
      });
      if (direction === 'out') {
        this.log('signal', `Sent candidate ${init.candidate.split(' ').slice(4, 8).join(' ')}`);
        if (caller && !this.done.has(25)) {
          this.complete(9, { kind: 'text', text: 'Trickling: each candidate goes out as soon as it is found.' });
          this.complete(25, { kind: 'text', text: 'Candidates trickle as they are found.' });
        } else if (!caller) this.complete(22, { kind: 'text', text: 'Candidates trickle as they are found.' });
      } else {
        this.log('signal', `Received candidate ${init.candidate.split(' ').slice(4, 8).join(' ')}`);
        this.markElsewhere(caller ? [22] : [9, 25]);
      }
      this.changed();
      return;
    }
    if (data.kind !== 'description') return;
    const { type, sdp } = data.description;
    const again = this.connected ? ' (a renegotiation: media added or removed, or an ICE restart)' : '';
    this.log('signal', `${direction === 'out' ? 'Sent' : 'Received'} the ${type} (${sdp.length} characters of SDP)${again}.`);
    if (direction === 'out' && type === 'offer') {
      this.complete(5, { kind: 'sdp', text: 'The offer the library created:', sdp });
      this.complete(6);
      this.complete(8, { kind: 'text', text: `Sent to ${this.remotePeer}.` });
      this.complete(10);
    } else if (direction === 'in' && type === 'offer') {
      this.complete(10);
      this.complete(12, { kind: 'sdp', text: 'The offer from PEER1:', sdp });
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) this.done.add(n);
    } else if (direction === 'out' && type === 'answer') {
      this.complete(17);
      this.complete(18, { kind: 'sdp', text: 'The answer the library created:', sdp });
      this.complete(19);
      this.complete(21, { kind: 'text', text: `Sent to ${this.remotePeer}.` });
      this.complete(23);
    } else if (direction === 'in' && type === 'answer') {
      for (const n of [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]) this.done.add(n);
      this.complete(23);
      this.complete(24, { kind: 'sdp', text: 'The answer from PEER2:', sdp });
      this.complete(26, { kind: 'text', text: 'The library set the answer as remote description.' });
    }
  }
}
