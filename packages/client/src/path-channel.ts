import type { ChannelLike } from './channel-like.js';
import { messageEvent } from './channel-like.js';

/**
 * Bytes a channel holds from a new path while the old one has not said `Switch`: the old path's
 * remainder is at most a relay window, so a peer that goes past this on the new path without ever
 * switching is not following the protocol, and the channel closes.
 */
const HELD_MAX_BYTES = 64 * 1024 * 1024;

/** The relay's channel number of the main channel, the same on both sides (no `Open` precedes it). */
export const MAIN_RELAY_CHANNEL = 1;

/**
 * A channel that can move between paths: a data channel of the direct (or TURN) connection, or a
 * channel of the relay through the signaling server. Messages and file transfers use it as they would
 * a data channel, and never learn that it moved.
 *
 * Each direction moves on its own. Sending: {@link moveTo} sends the relay's `Switch` as the last op
 * of the old path, and everything after on the new one. Receiving: what the new path brings is held
 * until the old path's `Switch` arrives, so nothing is reordered. A path that died (ICE failed) is
 * {@link abandon}ed instead: what it still held is lost, and nothing more is read from it.
 */
export class PathChannel extends EventTarget implements ChannelLike {
  private sendPath: ChannelLike | null = null;
  /** Paths we sent on before, still passing on what they hold. */
  private readonly draining = new Set<ChannelLike>();
  private receivePath: ChannelLike | null = null;
  /** The path the peer moved to, read from once the old one's `Switch` has arrived. */
  private nextPath: ChannelLike | null = null;
  private held: unknown[] = [];
  private heldBytes = 0;
  /** The old path's `Switch` arrived before the new path did. */
  private switched = false;
  private readonly ignored = new WeakSet<ChannelLike>();
  private readonly watched = new WeakSet<ChannelLike>();
  private threshold = 0;
  private state: RTCDataChannelState = 'connecting';

  constructor(
    readonly label: string,
    /** The relay's number of this channel (its `Open` op's, or the main channel's). */
    readonly relayId: number,
  ) {
    super();
  }

  get readyState(): RTCDataChannelState {
    // The path we send on has ended, and its close event is on its way: we are closing too.
    const path = this.sendPath;
    if (this.state === 'open' && path && !this.ignored.has(path) && (path.readyState === 'closing' || path.readyState === 'closed'))
      return 'closing';
    return this.state;
  }

  get bufferedAmount(): number {
    let total = this.sendPath?.bufferedAmount ?? 0;
    for (const path of this.draining) total += path.bufferedAmount;
    return total;
  }

  get bufferedAmountLowThreshold(): number {
    return this.threshold;
  }

  set bufferedAmountLowThreshold(bytes: number) {
    this.threshold = bytes;
    if (this.sendPath) this.sendPath.bufferedAmountLowThreshold = bytes;
  }

  /** The path `send` uses now, if any. */
  get path(): ChannelLike | null {
    return this.sendPath;
  }

  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    if (this.state !== 'open' || !this.sendPath) throw new DOMException(`the channel is ${this.state}`, 'InvalidStateError');
    this.sendPath.send(data);
  }

  close(): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    for (const path of [this.sendPath, this.receivePath, this.nextPath, ...this.draining]) path?.close();
    this.finish();
  }

  /**
   * Uses `path` both ways: the first path of a channel (its data channel, or its relay channel), or a
   * data channel the peer and we share. Opens this channel when the path is open.
   */
  attach(path: ChannelLike): void {
    this.listen(path);
    this.sendPath ??= path;
    this.receivePath ??= path;
    if (path.readyState === 'open') this.opened();
  }

  /**
   * Moves our sending to `path` (open, or opening: sends wait for it in bufferedAmount terms). When
   * the old path is a relay channel, `switchAway` tells the peer where our bytes go next.
   */
  moveTo(path: ChannelLike, switchAway?: () => void): void {
    if (path === this.sendPath) return;
    this.listen(path);
    const old = this.sendPath;
    if (old) {
      switchAway?.();
      if (old.bufferedAmount > 0) {
        this.draining.add(old);
        old.addEventListener('bufferedamountlow', () => this.draining.delete(old), { once: true });
        old.bufferedAmountLowThreshold = 0;
      }
    }
    this.sendPath = path;
    path.bufferedAmountLowThreshold = this.threshold;
    this.receivePath ??= path;
    if (path.readyState === 'open') this.opened();
  }

  /** The peer's bytes will come on `path` once the current receiving path says `Switch`. */
  expect(path: ChannelLike): void {
    if (path === this.receivePath) return;
    this.listen(path);
    if (!this.receivePath || this.switched) {
      this.switched = false;
      this.receivePath = path;
      return;
    }
    this.nextPath = path;
  }

  /**
   * The peer sends on `path` from now on (it fell back to the relay while our direct path still
   * works): read it, and, once it says `Switch`, the path we read before.
   */
  receiveFrom(path: ChannelLike): void {
    if (path === this.receivePath) return;
    this.listen(path);
    const before = this.receivePath;
    this.receivePath = path;
    this.switched = false;
    if (before && !this.ignored.has(before)) this.nextPath = before;
  }

  /** The current receiving path said `Switch`: read from the next one, starting with what it brought. */
  switchArrived(): void {
    const next = this.nextPath;
    if (!next) {
      this.switched = true;
      return;
    }
    this.nextPath = null;
    this.receivePath = next;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const data of held) this.dispatchEvent(messageEvent(data));
  }

  /**
   * `path` died with the connection under it: nothing more is sent on or read from it, and its end
   * does not end this channel. What it still held is lost.
   */
  abandon(path: ChannelLike): void {
    this.ignored.add(path);
    this.draining.delete(path);
    if (this.sendPath === path) this.sendPath = null;
    if (this.receivePath === path) {
      this.receivePath = this.nextPath;
      this.nextPath = null;
      const held = this.held;
      this.held = [];
      for (const data of held) this.dispatchEvent(messageEvent(data));
    }
    if (this.nextPath === path) this.nextPath = null;
  }

  /** Uses `path` for everything from now on, after the path we used died (see {@link abandon}). */
  fallBackTo(path: ChannelLike): void {
    for (const old of [this.sendPath, this.receivePath]) if (old && old !== path) this.abandon(old);
    this.listen(path);
    this.sendPath = path;
    path.bufferedAmountLowThreshold = this.threshold;
    this.receivePath = path;
    if (path.readyState === 'open') this.opened();
  }

  private listen(path: ChannelLike): void {
    if (this.watched.has(path)) return;
    this.watched.add(path);
    path.addEventListener('open', () => {
      if (!this.ignored.has(path) && (path === this.sendPath || path === this.receivePath)) this.opened();
    });
    path.addEventListener('message', (event) => {
      if (this.ignored.has(path) || this.state === 'closed') return;
      const data = (event as MessageEvent).data;
      if (path === this.receivePath) this.dispatchEvent(messageEvent(data));
      else if (path === this.nextPath) this.hold(data);
    });
    path.addEventListener('bufferedamountlow', () => {
      if (path === this.sendPath || this.draining.size === 0) this.dispatchEvent(new Event('bufferedamountlow'));
    });
    path.addEventListener('switch', () => {
      if (path === this.receivePath) this.switchArrived();
    });
    path.addEventListener('close', () => {
      this.draining.delete(path);
      if (this.ignored.has(path)) return;
      // The end of the path we read or write ends the channel; the end of one we moved away from does not.
      if (path === this.sendPath || path === this.receivePath) this.finish();
    });
  }

  private hold(data: unknown): void {
    this.held.push(data);
    this.heldBytes += typeof data === 'string' ? data.length : ((data as ArrayBuffer).byteLength ?? 0);
    if (this.heldBytes > HELD_MAX_BYTES) this.close();
  }

  private opened(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.dispatchEvent(new Event('open'));
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.dispatchEvent(new Event('close'));
  }
}
