import { IcebreakerError, MAIN_LABEL, RELAY_MOVED_LABEL, TRANSFER_LABEL } from '@icebreaker/protocol';
import type { ChannelLike } from './channel-like.js';
import { MAIN_RELAY_CHANNEL, PathChannel } from './path-channel.js';
import type { PeerRelay, RelayContext } from './peer-relay.js';
import type { RelayChannel } from './relay-link.js';
import { type SelectedPair, selectedPair } from './selected-pair.js';
import type { PayloadData } from './signal-link.js';

/**
 * How a peer's data travels: `direct` (host or server-reflexive candidates: peer to peer), `turn`
 * (through a TURN server, over UDP, TCP or TLS), `relay` (through the signaling server, end-to-end
 * encrypted), or `connecting` before any of them carries it.
 */
export type PeerPath = 'connecting' | 'direct' | 'turn' | 'relay';

/** What the `path` event of a remote peer tells. */
export interface PathInfo {
  readonly path: PeerPath;
  /** Why the path changed, in plain words (always set when it falls back to the relay). */
  readonly reason?: string;
  /** The selected candidate pair, on the direct and TURN paths. */
  readonly pair?: SelectedPair;
}

/** What the ladder needs of its remote peer. */
export interface LadderHost {
  readonly pc: RTCPeerConnection;
  readonly id: string;
  signal(data: PayloadData): void;
  /** The main channel carries data now, or carries no more. */
  mainEvent(event: 'open' | 'close' | 'message', data?: unknown): void;
  /** The peer opened a file channel over the relay. */
  transferChannel(channel: ChannelLike): void;
  path(info: PathInfo): void;
  error(error: IcebreakerError): void;
  /** Restarts ICE; false when the stack cannot. */
  restartIce(): boolean;
  readonly closed: boolean;
}

/** Relay payloads kept while the relay's code loads (a few milliseconds): the peer's first ops. */
const EARLY_RELAY_PAYLOADS = 64;

/** ICE restarts while the relay carries the data: at most this often, doubling up to a minute. */
const RESTART_FIRST_MS = 2000;
const RESTART_MAX_MS = 60_000;

/**
 * The connection ladder of one remote peer: the direct path (which covers host, server-reflexive and
 * TURN candidates: ICE picks among them) and, below it, the relay through the signaling server.
 *
 * The relay starts when ICE has not connected within `afterMs`, or fails (and its restart does not
 * bring it back within `afterMs`). ICE keeps trying meanwhile, restarting with a growing pause, and when
 * it connects the channels move back to the direct path: each side sends `Switch` on the relay and its
 * next bytes on a data channel, and reads the other's data channel once the other's `Switch` has
 * arrived, so no message or file byte is lost or reordered by the move. When the direct path dies
 * under way, what it still held is lost: the relay carries what is sent from then on.
 */
export class PathLadder {
  readonly main = new PathChannel(MAIN_LABEL, MAIN_RELAY_CHANNEL);
  /** The relay, once its code is loaded (see {@link useRelay}). */
  private relay: PeerRelay | null = null;
  private relayContext: RelayContext | null = null;
  private loading: Promise<PeerRelay | null> | null = null;
  /** Relay payloads that came while the relay's code was loading. */
  private readonly early: Uint8Array[] = [];
  /** The direct main channel: the first `icebreaker` one, or a moved one after it died. */
  private direct: RTCDataChannel | null = null;
  /** A direct main channel died under way: the next one is a moved one (`icebreaker-moved:1`). */
  private directDied = false;
  /** Channels that have travelled over the relay, by relay number (the main one too). */
  private readonly relayed = new Map<number, PathChannel>();
  /** Data channels opened to take channels over from the relay: held so a binding cannot collect them. */
  private readonly moved = new Set<RTCDataChannel>();
  private current: PeerPath = 'connecting';
  private fallbackTimer: ReturnType<typeof setTimeout> | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private restartDelay = RESTART_FIRST_MS;
  /** A reason to relay that came before the keys were agreed. */
  private pendingReason: string | null = null;

  constructor(
    private readonly host: LadderHost,
    private readonly initiator: boolean,
  ) {
    const main = this.main;
    main.addEventListener('open', () => host.mainEvent('open'));
    main.addEventListener('close', () => host.mainEvent('close'));
    main.addEventListener('message', (event) => host.mainEvent('message', (event as MessageEvent).data));
  }

  /**
   * Adds the relay rung, and starts the clock on ICE. Called as the peer is made, or, for a peer
   * prepared before the remote one was known, once it is (its offer waited in the server's hold
   * meanwhile, and the relay is between two known peers). The relay's code (its link, its WebCrypto
   * sealing) is loaded only when a side needs the relay: an application whose connections ICE opens
   * never downloads it, as it never downloads the SHA-256 without a file.
   */
  useRelay(context: RelayContext): void {
    if (this.relayContext || this.host.closed) return;
    this.relayContext = context;
    const ice = this.host.pc.iceConnectionState;
    if (ice !== 'connected' && ice !== 'completed') this.arm(context.afterMs, `ICE did not connect within ${context.afterMs / 1000} s`);
  }

  /** The relay's code and link, loaded once, when first needed; null if it cannot load or the peer closed. */
  private loadRelay(): Promise<PeerRelay | null> {
    const context = this.relayContext;
    if (!context) return Promise.resolve(null);
    this.loading ??= import('./peer-relay.js').then(
      ({ PeerRelay }) => {
        if (this.host.closed) return null;
        const relay = new PeerRelay(
          context,
          this.initiator,
          (data) => this.host.signal(data),
          (error) => this.host.error(error),
        );
        this.relay = relay;
        const link = relay.link;
        link.on('hello', (reason) => this.peerRelays(reason));
        link.on('bye', () => this.main.close());
        link.on('channel', (channel) => this.adoptRelayed(channel));
        link.on('error', (error) => {
          this.host.error(error);
          if (this.current === 'relay') this.main.close();
        });
        for (const payload of this.early.splice(0)) link.receive(payload);
        return relay;
      },
      (error: unknown) => {
        this.host.error(
          new IcebreakerError('relay-unavailable', `the relay's code could not be loaded: ${(error as Error).message}`, { cause: error }),
        );
        return null;
      },
    );
    return this.loading;
  }

  /** The path the data takes now. */
  get path(): PeerPath {
    return this.current;
  }

  /** Whether this peer has the relay rung (the server offers it, the application did not turn it off). */
  get relayOffered(): boolean {
    return this.relayContext !== null;
  }

  /** The peer's `relay-key` signal. */
  relayKey(key: string): void {
    void this.loadRelay().then((relay) =>
      relay?.agree(key).then(
        () => {
          if (this.pendingReason !== null) this.startRelay(this.pendingReason);
        },
        (error: unknown) => this.host.error(error as IcebreakerError),
      ),
    );
  }

  /** A sealed payload the server relayed from this peer. */
  relayIn(payload: Uint8Array): void {
    if (this.relay) this.relay.link.receive(payload);
    else if (this.relayContext && this.early.length < EARLY_RELAY_PAYLOADS) {
      this.early.push(payload.slice());
      void this.loadRelay();
    }
  }

  /**
   * The signaling connection dropped: relay frames sent to us meanwhile are refused by the server
   * (it keeps none for a peer that is away), so a relay carrying data fails now, with `relay-failed`,
   * rather than wait forever for bytes that will not come.
   */
  signalingLost(): void {
    if (this.relay?.active) this.relay.link.abort('the signaling connection dropped while relaying: what was on its way is lost');
  }

  /** The signaling connection is back: send what waited. */
  resume(): void {
    this.relay?.link.pump();
  }

  /** A data channel of the direct path labelled `icebreaker` or `icebreaker-moved:N`. */
  adoptDirect(channel: RTCDataChannel): boolean {
    if (channel.label === MAIN_LABEL) {
      if (this.direct) return false;
      this.direct = channel;
      this.watchDirect(channel);
      return true;
    }
    const id = Number(channel.label.slice(RELAY_MOVED_LABEL.length));
    const target = this.relayed.get(id);
    if (!target) {
      channel.close();
      return true;
    }
    if (id === MAIN_RELAY_CHANNEL && !this.direct) {
      this.direct = channel;
      this.watchDirect(channel);
    }
    // The peer's bytes of this channel come here once its Switch on the relay has arrived.
    target.expect(channel);
    return true;
  }

  /** A channel for a new file transfer: a data channel, or a relay channel while the relay carries the data. */
  openTransfer(): ChannelLike {
    if (this.current === 'relay' && this.relay) {
      const relayed = this.relay.link.open(TRANSFER_LABEL);
      const path = new PathChannel(TRANSFER_LABEL, relayed.id);
      path.attach(relayed);
      this.track(path);
      return path;
    }
    const channel = this.host.pc.createDataChannel(TRANSFER_LABEL, { ordered: true });
    channel.binaryType = 'arraybuffer';
    return channel;
  }

  /** The ICE connection state changed. */
  iceChanged(state: RTCIceConnectionState): void {
    if (state === 'connected' || state === 'completed') {
      clearTimeout(this.fallbackTimer);
      this.fallbackTimer = undefined;
      this.restartDelay = RESTART_FIRST_MS;
      if (this.relay?.active) this.upgrade();
      else void this.describe();
      return;
    }
    const context = this.relayContext;
    if (!context) return;
    if (state === 'failed') {
      this.startRelay('ICE failed: no candidate pair works (a firewall, a symmetric NAT, or no TURN server that answers)');
      this.restartLater();
    } else if (state === 'disconnected' && this.current !== 'relay') {
      this.arm(context.afterMs, `the direct connection was lost for ${context.afterMs / 1000} s`);
    }
  }

  /** Bytes sent over the relay and not yet taken by the peer. */
  get relayOutstanding(): number {
    return this.relay?.link.outstanding ?? 0;
  }

  close(): void {
    clearTimeout(this.fallbackTimer);
    clearTimeout(this.restartTimer);
    this.relay?.close();
    for (const channel of this.moved) channel.close();
    this.moved.clear();
  }

  // ── the rungs ────────────────────────────────────────────────────────────────────────────────

  private arm(afterMs: number, reason: string): void {
    clearTimeout(this.fallbackTimer);
    this.fallbackTimer = setTimeout(() => {
      this.fallbackTimer = undefined;
      const ice = this.host.pc.iceConnectionState;
      if (ice !== 'connected' && ice !== 'completed') this.startRelay(reason);
    }, afterMs);
    (this.fallbackTimer as { unref?: () => void }).unref?.();
  }

  /** Moves every channel to the relay. */
  private startRelay(reason: string): void {
    const relay = this.relay;
    if (!this.relayContext || relay?.active || this.host.closed) return;
    if (!relay) {
      this.pendingReason = reason;
      void this.loadRelay().then((loaded) => {
        if (loaded && this.pendingReason !== null) this.startRelay(this.pendingReason);
      });
      return;
    }
    if (!relay.link.ready) {
      // The keys are agreed first: ours goes now, the peer answers with its own.
      this.pendingReason = reason;
      relay.sendKey();
      return;
    }
    this.pendingReason = null;
    clearTimeout(this.fallbackTimer);
    relay.open(reason);
    const channel = relay.link.channel(MAIN_RELAY_CHANNEL);
    this.track(this.main);
    if (this.direct?.readyState === 'open') {
      // The direct path died under an open channel: it is given up, and a new one takes over later.
      this.main.abandon(this.direct);
      this.direct = null;
      this.directDied = true;
    }
    this.main.fallBackTo(channel);
    this.setPath({ path: 'relay', reason });
    this.restartLater();
  }

  /** The peer started relaying to us. */
  private peerRelays(reason: string): void {
    const relay = this.relay;
    if (!relay || relay.active) return;
    const channel = relay.link.channel(MAIN_RELAY_CHANNEL);
    this.track(this.main);
    const ice = this.host.pc.iceConnectionState;
    if (this.direct?.readyState === 'open' && (ice === 'connected' || ice === 'completed')) {
      // Our direct path works: read the peer on the relay until it moves back, and tell it at once
      // that our bytes keep coming directly.
      this.main.receiveFrom(channel);
      channel.switchAway();
      return;
    }
    this.startRelay(`the peer could not reach us directly (${reason})`);
  }

  /** ICE works again: every channel the relay carries moves to the direct path. */
  private upgrade(): void {
    const relay = this.relay;
    if (!relay?.active) return;
    relay.upgraded();
    clearTimeout(this.restartTimer);
    const direct = this.direct;
    if (direct?.readyState === 'open') this.moveMain(direct);
    else if (!direct && this.directDied) {
      const channel = this.openMoved(MAIN_RELAY_CHANNEL);
      this.direct = channel;
      this.watchDirect(channel);
    }
    // A direct main channel still opening (or, on the side that did not create it, still to be
    // announced by a `datachannel` event) moves in its `open` handler.
    for (const [id, path] of this.relayed) if (id !== MAIN_RELAY_CHANNEL && path.readyState === 'open') this.moveOver(id, path);
    void this.describe('ICE connected: the direct path carries the data again');
  }

  private moveMain(direct: RTCDataChannel): void {
    const relay = this.relay;
    const relayed = relay?.link.channel(MAIN_RELAY_CHANNEL);
    this.main.expect(direct);
    this.main.moveTo(direct, () => relayed?.switchAway());
  }

  /** Moves a relayed file channel to a data channel of its own. */
  private moveOver(id: number, path: PathChannel): void {
    const old = path.path as RelayChannel | null;
    const channel = this.openMoved(id);
    const move = (): void => {
      if (path.readyState === 'open') path.moveTo(channel, () => old?.switchAway());
    };
    // A channel made on a working association is `open` at once in libwebrtc (@roamhq/wrtc), and
    // fires no `open` event then.
    if (channel.readyState === 'open') move();
    else channel.addEventListener('open', move, { once: true });
  }

  private openMoved(id: number): RTCDataChannel {
    const channel = this.host.pc.createDataChannel(`${RELAY_MOVED_LABEL}${id}`, { ordered: true });
    channel.binaryType = 'arraybuffer';
    this.moved.add(channel);
    channel.addEventListener('close', () => this.moved.delete(channel));
    return channel;
  }

  /** Watches the direct main channel: opening it starts (or restores) the direct path; losing it may fall back. */
  private watchDirect(channel: RTCDataChannel): void {
    const opened = (): void => {
      if (this.direct !== channel || this.host.closed) return;
      if (this.relay?.active) this.upgrade();
      else if (!this.main.path) {
        this.main.attach(channel);
        void this.describe();
      } else this.moveMain(channel);
    };
    // Registered before the main channel listens, so a path that died is given up before the
    // channel would take its close for the end.
    channel.addEventListener('close', () => {
      if (this.direct !== channel || this.host.closed || !this.relayContext) return;
      const state = this.host.pc.connectionState;
      // Closed by the peer over a working connection: the end. Closed with the connection gone: a path that died.
      if (state === 'connected') return;
      this.main.abandon(channel);
      this.direct = null;
      this.directDied = true;
      this.startRelay(`the direct connection died (${state})`);
    });
    if (channel.readyState === 'open') opened();
    else channel.addEventListener('open', opened, { once: true });
  }

  /** A file channel the peer opened over the relay. */
  private adoptRelayed(channel: RelayChannel): void {
    if (channel.label !== TRANSFER_LABEL) {
      channel.close();
      this.host.error(
        new IcebreakerError(
          'unexpected-channel',
          `peer ${this.host.id} opened a relay channel labelled ${JSON.stringify(channel.label)}: closed`,
        ),
      );
      return;
    }
    const path = new PathChannel(TRANSFER_LABEL, channel.id);
    path.attach(channel);
    this.track(path);
    this.host.transferChannel(path);
  }

  private track(path: PathChannel): void {
    if (this.relayed.has(path.relayId)) return;
    this.relayed.set(path.relayId, path);
    if (path !== this.main) path.addEventListener('close', () => this.relayed.delete(path.relayId), { once: true });
  }

  /**
   * Restarts ICE after a pause that doubles each time (2 s to a minute), for as long as the relay
   * carries the data and ICE is not connected: libwebrtc often never reports `failed` (no pair at all,
   * or every check dropped), so the retries cannot wait for it.
   */
  private restartLater(): void {
    if (this.restartTimer || this.host.closed || this.restartDelay === Number.POSITIVE_INFINITY) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      const ice = this.host.pc.iceConnectionState;
      if (this.host.closed || !this.relay?.active || ice === 'connected' || ice === 'completed') return;
      this.restartDelay = Math.min(this.restartDelay * 2, RESTART_MAX_MS);
      // A stack that cannot restart (node-datachannel) stays on the relay unless its first ICE connects late.
      if (!this.host.restartIce()) this.restartDelay = Number.POSITIVE_INFINITY;
      this.restartLater();
    }, this.restartDelay);
    (this.restartTimer as { unref?: () => void }).unref?.();
  }

  /** Reads the selected pair and reports the direct or TURN path. */
  private async describe(reason?: string): Promise<void> {
    // Stats of a closed connection say nothing, and some stacks do not take the call well then.
    if (this.host.closed || this.host.pc.connectionState === 'closed') return;
    const pair = await selectedPair(this.host.pc).catch(() => null);
    if (this.relay?.active || this.host.closed) return;
    const path: PeerPath = pair && (pair.local.type === 'relay' || pair.remote.type === 'relay') ? 'turn' : 'direct';
    this.setPath({ path, ...(reason === undefined ? {} : { reason }), ...(pair ? { pair } : {}) });
  }

  private setPath(info: PathInfo): void {
    if (info.path === this.current && info.path !== 'relay' && info.reason === undefined) return;
    this.current = info.path;
    this.host.path(info);
  }
}
