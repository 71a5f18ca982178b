import {
  DEFAULT_FRAME_BYTES,
  decodeMessage,
  encodeFrames,
  encodeMessage,
  IcebreakerError,
  MAIN_LABEL,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  type MessageData,
  type PeerId,
  RELAY_MOVED_LABEL,
  Reassembler,
  TRANSFER_LABEL,
} from '@icebreaker/protocol';
import { drained, sendAllWithBackpressure } from './backpressure.js';
import type { ChannelLike } from './channel-like.js';
import { Emitter } from './emitter.js';
import type { IncomingTransfer } from './incoming-transfer.js';
import type { FileSource, OutgoingTransfer, SendFileOptions } from './outgoing-transfer.js';
import { type PathInfo, PathLadder, type PeerPath } from './path-ladder.js';
import type { RelayContext } from './peer-relay.js';
import type { PeerTrust } from './peer-trust.js';
import type { SafetyNumber } from './safety-number.js';
import type { PayloadData } from './signal-link.js';
import { type BatchItem, type SendFilesOptions, TransferBatch } from './transfer-batch.js';
import { type TransferPort, TransferRegistry } from './transfer-registry.js';
import { validateSendFile, validateSendFiles } from './validate.js';

/**
 * How long a connection must move no byte for {@link RemotePeer.flush} to call what was sent carried:
 * longer than SCTP's minimum retransmission timeout (RFC 4960 §6.3.1 suggests 1 s; stacks tune it
 * lower), so a chunk lost or left unacknowledged by a receiver that stalled is sent again inside the
 * window instead of being dropped by a close. 250 ms lost the tail of piped lines under load.
 */
const QUIET_MS = 1000;

/** How often `flush` looks whether the relay's peer has taken everything (it answers within ~10 ms). */
const RELAY_FLUSH_POLL_MS = 10;

/** The events of a {@link RemotePeer}. */
export interface RemotePeerEvents {
  /** The main data channel opened: `send` works from now on. */
  open: [];
  /**
   * This peer connection is over (the peer left, `close()` was called, or the connection died). If both
   * peers are still in the room, the room makes a new one: its `peer` event brings the new RemotePeer.
   */
  close: [];
  message: [data: MessageData];
  transfer: [transfer: IncomingTransfer];
  track: [track: MediaStreamTrack, streams: readonly MediaStream[]];
  /** A connection, ICE, signaling or channel state changed; read the getters. */
  state: [];
  /** An ICE restart began (after `failed`, a long `disconnected`, or `restartIce()`). */
  'ice-restart': [];
  /**
   * The path the data takes changed: `direct`, `turn` (through a TURN server) or `relay` (through the
   * signaling server), with the selected candidate pair and, when it falls back, why in plain words.
   */
  path: [info: PathInfo];
  /** Signaling data sent to or received from this peer, for tools that show the exchange. */
  signal: [direction: 'in' | 'out', data: PayloadData];
  /**
   * The safety number appeared or changed (a new certificate, the relay's keys joining it, the
   * handshake check done, or `markVerified()`): read {@link RemotePeer.safetyNumber}.
   */
  safety: [number: SafetyNumber];
  error: [error: IcebreakerError];
}

/** What the room gives each remote peer. */
export interface PeerContext {
  readonly RTCPeerConnection: typeof RTCPeerConnection;
  readonly configuration: RTCConfiguration;
  /** The polite peer yields when both offer at once (W3C perfect negotiation). */
  readonly polite: boolean;
  /** The side that creates the main channel, and so makes the first offer. */
  readonly initiator: boolean;
  /** Sends signaling data to this peer, reliably and in order. */
  readonly signal: (data: PayloadData) => void;
  /** How long `disconnected` may last before an ICE restart. */
  readonly disconnectedRestartMs: number;
  readonly frameBytes?: number;
  /** The display name the server announced for this peer, if any. */
  readonly name?: string;
  /** The relay through the signaling server, when the server offers it (the last rung of the ladder). */
  readonly relay?: RelayContext;
  /** The room's file transfers, which outlive a peer connection; a peer alone keeps its own. */
  readonly transfers?: TransferRegistry;
  /** Which peer connection to this peer it is: 0 for the first, one more for each new one (see `generation`). */
  readonly generation?: number;
  /** The pairing link's secret, when the room has one: every description and relay key must prove it. */
  readonly secret?: string;
  /** The safety numbers the user marked verified, by peer id: the room's, so they outlive a connection. */
  readonly verified?: Map<PeerId, string>;
}

/**
 * One remote peer of the room and the RTCPeerConnection to it. Negotiation follows the W3C
 * "perfect negotiation" pattern, so either side may renegotiate at any time (a track, an ICE restart)
 * and simultaneous offers converge: the impolite side ignores the colliding offer, the polite side
 * rolls back and answers.
 *
 * @example
 * ```ts
 * room.on('peer', (peer) => {
 *   peer.on('open', () => peer.send({ hello: 'world' }));
 *   peer.on('message', (data) => console.log(peer.id, data));
 * });
 * ```
 */
export class RemotePeer extends Emitter<RemotePeerEvents> {
  readonly pc: RTCPeerConnection;
  private readonly ladder: PathLadder;
  private readonly reassembler = new Reassembler(MAX_MESSAGE_BYTES);
  /**
   * Transfer channels are held here until they close: before its header arrives nothing else refers
   * to one, and a channel that nothing references may be collected (and closed) by a native binding.
   */
  private readonly transferChannels = new Set<ChannelLike>();
  private readonly transfers: TransferRegistry;
  private readonly port: TransferPort;
  private readonly pendingCandidates: RTCIceCandidateInit[] = [];
  /** Negotiation steps run one at a time, in signal order. */
  private chain: Promise<void> = Promise.resolve();
  private ignoreOffer = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> = Promise.resolve();
  private closed = false;
  private announced = false;
  /** The stack said it cannot restart ICE: the error was reported once. */
  private restartRefused = false;
  /** The SDP of the last description sent, so a stack's self-made offer goes out exactly once. */
  private sentSdp: string | undefined;
  /**
   * Local candidates held back until the remote answer is applied, for stacks that make their first
   * offer by themselves (libdatachannel). Its ICE can otherwise connect, through the remote side's
   * checks, while it is still applying the answer, and it then checks the remote DTLS certificate
   * before the answer's fingerprint is in place: "certificate verify failed", and the connection
   * closes (libdatachannel 0.24, the one node-datachannel 0.33 bundles). Without our candidates the
   * remote side has nowhere to send checks until the answer is in. `null`: not holding.
   */
  private holding: PayloadData[] | null = null;
  /** An offer of ours is out, waiting for its answer. */
  private offerOut = false;
  /** Set once a remote description is in place (not read back from the stack: see sendDescription). */
  private remoteDescribed = false;
  /** Loaded with the first peer (a chunk of its own: the page's first bytes need none of it). */
  private readonly trust: Promise<PeerTrust>;
  /** The same, once loaded, for the getters. */
  private trusted: PeerTrust | undefined;
  /** With a pairing secret, signals go out in order behind the proofs they wait for. */
  private outgoing: Promise<void> = Promise.resolve();
  /** The peer proved it holds the pairing link's secret. */
  private proved = false;
  /** The peer failed to prove the pairing link's secret: closed, and not to be reconnected. */
  private refusal: IcebreakerError | null = null;

  /**
   * @internal The session makes a RemotePeer for each peer of the room: see its `peer` event. The first
   * peer of a room makes one before anyone else is there, under a placeholder id, so that its offer is
   * ready and held for the next peer (the seed's steps 8–12); {@link RemotePeer.bind} then names it.
   */
  constructor(
    private peerId: PeerId,
    private context: PeerContext,
  ) {
    super();
    const pc = new context.RTCPeerConnection(context.configuration);
    this.pc = pc;
    const peer = this;
    this.trust = loadTrust().then(({ PeerTrust }) => {
      this.trusted = new PeerTrust({
        pc,
        get secret() {
          return peer.context.secret;
        },
        safety: (number) => this.emit('safety', number),
        error: (error) => this.emit('error', error),
      });
      return this.trusted;
    });
    // A failure to load says so where it matters: a proof or a check that awaits it.
    this.trust.catch(() => {});
    this.transfers = context.transfers ?? new TransferRegistry();
    this.port = {
      get id() {
        return peer.id;
      },
      get isOpen() {
        return !peer.closed && peer.ladder.main.readyState === 'open';
      },
      get closed() {
        return peer.closed;
      },
      openTransferChannel: () => this.holdTransferChannel(this.ladder.openTransfer()),
      // A file that may move from the relay to a data channel uses frames every stack takes.
      frameBytes: () => (this.ladder.path === 'relay' ? Math.min(DEFAULT_FRAME_BYTES, this.frameBytes()) : this.frameBytes()),
      announce: (transfer) => this.emit('transfer', transfer),
    };
    this.ladder = new PathLadder(
      {
        pc,
        get id() {
          return peer.id;
        },
        signal: (data) => this.signalOut(data),
        mainEvent: (event, data) => this.mainEvent(event, data),
        transferChannel: (channel) => this.adoptTransfer(channel),
        path: (info) => {
          this.emit('state');
          this.emit('path', info);
        },
        error: (error) => this.emit('error', error),
        restartIce: () => this.tryRestartIce(),
        get closed() {
          return peer.closed;
        },
      },
      context.initiator,
    );
    if (context.relay) this.ladder.useRelay(context.relay);
    pc.addEventListener('negotiationneeded', () => this.enqueue(() => this.offer()));
    pc.addEventListener('icecandidate', (event) => {
      const candidate = (event as RTCPeerConnectionIceEvent).candidate;
      const data: PayloadData = candidate?.candidate
        ? { kind: 'candidate', candidate: candidateInit(candidate) }
        : { kind: 'end-of-candidates' };
      // A stack that made its offer by itself (libdatachannel) gathers before that offer is sent.
      if (this.holding === null && this.sentSdp === undefined && !this.remoteDescribed && pc.signalingState === 'have-local-offer') {
        this.holding = [];
      }
      if (this.holding) this.holding.push(data);
      else this.signalOut(data);
    });
    pc.addEventListener('iceconnectionstatechange', () => this.watchIce());
    for (const event of ['connectionstatechange', 'signalingstatechange'] as const) pc.addEventListener(event, () => this.emit('state'));
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected' && !this.closed) this.trust.then((trust) => trust.connected()).catch(() => {});
    });
    pc.addEventListener('datachannel', (event) => this.adoptChannel((event as RTCDataChannelEvent).channel));
    pc.addEventListener('track', (event) => {
      const { track, streams } = event as RTCTrackEvent;
      this.emit('track', track, streams);
    });
    if (context.initiator) {
      this.adoptChannel(pc.createDataChannel(MAIN_LABEL, { ordered: true }));
      // Not every stack fires negotiationneeded for the first channel (node-datachannel's polyfill
      // does not); offering here too is harmless where it does: the second attempt finds the offer sent.
      this.enqueue(() => this.offer());
    }
  }

  /** The remote peer's id, chosen by the server. */
  get id(): PeerId {
    return this.peerId;
  }

  /**
   * Which peer connection to this remote peer this is: 0 for the first; when one dies while both peers
   * stay in the room, the room makes a new one, announced by its `peer` event again, one higher.
   * The id stays the same: a `peer` event with `generation > 0` is a reconnection, not a newcomer.
   */
  get generation(): number {
    return this.context.generation ?? 0;
  }

  /**
   * @internal A peer made before the remote one was known (see the constructor) learns who it is
   * talking to: its id, its name, and which side yields in a collision, which depends on both ids.
   */
  bind(id: PeerId, context: PeerContext): void {
    this.peerId = id;
    this.context = context;
    if (context.relay) this.ladder.useRelay(context.relay);
  }

  /**
   * @internal Tells again, as `signal` events, what a peer made before the remote one was known sent
   * meanwhile, for listeners that arrived with the room's `peer` event (the page shows the exchange).
   */
  replaySent(sent: readonly PayloadData[]): void {
    for (const data of sent) this.emit('signal', 'out', data);
  }

  /**
   * The display name this peer joined with (or that its room token gave it), if the server announced
   * one. Another peer chose it: escape it before printing it on a terminal, as any text from a peer.
   */
  get name(): string | undefined {
    return this.context.name;
  }

  /**
   * The number to compare with the peer's, once both descriptions are in place (see the README's
   * "Trust no server"): equal on both sides when nobody sits between them. The `safety` event tells
   * when it appears or changes.
   */
  get safetyNumber(): SafetyNumber | undefined {
    return this.trusted?.number;
  }

  /**
   * The user compared the safety numbers and they were equal: {@link RemotePeer.markVerified} was
   * called with this very number (for this connection or an earlier one to the same peer id).
   */
  get verified(): boolean {
    const number = this.trusted?.number;
    return number !== undefined && this.context.verified?.get(this.id) === number.digits;
  }

  /**
   * The user marked another safety number verified for this peer id, and the number is now a
   * different one (a new connection's certificates, the relay's keys joining it, or someone now in
   * the middle): say so, rather than only showing "not verified" again.
   */
  get verifiedChanged(): boolean {
    const marked = this.context.verified?.get(this.id);
    const number = this.trusted?.number;
    return marked !== undefined && number !== undefined && marked !== number.digits;
  }

  /**
   * Records that the user compared the safety number with the peer's and they were equal. The room
   * remembers it for this peer id: a new connection with the same number is verified too, one with
   * another number is not. Throws `peer-unavailable` before there is a number.
   */
  markVerified(): void {
    const number = this.trusted?.number;
    if (!number) throw new IcebreakerError('peer-unavailable', `peer ${this.id} has no safety number yet: wait for its \`safety\` event`);
    this.context.verified?.set(this.id, number.digits);
    this.emit('safety', number);
  }

  /** The peer proved, with its description or relay key, that it holds the pairing link's secret (false without one). */
  get paired(): boolean {
    return this.proved;
  }

  /** @internal Why this peer was refused (its proof of the link's secret failed), or null. */
  get refused(): IcebreakerError | null {
    return this.refusal;
  }

  /** The peer connection's `connectionState`. */
  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** The peer connection's `iceConnectionState`. */
  get iceConnectionState(): RTCIceConnectionState {
    return this.pc.iceConnectionState;
  }

  /** The peer connection's `signalingState` (offer/answer), not the signaling server's. */
  get signalingState(): RTCSignalingState {
    return this.pc.signalingState;
  }

  /** The main channel's state: `'open'` once a path carries it (direct, TURN or the relay). */
  get channelState(): RTCDataChannelState {
    return this.ladder.main.readyState;
  }

  /**
   * The path the data takes: `direct`, `turn`, `relay` (through the signaling server, end-to-end
   * encrypted), or `connecting`. The `path` event tells when it changes, and why.
   */
  get path(): PeerPath {
    return this.ladder.path;
  }

  /**
   * Sends a message: a string, bytes (`ArrayBuffer`, a typed array, a `Blob`) or any JSON value.
   * Large messages are split to fit the channel and put back together on the other side, up to
   * `MAX_MESSAGE_BYTES` (64 MiB; a larger one rejects with `message-too-large`). Resolves
   * once the message is queued on the channel; waits (without polling) while the channel is backed up.
   */
  send(data: string | ArrayBuffer | ArrayBufferView | Blob | unknown): Promise<void> {
    const channel = this.ladder.main;
    if (channel.readyState !== 'open') {
      return Promise.reject(new IcebreakerError('peer-unavailable', `peer ${this.id}: the data channel is ${this.channelState}`));
    }
    const task = this.sending.then(async () => {
      const { kind, body } = encodeMessage(typeof Blob !== 'undefined' && data instanceof Blob ? await data.arrayBuffer() : data);
      if (body.byteLength > MAX_MESSAGE_BYTES) {
        // The receiver would refuse it: fail here, before a byte of it is sent (sendFile takes any size).
        throw new IcebreakerError(
          'message-too-large',
          `a message is at most ${MAX_MESSAGE_BYTES} bytes; this one has ${body.byteLength} (send files with sendFile)`,
        );
      }
      await sendAllWithBackpressure(channel, encodeFrames(kind, body, this.frameBytes()));
    });
    this.sending = task.catch(() => {});
    return task;
  }

  /**
   * Resolves once every message sent so far has gone out: encoded, framed, handed to the stack (the
   * main channel's `bufferedAmount` is 0), and carried, which is when the connection has moved no
   * byte either way for a second: the SCTP stack below the channel holds data of its own,
   * which `bufferedAmount` does not count and which closing the connection drops. Await it before
   * closing after a burst of messages. At most `timeoutMs` (default 30 s) while bytes keep moving;
   * at once if the channel is not open.
   */
  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.sending;
    const channel = this.ladder.main;
    if (channel.readyState !== 'open') return;
    if (channel.bufferedAmount > 0) await drained(channel, 0).catch(() => {});
    // The relay knows when the peer has taken everything: its credit comes back whole.
    while (this.ladder.relayOutstanding > 0 && Date.now() < deadline && !this.closed)
      await new Promise((resolve) => setTimeout(resolve, RELAY_FLUSH_POLL_MS));
    if (this.ladder.path === 'relay') return;
    // No stack has an event for "all data acknowledged": watch the transport's byte counters until
    // they stand still (data out, acknowledgements in).
    let last = await this.bytesMoved();
    while (last !== null && Date.now() < deadline && !this.closed) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      const now = await this.bytesMoved();
      if (now === last) return;
      last = now;
    }
  }

  /** Bytes sent and received on this connection's candidate pairs so far, or null if the stack does not say. */
  private async bytesMoved(): Promise<number | null> {
    try {
      let total: number | null = null;
      for (const stats of (await this.pc.getStats()).values()) {
        const pair = stats as { type?: string; bytesSent?: number; bytesReceived?: number };
        if (pair.type === 'candidate-pair') total = (total ?? 0) + (pair.bytesSent ?? 0) + (pair.bytesReceived ?? 0);
      }
      return total;
    } catch {
      return null;
    }
  }

  /**
   * Sends a file over a channel of its own: name, size and type first, then chunk after chunk, each
   * checked by the receiver against its SHA-256. Several transfers may run at once. A transfer
   * outlives the connection: if it drops, the transfer waits (`interrupted`) and resumes from the
   * first chunk the receiver does not hold when the receiver asks again. Throws a `TypeError` naming
   * the field for a file or option that cannot work.
   */
  sendFile(file: FileSource, options: SendFileOptions = {}): OutgoingTransfer {
    validateSendFile(file, options);
    if (this.closed) throw new IcebreakerError('peer-unavailable', `peer ${this.id} is closed`);
    return this.transfers.send(this.port, file, options);
  }

  /**
   * Sends several files (a multiple pick, a folder) with one combined progress: a few at a time, each
   * a transfer of its own that resumes on its own. Throws a `TypeError` naming the field for an item
   * or option that cannot work.
   */
  sendFiles(items: readonly BatchItem[], options: SendFilesOptions = {}): TransferBatch {
    validateSendFiles(items, options);
    if (this.closed) throw new IcebreakerError('peer-unavailable', `peer ${this.id} is closed`);
    return new TransferBatch(items, (item, itemOptions) => this.transfers.send(this.port, item.file, itemOptions), options);
  }

  /** Adds a media track; the renegotiation it needs goes through perfect negotiation. */
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender {
    return this.pc.addTrack(track, ...streams);
  }

  /** Removes a track added with {@link RemotePeer.addTrack}; renegotiates like `addTrack`. */
  removeTrack(sender: RTCRtpSender): void {
    this.pc.removeTrack(sender);
  }

  /** Makes a fresh offer now, as if something changed (either side may, at any time). */
  renegotiate(): void {
    this.enqueue(() => this.offer());
  }

  /** Restarts ICE: new credentials, new candidates, same peer and channels. */
  restartIce(): void {
    this.tryRestartIce();
  }

  /** Restarts ICE; false when this stack cannot (node-datachannel's polyfill), said once as an error. */
  private tryRestartIce(): boolean {
    if (this.closed) return false;
    this.emit('ice-restart');
    try {
      this.pc.restartIce();
      return true;
    } catch (error) {
      if (!this.restartRefused)
        this.emit(
          'error',
          new IcebreakerError('negotiation-failed', `this WebRTC stack cannot restart ICE: ${(error as Error).message}`, { cause: error }),
        );
      this.restartRefused = true;
      return false;
    }
  }

  /**
   * Closes once the main channel has closed, or after `lingerMs`: the peer has left, and what it sent
   * just before may still be on its way up our stack. Closing at once dropped the last messages of a
   * peer that sends and leaves (`icebreaker peer` piping lines), at a receiver slow to take them.
   */
  closeWhenDrained(lingerMs: number): void {
    const channel = this.ladder.main;
    if (this.closed || channel.readyState !== 'open') {
      this.close();
      return;
    }
    const timer = setTimeout(() => this.close(), lingerMs);
    (timer as { unref?: () => void }).unref?.();
    channel.addEventListener(
      'close',
      () => {
        clearTimeout(timer);
        this.close();
      },
      { once: true },
    );
  }

  /** Closes the connection to this peer (its channels too) and emits `close`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.transfers.peerClosed(this.port);
    this.ladder.close();
    this.ladder.main.close();
    this.pc.close();
    this.emit('close');
  }

  /** @internal A sealed relay payload from this peer (the room routes the relay frames). */
  relayIn(payload: Uint8Array): void {
    this.ladder.relayIn(payload);
  }

  /** @internal The signaling connection dropped: a relay carrying data lost what was on its way. */
  relayLost(): void {
    this.ladder.signalingLost();
  }

  /** @internal The signaling connection is back: relay what waited. */
  relayResume(): void {
    this.ladder.resume();
  }

  /** Handles one signal from this peer (the room delivers them in order). */
  handleSignal(data: PayloadData): void {
    this.emit('signal', 'in', data);
    switch (data.kind) {
      case 'description':
        this.enqueue(() => this.describe(data.description, data.proof));
        return;
      case 'candidate':
        this.enqueue(() => this.addCandidate(data.candidate));
        return;
      case 'relay-key':
        this.trust
          .then((trust) => trust.incoming('relay-key', data.key, data.proof))
          .then(
            () => {
              if (this.closed) return;
              // A proved relay key is proof of the link too: the relay may be all a peer gets to use.
              if (this.context.secret !== undefined) this.proved = true;
              this.ladder.relayKey(data.key);
            },
            (error: unknown) => this.refuse(error as IcebreakerError),
          );
        return;
      case 'end-of-candidates':
        // An absent candidate is the W3C way to say "no more" (RFC 8838 §13); stacks that do not know
        // the form reject it, and ICE finishes the same way without it.
        this.enqueue(() => (this.remoteDescribed ? this.pc.addIceCandidate().catch(() => {}) : Promise.resolve()));
        return;
    }
  }

  // ── negotiation ──────────────────────────────────────────────────────────────────────────────

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      if (this.closed) return;
      this.emit('error', new IcebreakerError('negotiation-failed', `peer ${this.id}: ${(error as Error).message}`, { cause: error }));
    });
  }

  private async offer(): Promise<void> {
    if (this.closed) return;
    // libdatachannel sets its own offer as soon as a channel exists: send that one. Its candidates
    // wait until the answer is applied (see `holding`), so they leave the offer too (they are in
    // its local description by now).
    if (this.pc.signalingState === 'have-local-offer') {
      // Our offer is out: one more negotiationneeded (or the initiator's own call) must not send it
      // again, which the other side would answer twice, the second answer landing on a later offer.
      if (this.offerOut) return;
      const own = this.pc.localDescription;
      if (!own) return;
      if (!this.remoteDescribed) this.holding ??= [];
      this.offerOut = true;
      this.sendDescription({ type: own.type, sdp: withoutCandidates(own.sdp) });
      return;
    }
    if (this.pc.signalingState !== 'stable') return;
    // The explicit createOffer() form: some stacks (node's wrtc) have no parameterless setLocalDescription.
    const offer = await this.pc.createOffer();
    if (this.pc.signalingState !== 'stable') return;
    await this.pc.setLocalDescription(offer);
    this.offerOut = true;
    this.sendDescription(offer);
  }

  private async describe(description: RTCSessionDescriptionInit, proof: string | undefined): Promise<void> {
    if (this.closed) return;
    try {
      await (await this.trust).incoming('description', description.sdp ?? '', proof);
    } catch (error) {
      this.refuse(error as IcebreakerError);
      return;
    }
    if (this.context.secret !== undefined) this.proved = true;
    const collision = description.type === 'offer' && this.pc.signalingState !== 'stable';
    this.ignoreOffer = !this.context.polite && collision;
    if (this.ignoreOffer) return;
    // Explicit rollback: stacks without implicit rollback in setRemoteDescription need it spelled out.
    if (collision) await this.pc.setLocalDescription({ type: 'rollback' });
    await this.pc.setRemoteDescription(description);
    this.remoteDescribed = true;
    // Our offer was answered, or rolled back for theirs: the next one may go out.
    this.offerOut = false;
    const held = this.holding;
    this.holding = null;
    for (const data of held ?? []) this.signalOut(data);
    if (description.type === 'offer') {
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.sendDescription(answer);
    }
    for (const candidate of this.pendingCandidates.splice(0)) await this.addCandidate(candidate);
  }

  private async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (this.closed) return;
    if (!this.remoteDescribed) {
      this.pendingCandidates.push(candidate);
      return;
    }
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer this side ignored are expected to fail.
      if (!this.ignoreOffer) throw error;
    }
  }

  /**
   * Sends the description just set, as created: reading `localDescription` back races with the
   * candidates ICE adds to it, which crashes @roamhq/wrtc (node-webrtc#696). One stack needs the read:
   * node-datachannel's polyfill hands its first description out again on a later createAnswer(), and
   * a description equal to the last one sent can only be that.
   */
  private sendDescription(created: RTCSessionDescriptionInit | null): void {
    const local = created?.sdp !== undefined && created.sdp === this.sentSdp ? this.pc.localDescription : created;
    if (!local?.sdp || (local.type !== 'offer' && local.type !== 'answer')) return;
    this.sentSdp = local.sdp;
    this.signalOut({ kind: 'description', description: { type: local.type, sdp: local.sdp } });
  }

  private signalOut(data: PayloadData): void {
    const proof =
      data.kind === 'description'
        ? this.trust.then((trust) => trust.outgoing('description', data.description.sdp))
        : data.kind === 'relay-key'
          ? this.trust.then((trust) => trust.outgoing('relay-key', data.key))
          : undefined;
    if (this.context.secret === undefined) {
      proof?.catch(() => {});
      this.sendSignal(data);
      return;
    }
    // Every signal waits for those before it, so a candidate never overtakes the description it needs.
    this.outgoing = this.outgoing
      .then(async () => {
        const signed = await proof;
        if (!this.closed) this.sendSignal(signed === undefined ? data : ({ ...data, proof: signed } as PayloadData));
      })
      .catch((error: unknown) => {
        this.emit('error', new IcebreakerError('negotiation-failed', `peer ${this.id}: no proof of the link: ${(error as Error).message}`));
      });
  }

  private sendSignal(data: PayloadData): void {
    this.context.signal(data);
    this.emit('signal', 'out', data);
  }

  /** The peer failed to prove the pairing link's secret: say so, close, and stay closed. */
  private refuse(error: IcebreakerError): void {
    if (this.refusal || this.closed) return;
    this.refusal = error;
    this.emit('error', new IcebreakerError(error.code, `peer ${this.id}: ${error.message}`, { cause: error }));
    this.close();
  }

  /** ICE restart without the application's help: at once on `failed`, after a while on `disconnected`. */
  private watchIce(): void {
    this.emit('state');
    const state = this.pc.iceConnectionState;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.ladder.iceChanged(state);
    // With the relay, the ladder restarts ICE with growing pauses while the relay carries the data.
    if (state === 'failed' && !this.ladder.relayOffered) this.restartIce();
    else if (state === 'disconnected') {
      this.restartTimer = setTimeout(() => {
        if (this.pc.iceConnectionState === 'disconnected') this.restartIce();
      }, this.context.disconnectedRestartMs);
    }
  }

  // ── channels ─────────────────────────────────────────────────────────────────────────────────

  private adoptChannel(channel: RTCDataChannel): void {
    channel.binaryType = 'arraybuffer';
    if (channel.label === TRANSFER_LABEL) {
      this.adoptTransfer(channel);
      return;
    }
    const direct = channel.label === MAIN_LABEL || channel.label.startsWith(RELAY_MOVED_LABEL);
    if (direct && this.ladder.adoptDirect(channel)) return;
    // Said out loud, not just closed: a peer written from the docs with another label would
    // otherwise wait for a channel that never opens, with nothing to tell it why (issue 9, item 17).
    const why = channel.label === MAIN_LABEL ? 'a second main channel' : `a data channel labelled ${JSON.stringify(channel.label)}`;
    channel.close();
    this.emit(
      'error',
      new IcebreakerError(
        'unexpected-channel',
        `peer ${this.id} opened ${why}; this library uses "${MAIN_LABEL}" (messages) and "${TRANSFER_LABEL}" (files): closed`,
      ),
    );
  }

  /**
   * The main channel (on whichever path carries it) opened, closed or brought a message. A channel
   * the other side announced is already `open` in the `datachannel` event, and its `open` event still
   * follows (W3C webrtc "announcing a data channel as open"; browsers, libwebrtc and libdatachannel
   * alike): the main channel opens once, and this announces it once (issue 9, item 10: the CLI sent
   * its file twice).
   */
  private mainEvent(event: 'open' | 'close' | 'message', data?: unknown): void {
    if (event === 'message') this.receive(data);
    else if (event === 'close') {
      this.emit('state');
      this.close();
    } else
      queueMicrotask(() => {
        if (this.announced || this.closed) return;
        this.announced = true;
        this.emit('state');
        this.emit('open');
        this.transfers.peerOpened(this.port);
      });
  }

  private adoptTransfer(channel: ChannelLike): void {
    this.transfers.adopt(this.port, this.holdTransferChannel(channel));
  }

  private holdTransferChannel(channel: ChannelLike): ChannelLike {
    this.transferChannels.add(channel);
    channel.addEventListener('close', () => this.transferChannels.delete(channel));
    return channel;
  }

  private receive(data: unknown): void {
    // A plain string is a whole text message from a peer that does not frame (a hand-written client).
    if (typeof data === 'string') {
      this.emit('message', data);
      return;
    }
    const result = this.reassembler.push(data);
    if (!result.ok) {
      this.emit('error', new IcebreakerError(result.error.code, `peer ${this.id}: ${result.error.message}`));
      return;
    }
    if (!result.value) return;
    const message = decodeMessage(result.value);
    if (!message.ok) {
      this.emit('error', new IcebreakerError(message.error.code, `peer ${this.id} sent ${message.error.message}`));
      return;
    }
    this.emit('message', message.value);
  }

  /** Frames as large as both sides negotiated, up to MAX_FRAME_BYTES; 64 KiB when the stack does not say. */
  private frameBytes(): number {
    const max = this.pc.sctp?.maxMessageSize;
    const limit = typeof max === 'number' && max > 1 ? max : DEFAULT_FRAME_BYTES;
    return Math.min(this.context.frameBytes ?? MAX_FRAME_BYTES, limit);
  }
}

let trustModule: Promise<typeof import('./peer-trust.js')> | null = null;

/** The trust module, loaded once for every peer; a failed load is tried again by the next peer. */
function loadTrust(): Promise<typeof import('./peer-trust.js')> {
  trustModule ??= import('./peer-trust.js').catch((error: unknown) => {
    trustModule = null;
    throw new IcebreakerError('negotiation-failed', `could not load the safety-number code: ${(error as Error).message}`, { cause: error });
  });
  return trustModule;
}

/** The candidate as the protocol carries it (no undefined fields). */
function candidateInit(candidate: RTCIceCandidate) {
  return {
    candidate: candidate.candidate,
    ...(candidate.sdpMid === null || candidate.sdpMid === undefined ? {} : { sdpMid: candidate.sdpMid }),
    ...(candidate.sdpMLineIndex === null || candidate.sdpMLineIndex === undefined ? {} : { sdpMLineIndex: candidate.sdpMLineIndex }),
    ...(candidate.usernameFragment ? { usernameFragment: candidate.usernameFragment } : {}),
  };
}

/** An SDP without its ICE candidates (they are trickled instead). */
function withoutCandidates(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n');
}
