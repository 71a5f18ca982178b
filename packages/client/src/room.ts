import { IcebreakerError, type MessageData, type PeerId, type PeerInfo, type SignalData, type WelcomeMessage } from '@icebreaker/protocol';

import { Emitter } from './emitter.js';
import type { IncomingTransfer } from './incoming-transfer.js';
import type { PathInfo } from './path-ladder.js';
import type { RelayContext } from './peer-relay.js';
import { type PeerReconnectTiming, PeerSlot } from './peer-slot.js';
import { type PeerContext, RemotePeer } from './remote-peer.js';
import type { SafetyNumber } from './safety-number.js';
import { MAX_RESENDS, type PayloadData, SignalLink } from './signal-link.js';
import { SignalingClient, type WebSocketConstructor } from './signaling-client.js';
import { type AnyTransfer, type TransferOptions, TransferRegistry } from './transfer-registry.js';
import { LIMITS, validateConnect } from './validate.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  readonly room: string;
  readonly name?: string;
  /** An auth token, for servers that require one. */
  readonly token?: string;
  /**
   * A pairing link's secret (base64url, 128 to 512 bits; `createInvite` of `@icebreaker/client/pairing`
   * makes one). Every peer of the room must then prove, with each description and relay key it sends,
   * that it holds it: one that cannot is refused (`tampered`), which is what a signaling server that
   * put itself in the middle gets. The secret itself is never sent, to the server or the peers.
   */
  readonly secret?: string;
  /** ICE servers to use instead of those the server hands out. */
  readonly iceServers?: RTCIceServer[];
  /** Anything else for `new RTCPeerConnection(…)`, e.g. `iceTransportPolicy: 'relay'`. */
  readonly rtcConfiguration?: RTCConfiguration;
  /** The RTCPeerConnection implementation; defaults to the global one. In Node, pass one in. */
  readonly RTCPeerConnection?: typeof RTCPeerConnection;
  /** The WebSocket implementation; defaults to the global one. */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Reconnect the signaling connection when it drops (default on): the wait doubles from
   * `initialDelayMs` (10 ms to 60 s, default 250 ms) up to `maxDelayMs` (up to 10 min, default 5 s).
   */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number } | false;
  /** How long ICE may stay `disconnected` before it is restarted (0 to 10 min, default 5 s). */
  readonly disconnectedRestartMs?: number;
  /**
   * Unacknowledged signals are sent again after this long, then after twice as long each time, three
   * times at most (50 ms to 60 s, default 2 s); the peer is then reported (`signals-unacknowledged`).
   */
  readonly retransmitMs?: number;
  /**
   * The last rung of the connection ladder: when ICE has not connected within `afterMs` (0 to 10 min,
   * default 4 s), or fails, the data goes through the signaling server, end-to-end encrypted, until ICE
   * connects and it moves back (see the README's "The ladder"). Used only when the server offers it.
   * `false` turns it off: a peer whose ICE fails then stays unconnected.
   */
  readonly relay?: { readonly afterMs?: number } | false;
  /**
   * File transfers: where incoming files go (`store`, which also keeps partial files for a resume
   * after a restart or reload) and how long an interrupted transfer waits for a resume.
   */
  readonly transfers?: TransferOptions;
  /**
   * A new peer connection to a peer still in the room when the one to it dies (its main channel
   * closed: `pc.close()` on either side, ICE failed for good, the relay failed), over and over, until
   * it leaves or the room closes (default on). The lower peer id offers; the room's `peer` event
   * announces each new {@link RemotePeer}, with the same `id` and a `generation` one higher. Attempts
   * wait `initialDelayMs` (10 ms to 60 s, default 1 s), doubling up to `maxDelayMs` (up to 10 min,
   * default 60 s); one that opens starts the wait over. `false`: a dead connection stays dead.
   */
  readonly peerReconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number } | false;
  /** Largest frame on a data channel, in bytes (1024 to 262144; default: what both sides negotiated, at most 256 KiB; 64 KiB if the stack does not say). */
  readonly frameBytes?: number;
}

/** The signaling connection's state. Data channels keep working in every one of them but `closed`. */
export type SignalingState = 'open' | 'reconnecting' | 'closed';

/** The events of a {@link Room}. */
export interface RoomEvents {
  /**
   * A remote peer appeared (it joined, or was in the room when you did), or a new peer connection to
   * one replaced a dead one (`peer.generation > 0`, same `peer.id`; see `peerReconnect`): attach
   * per-peer listeners here, for every RemotePeer. The room's own events carry on across reconnections.
   */
  peer: [peer: RemotePeer];
  /** The path to a peer changed (`direct`, `turn`, `relay`): see {@link RemotePeer.path}. */
  path: [peer: RemotePeer, info: PathInfo];
  /** A remote peer left the room (after its grace period, if its connection dropped). */
  'peer-left': [peer: RemotePeer];
  /** A peer's main data channel opened: once per peer connection. */
  open: [peer: RemotePeer];
  /** A peer's safety number appeared or changed: see {@link RemotePeer.safetyNumber}. */
  safety: [peer: RemotePeer, number: SafetyNumber];
  message: [peer: RemotePeer, data: MessageData];
  transfer: [peer: RemotePeer, transfer: IncomingTransfer];
  signaling: [state: SignalingState];
  /**
   * Something failed; `peer` names the remote peer it concerns, if any (`unexpected-channel`,
   * `signals-unacknowledged`, `negotiation-failed`, `message-failed`, …).
   */
  error: [error: IcebreakerError, peer: RemotePeer | undefined];
}

/** A peer made before anyone else is in the room, whose offer waits on the server (see `prepare`). */
interface Prepared {
  readonly peer: RemotePeer;
  readonly link: SignalLink;
  /** Who the link sends to: nobody named (held by the server) until a peer joins. */
  readonly target: { id: PeerId | undefined };
  /** What it sent before it was bound, told again to the application's listeners at binding. */
  readonly sent: PayloadData[];
}

/** Stands for the remote id of a prepared peer until one joins; never seen by the application. */
const UNBOUND = '' as PeerId;

const OPEN_RETRY = { initialDelayMs: LIMITS.initialDelayMs.default, maxDelayMs: LIMITS.maxDelayMs.default };

/** How long a departed peer's connection stays open for what it sent just before it left. */
const PEER_LEFT_LINGER_MS = 2000;

/** After `going-away`, the connection is left within this long at most (or half the server's window). */
const GOING_AWAY_SPREAD_MS = 5000;

/**
 * Joins a room on an Icebreaker server and connects to every other peer in it (a full mesh).
 * Resolves with the {@link Room} once the server has welcomed you; peers then appear through its
 * `peer` event.
 * Throws a `TypeError` naming the field for an option out of its range, before connecting.
 *
 * @example
 * ```ts
 * import { connect } from '@icebreaker/client';
 * const room = await connect('wss://example.org/ws', { room: 'demo' });
 * room.on('message', (peer, data) => console.log(peer.id, data));
 * room.on('open', (peer) => peer.send('hello'));
 * // Node: connect(url, { room, RTCPeerConnection: wrtc.RTCPeerConnection, WebSocket })
 * ```
 */
export async function connect(url: string, options: ConnectOptions): Promise<Room> {
  validateConnect(url, options);
  const signaling = await SignalingClient.open(url, options.WebSocket ? { WebSocket: options.WebSocket } : {});
  return joinRoom(url, options, signaling);
}

/**
 * @internal Joins on an open signaling connection (closed if the join fails) and makes the Room in
 * the same turn as the welcome, so that the signals that follow the welcome (a held offer) find it.
 */
export async function joinRoom(url: string, options: ConnectOptions, signaling: SignalingClient): Promise<Room> {
  try {
    const welcome = await signaling.join(joinRequest(options));
    return new Room(url, options, signaling, welcome);
  } catch (error) {
    signaling.close();
    throw error;
  }
}

function joinRequest(options: ConnectOptions, resume?: string) {
  return {
    room: options.room,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(resume === undefined ? {} : { resume }),
  };
}

/**
 * A room you have joined: your peer id, the remote peers, and the signaling connection, which
 * reconnects and resumes by itself (same id, no lost signal) while the data channels carry on.
 * {@link connect} makes one; the teaching page builds one on a signaling connection it opened itself.
 *
 * @example
 * ```ts
 * const room = await connect(url, { room: 'demo' });
 * console.log(`in ${room.name} as ${room.peerId}`);
 * room.on('peer', (peer) => console.log('peer', peer.id));
 * room.close(); // leaves
 * ```
 */
export class Room extends Emitter<RoomEvents> {
  /** Your peer id in the room, chosen by the server; the same after every resume. */
  readonly peerId: PeerId;
  /** The room's name. */
  readonly name: string;
  private readonly remote = new Map<PeerId, PeerSlot>();
  private signaling: SignalingClient;
  private welcome: WelcomeMessage;
  private state: SignalingState = 'open';
  private prepared: Prepared | null = null;
  private readonly registry: TransferRegistry;
  /** The safety numbers the user marked verified, by peer id (see `RemotePeer.markVerified`). */
  private readonly verified = new Map<PeerId, string>();

  constructor(
    private readonly url: string,
    private readonly options: ConnectOptions,
    signaling: SignalingClient,
    welcome: WelcomeMessage,
  ) {
    super();
    // The page builds its room on a signaling connection of its own: the same checks as connect().
    validateConnect(url, options);
    this.peerId = welcome.peerId;
    this.name = welcome.room;
    this.signaling = signaling;
    this.welcome = welcome;
    this.registry = new TransferRegistry(options.transfers);
    this.attach(signaling);
    // Peers already here make the offers (as the seed's PEER1 does): each learns of a newcomer
    // through peer-joined, while the newcomer waits for their offers. The first peer of a room makes
    // its offer at once, before anyone is there (see `prepare`).
    queueMicrotask(() => {
      for (const info of welcome.peers) this.ensurePeer(info, false);
      this.prepare();
    });
  }

  /** Whether the room was joined with a pairing link's secret (`secret`): every peer must then prove it. */
  get paired(): boolean {
    return this.options.secret !== undefined;
  }

  /** The remote peers, by id. */
  get peers(): ReadonlyMap<PeerId, RemotePeer> {
    return new Map([...this.remote].map(([id, { peer }]) => [id, peer]));
  }

  /**
   * The file transfers not yet over, both ways: under way, or `interrupted` and waiting for a resume.
   * Cancel one to discard it (and its partial file).
   */
  get transfers(): readonly AnyTransfer[] {
    return this.registry.list;
  }

  /**
   * Asks every connected peer again to resume the interrupted transfers and the partial files of the
   * room's store (the room asks each peer once when it connects; this is the "Resume" button).
   */
  resumeTransfers(): void {
    this.registry.resumeAll();
  }

  /** The signaling connection's state; the data channels do not depend on it. */
  get signalingState(): SignalingState {
    return this.state;
  }

  /** Leaves the room and closes every peer connection. */
  close(): void {
    if (this.state === 'closed') return;
    this.setState('closed');
    if (this.signaling.isOpen) this.signaling.leave();
    this.signaling.close();
    for (const slot of this.remote.values()) {
      slot.dispose();
      slot.peer.close();
    }
    this.remote.clear();
    this.discardPrepared();
    this.registry.close();
  }

  private attach(signaling: SignalingClient): void {
    signaling.on('peer-joined', (info) => this.ensurePeer(info, true));
    signaling.on('peer-left', (peerId) => {
      const entry = this.remote.get(peerId);
      if (!entry) return;
      this.remote.delete(peerId);
      entry.dispose();
      entry.peer.closeWhenDrained(PEER_LEFT_LINGER_MS);
      this.emit('peer-left', entry.peer);
      // Alone again: the next peer to join finds an offer waiting, as the first one did.
      this.prepare();
    });
    signaling.on('signal', (from, data, seq) => this.receive(from, data, seq));
    signaling.on('relay', (from, payload) => this.remote.get(from)?.relayIn(payload));
    signaling.on('error', (error) => {
      // Nobody came within the server's --hold-ttl: the held offer is gone, so make a fresh one for
      // whoever comes next. The application never sent it, so it is not the application's error.
      if (error.code === 'hold-expired' && this.prepared) {
        this.discardPrepared();
        this.prepare();
        return;
      }
      this.emit('error', error, undefined);
    });
    // A draining server: leave on our own, at a random moment of the first half of the window so
    // that a node's clients do not all arrive at the next node at once; the close starts the resume.
    signaling.on('going-away', (withinMs) => {
      const delay = Math.random() * Math.min(withinMs / 2, GOING_AWAY_SPREAD_MS);
      setTimeout(() => {
        if (signaling === this.signaling) signaling.close();
      }, delay);
    });
    signaling.on('close', () => {
      if (this.state === 'open' && signaling === this.signaling) void this.reconnect();
    });
  }

  private receive(from: PeerId, data: SignalData, seq: number | undefined): void {
    // A signal can come before its peer-joined (after a server restart, peers resume in any order).
    // Held signals come before the welcome's peers are made: their names are in the welcome.
    const entry = this.remote.get(from) ?? this.ensurePeer(this.welcome.peers.find((p) => p.id === from) ?? { id: from }, false);
    entry?.link.receive(seq, data);
  }

  private ensurePeer(info: PeerInfo, initiator: boolean): PeerSlot | undefined {
    const known = this.remote.get(info.id);
    if (known || this.state === 'closed') return known;
    const prepared = this.prepared;
    if (prepared) {
      // The first peer to join got the prepared offer (held, or sent to it as the only other peer):
      // this side is its caller, whichever way we learnt of it (peer-joined, its first signal, a
      // resumed welcome).
      this.prepared = null;
      prepared.target.id = info.id;
      prepared.peer.bind(info.id, this.peerContext(info, true, prepared.link));
      prepared.link.restartWait();
      return this.announce(info, prepared.peer, prepared.link, prepared.sent);
    }
    const made = this.makePeer(info, initiator);
    return this.announce(info, made.peer, made.link, []);
  }

  /**
   * The seed's steps 8–12: alone in the room, make the caller's peer connection, its channel and its
   * offer now, and trickle its candidates: the server holds them (`signal` without `to`) and hands
   * them to the next peer right after its welcome, so that peer answers at once instead of first
   * announcing itself and waiting for an offer. Does nothing unless this peer is alone.
   */
  private prepare(): void {
    if (this.prepared || this.remote.size > 0 || this.state !== 'open') return;
    this.prepared = this.makePeer({ id: UNBOUND }, true);
  }

  private discardPrepared(): void {
    const prepared = this.prepared;
    this.prepared = null;
    prepared?.link.dispose();
    prepared?.peer.close();
  }

  /** A peer connection to `info` and the signal link to it; `info.id` is UNBOUND for a prepared one. */
  private makePeer(info: PeerInfo, initiator: boolean): Prepared {
    const target = { id: info.id === UNBOUND ? undefined : info.id };
    const sent: PayloadData[] = [];
    let peer: RemotePeer | null = null;
    const retransmitMs = this.options.retransmitMs ?? LIMITS.retransmitMs.default;
    const link = new SignalLink(
      (data, seq) => {
        if (this.state === 'open' && this.signaling.isOpen) this.signaling.signal(data, target.id, seq);
      },
      (data) => {
        // Bound and announced, the peer's slot sorts signals by generation (see PeerSlot).
        const slot = target.id === undefined ? undefined : this.remote.get(target.id);
        if (slot?.link === link) slot.deliver(data);
        else peer?.handleSignal(data);
      },
      {
        retransmitMs,
        // Unbound, a copy would only be held again beside the first: the joiner gets the first.
        online: () => target.id !== undefined && this.state === 'open' && this.signaling.isOpen,
        unacknowledged: (pending, everAcked) => {
          const slot = target.id === undefined ? undefined : this.remote.get(target.id);
          const current = slot?.link === link ? slot.peer : peer;
          if (!current) return;
          const waited = (retransmitMs * (2 ** (MAX_RESENDS + 1) - 1)) / 1000;
          const what = everAcked
            ? `has stopped acknowledging signals: ${pending} unacknowledged after ${MAX_RESENDS} resends over ${waited} s`
            : `has acknowledged none of the ${pending} signals sent to it after ${MAX_RESENDS} resends over ${waited} s: it may not speak the end-to-end signal protocol (seq and ack)`;
          this.emit('error', new IcebreakerError('signals-unacknowledged', `peer ${target.id} ${what}; no more resends`), current);
        },
      },
    );
    const context = this.peerContext(info, initiator, link);
    const unbound = info.id === UNBOUND;
    const created = new RemotePeer(
      info.id,
      unbound
        ? {
            ...context,
            signal: (data) => {
              if (target.id === undefined) sent.push(data);
              link.send(data);
            },
          }
        : context,
    );
    peer = created;
    return { peer: created, link, target, sent };
  }

  private peerContext(info: PeerInfo, initiator: boolean, link: SignalLink): PeerContext {
    return {
      RTCPeerConnection: this.options.RTCPeerConnection ?? globalThis.RTCPeerConnection,
      configuration: { ...this.options.rtcConfiguration, iceServers: this.options.iceServers ?? [...this.welcome.iceServers] },
      // Any fixed order works; both sides must just agree on who yields.
      polite: this.peerId < info.id,
      initiator,
      signal: (data) => link.send(data),
      disconnectedRestartMs: this.options.disconnectedRestartMs ?? LIMITS.disconnectedRestartMs.default,
      transfers: this.registry,
      verified: this.verified,
      ...(this.options.secret === undefined ? {} : { secret: this.options.secret }),
      ...(this.options.frameBytes === undefined ? {} : { frameBytes: this.options.frameBytes }),
      ...(info.name === undefined ? {} : { name: info.name }),
      ...this.relayContext(info.id),
    };
  }

  /** Makes a peer known to the room and the application. */
  private announce(info: PeerInfo, created: RemotePeer, link: SignalLink, sent: readonly PayloadData[]): PeerSlot {
    const slot = new PeerSlot(created, link, this.peerId < info.id, this.reconnectTiming(), {
      make: (generation, initiator) => {
        const context = this.peerContext(info, initiator, link);
        // Tagged so that the other side can tell this connection's signals from the dead one's.
        return new RemotePeer(info.id, { ...context, generation, signal: (data) => link.send({ ...data, gen: generation }) });
      },
      announce: (peer) => this.present(peer),
    });
    this.remote.set(info.id, slot);
    this.present(created);
    created.replaySent(sent);
    return slot;
  }

  /** Forwards a RemotePeer's events as the room's, and tells the application of it. */
  private present(created: RemotePeer): void {
    created.on('open', () => this.emit('open', created));
    created.on('message', (data) => this.emit('message', created, data));
    created.on('transfer', (transfer) => this.emit('transfer', created, transfer));
    created.on('error', (error) => this.emit('error', error, created));
    created.on('path', (path) => this.emit('path', created, path));
    created.on('safety', (number) => this.emit('safety', created, number));
    this.emit('peer', created);
  }

  /** The back-off of new peer connections, or null when the application turned them off. */
  private reconnectTiming(): PeerReconnectTiming | null {
    const option = this.options.peerReconnect;
    if (option === false) return null;
    return {
      initialDelayMs: option?.initialDelayMs ?? LIMITS.peerInitialDelayMs.default,
      maxDelayMs: option?.maxDelayMs ?? LIMITS.peerMaxDelayMs.default,
    };
  }

  /**
   * The relay to `peerId`, when the server offers it and the application did not turn it off; none
   * for a peer prepared before the remote one is known (it gets one when bound).
   */
  private relayContext(peerId: PeerId): { relay?: RelayContext } {
    if (this.options.relay === false || !this.welcome.relay || peerId === UNBOUND) return {};
    const relay: RelayContext = {
      transport: { send: (payload) => this.state === 'open' && this.signaling.relay(peerId, payload) },
      report: (state) => {
        if (this.state === 'open') this.signaling.relayState(peerId, state);
      },
      afterMs: this.options.relay?.afterMs ?? LIMITS.relayAfterMs.default,
    };
    return { relay };
  }

  /** Reopens the signaling connection with backoff and resumes the same peer id. */
  private async reconnect(): Promise<void> {
    this.setState('reconnecting');
    // The server keeps no relay frame for a peer whose connection dropped: what was on its way to us
    // is lost, so a relay carrying data is over (issue 11: it hung instead, the transfer never ending).
    for (const { peer } of this.remote.values()) peer.relayLost();
    const retry = this.options.reconnect === false ? null : { ...OPEN_RETRY, ...this.options.reconnect };
    for (let attempt = 0; retry && this.state === 'reconnecting'; attempt++) {
      const delay = Math.min(retry.initialDelayMs * 2 ** attempt, retry.maxDelayMs) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.state !== 'reconnecting') return;
      let signaling: SignalingClient;
      try {
        signaling = await SignalingClient.open(this.url, this.options.WebSocket ? { WebSocket: this.options.WebSocket } : {});
      } catch {
        continue;
      }
      try {
        this.welcome = await signaling.join(joinRequest(this.options, this.welcome.resumeToken));
      } catch (error) {
        signaling.close();
        if (error instanceof IcebreakerError && error.code === 'connection-closed') continue;
        this.emit('error', error instanceof IcebreakerError ? error : new IcebreakerError('resume-failed', String(error)), undefined);
        this.close();
        return;
      }
      this.signaling = signaling;
      this.attach(signaling);
      this.setState('open');
      for (const info of this.welcome.peers) this.ensurePeer(info, false);
      // Whatever was sent into the outage goes again; the receiving links drop duplicates.
      for (const { link, peer } of this.remote.values()) {
        link.resend();
        peer.relayResume();
      }
      this.prepared?.link.resend();
      this.prepare();
      return;
    }
    if (!retry) this.close();
  }

  private setState(state: SignalingState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('signaling', state);
  }
}
