import { type ConnectOptions, joinRoom, type Room } from './room.js';
import { SignalingClient, type SignalingClientOptions } from './signaling-client.js';
import { validateConnect, validateSignalingOpen } from './validate.js';

/**
 * A signaling connection opened before the room is known: see {@link prepare}. Its one
 * {@link PreparedConnection.join} joins a room on it.
 */
export interface PreparedConnection {
  /**
   * Joins a room on the connection opened by {@link prepare} (or, if that one has closed meanwhile,
   * on a fresh one) and resolves with the {@link Room}, as `connect(url, options)` does. Once only:
   * a second call rejects with a `TypeError`, and so does an option out of its range.
   */
  join(options: ConnectOptions): Promise<Room>;
  /** Resolves once the WebSocket is open; never rejects (a connection that failed is `join`'s to report). */
  readonly ready: Promise<void>;
  /** Closes the connection if it was never joined (a room closes its own). */
  close(): void;
}

/**
 * Opens the signaling WebSocket now, before the application knows which room it will join, so that
 * the WebSocket handshake (5–10 ms in a browser on loopback, a round trip or two over a network) is
 * over by the time it does: call it when the page loads, and `join` when the user picks a room.
 * The server closes a connection that has not joined within its `--join-deadline` (10 s by default);
 * `join` then opens a fresh one by itself, which costs only the time `prepare` meant to save.
 * Throws a `TypeError` naming the field for a url or option that cannot work.
 *
 * @example
 * ```ts
 * import { prepare } from '@icebreaker/client';
 * const signaling = prepare('wss://example.org/ws'); // on load
 * // … later, once the room is known:
 * const room = await signaling.join({ room: 'demo' });
 * room.on('open', (peer) => peer.send('hello'));
 * ```
 */
export function prepare(url: string, options: SignalingClientOptions = {}): PreparedConnection {
  validateSignalingOpen(url, options);
  const opening = SignalingClient.open(url, options);
  // Nobody may ever join: a connection that could not open must not be an unhandled rejection.
  opening.catch(() => {});
  let used = false;
  return {
    ready: opening.then(
      () => undefined,
      () => undefined,
    ),
    async join(joinOptions) {
      if (used) throw new TypeError('join: this prepared connection has already joined a room; call prepare() again for another');
      // The room reconnects with the same WebSocket implementation as the prepared connection.
      const roomOptions: ConnectOptions =
        joinOptions?.WebSocket === undefined && options.WebSocket !== undefined
          ? { ...joinOptions, WebSocket: options.WebSocket }
          : joinOptions;
      validateConnect(url, roomOptions);
      used = true;
      let signaling = await opening.catch(() => null);
      if (!signaling?.isOpen) signaling = await SignalingClient.open(url, options);
      return joinRoom(url, roomOptions, signaling);
    },
    close() {
      if (used) return;
      used = true;
      void opening.then((signaling) => signaling.close()).catch(() => {});
    },
  };
}
