import {
  type ClientMessage,
  decodeRelayFrame,
  decodeServerMessage,
  encode,
  encodeRelayFrame,
  IcebreakerError,
  type PeerId,
  type PeerInfo,
  type PeerLeftMessage,
  PROTOCOL_VERSION,
  type RequestId,
  type RoomName,
  type Seq,
  type SignalData,
  type WelcomeMessage,
} from '@icebreaker/protocol';
import { Emitter } from './emitter.js';
import { validateJoin, validateSignalingOpen } from './validate.js';

/** The part of the WHATWG `WebSocket` the client uses; the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  /** How binary frames arrive; the client sets `'arraybuffer'` (the browser's default is `'blob'`). */
  binaryType?: string;
  /** Sends one frame: text for signaling, binary for the relay. */
  send(data: string | Uint8Array<ArrayBuffer>): void;
  /** Closes the connection with a close code (RFC 6455 §7.4). */
  close(code?: number, reason?: string): void;
  /** A frame arrived. */
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** The connection closed, with the close frame's code and reason. */
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  /** The connection opened, or failed. */
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

/** A WebSocket class: the browser's global one, or `ws`'s in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options of {@link SignalingClient.open}. */
export interface SignalingClientOptions {
  /** The WebSocket implementation; defaults to the global one (pass `ws`'s on Node 20). */
  readonly WebSocket?: WebSocketConstructor;
}

/** What {@link SignalingClient.join} asks the server for. */
export interface JoinRequest {
  readonly room: RoomName;
  readonly name?: string;
  readonly token?: string;
  /** The `resumeToken` of an earlier welcome, to take back that peer id. */
  readonly resume?: string;
}

/** The events of a {@link SignalingClient}. */
export interface SignalingEvents {
  'peer-joined': [peer: PeerInfo];
  'peer-left': [peerId: PeerId, reason: PeerLeftMessage['reason']];
  signal: [from: PeerId, data: SignalData, seq: Seq | undefined];
  /** An error from the server not answered through a promise; `re` names the request it answers. */
  error: [error: IcebreakerError, re: RequestId | undefined];
  close: [code: number, reason: string];
  /** The server is shutting down: reconnect (to another node) within this many milliseconds. */
  'going-away': [reconnectWithinMs: number];
  /** A relay frame from a peer of the room: its sealed payload (see the protocol's `relay-frame.ts`). */
  relay: [from: PeerId, payload: Uint8Array];
}

const OPEN = 1;

/**
 * One WebSocket connection to an Icebreaker signaling server: join a room, then exchange signals with
 * the other peers. Every inbound frame goes through the protocol's decoder; nothing here throws on
 * bad input from the network.
 *
 * @example
 * ```ts
 * const signaling = await SignalingClient.open('ws://127.0.0.1:8080/ws');
 * const welcome = await signaling.join({ room: 'demo' });
 * signaling.on('signal', (from, data) => console.log(from, data.kind));
 * signaling.signal({ kind: 'description', description: offer });
 * ```
 */
export class SignalingClient extends Emitter<SignalingEvents> {
  private nextId = 1;
  private pendingJoin: { id: number; resolve: (w: WelcomeMessage) => void; reject: (e: IcebreakerError) => void } | null = null;
  private joined: WelcomeMessage | null = null;
  /** Frames that came in the same turn as a welcome, kept until its joiner has attached (see receive). */
  private afterWelcome: unknown[] | null = null;

  private constructor(private readonly socket: WebSocketLike) {
    super();
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => this.receive(event.data));
    // A close event always follows an error event; listening keeps Node's ws from treating it as uncaught.
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', (event) => {
      this.pendingJoin?.reject(new IcebreakerError('connection-closed', `the signaling connection closed (${event.code})`));
      this.pendingJoin = null;
      this.emit('close', event.code, event.reason);
    });
  }

  /**
   * Opens a connection and resolves once it is open; rejects with `connection-closed` if it cannot.
   * Throws a `TypeError` for a url or option that cannot work.
   */
  static open(url: string, options: SignalingClientOptions = {}): Promise<SignalingClient> {
    validateSignalingOpen(url, options);
    const Socket = options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor);
    const socket = new Socket(url);
    const client = new SignalingClient(socket);
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(client));
      socket.addEventListener('close', (event) =>
        reject(new IcebreakerError('connection-closed', `could not connect to ${url} (${event.code})`)),
      );
    });
  }

  /** The server's `welcome` to the room joined, or `null` before joining and after leaving. */
  get welcome(): WelcomeMessage | null {
    return this.joined;
  }

  /** Whether the WebSocket is open (a closed client does not reopen by itself). */
  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /**
   * Joins a room. Resolves with the server's `welcome`; rejects with its error (`room-full`, …), or
   * with a `TypeError` naming a field of `request` that the server would refuse.
   */
  join(request: JoinRequest): Promise<WelcomeMessage> {
    if (this.pendingJoin) return Promise.reject(new TypeError('join: a join is already in progress'));
    try {
      validateJoin(request);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pendingJoin = { id, resolve, reject };
      this.send({ type: 'join', id, protocol: PROTOCOL_VERSION, ...request });
    });
  }

  /**
   * Sends signaling data to `to`, or, without `to`, to the only other peer (held by the server for
   * the next peer while you are alone). Returns the request id that an `error` event would carry.
   */
  signal(data: SignalData, to?: PeerId, seq?: Seq): number {
    const id = this.nextId++;
    this.send({ type: 'signal', id, data, ...(to === undefined ? {} : { to }), ...(seq === undefined ? {} : { seq }) });
    return id;
  }

  /**
   * Sends a sealed relay payload to `to` as a binary relay frame. Returns false, sending nothing,
   * when the connection is not open.
   */
  relay(to: PeerId, payload: Uint8Array): boolean {
    if (this.socket.readyState !== OPEN) return false;
    this.socket.send(encodeRelayFrame(to, payload));
    return true;
  }

  /** Tells the server that the relay to `to` opened, moved to the direct path, or closed (for its counts). */
  relayState(to: PeerId, state: 'open' | 'upgraded' | 'closed'): void {
    if (this.socket.readyState === OPEN) this.send({ type: 'relay', id: this.nextId++, to, state });
  }

  /** Leaves the room; the connection stays open and may join again. */
  leave(): void {
    this.joined = null;
    this.send({ type: 'leave', id: this.nextId++ });
  }

  /** Closes the WebSocket normally (1000); the server treats it as the peer leaving. */
  close(): void {
    this.socket.close(1000, 'bye');
  }

  private send(message: ClientMessage): void {
    if (this.socket.readyState !== OPEN) throw new IcebreakerError('connection-closed', 'the signaling connection is not open');
    this.socket.send(encode(message));
  }

  private receive(frame: unknown): void {
    // The server sends what was held or queued for a peer right after its welcome. `ws` in Node emits
    // the frames of one read in one turn, before the joiner's `await join()` has resumed and
    // attached its listeners: they wait here for that microtask (browsers give each frame a task).
    if (this.afterWelcome) {
      this.afterWelcome.push(frame);
      return;
    }
    if (typeof frame !== 'string') {
      this.receiveBinary(frame);
      return;
    }
    const result = decodeServerMessage(frame);
    if (!result.ok) {
      this.emit('error', new IcebreakerError(result.error.code, `from the server: ${result.error.message}`), undefined);
      return;
    }
    const message = result.message;
    switch (message.type) {
      case 'welcome': {
        this.joined = message;
        this.pendingJoin?.resolve(message);
        this.pendingJoin = null;
        const later: unknown[] = [];
        this.afterWelcome = later;
        // Queued after the join's resolution, so it runs once the awaiting code has attached.
        queueMicrotask(() => {
          this.afterWelcome = null;
          for (const next of later) this.receive(next);
        });
        return;
      }
      case 'peer-joined':
        this.emit('peer-joined', message.peer);
        return;
      case 'peer-left':
        this.emit('peer-left', message.peerId, message.reason);
        return;
      case 'signal':
        this.emit('signal', message.from, message.data, message.seq);
        return;
      case 'going-away':
        this.emit('going-away', message.reconnectWithinMs);
        return;
      case 'error': {
        const error = new IcebreakerError(message.code, message.message);
        if (this.pendingJoin && message.re === this.pendingJoin.id) {
          this.pendingJoin.reject(error);
          this.pendingJoin = null;
          return;
        }
        this.emit('error', error, message.re);
        return;
      }
    }
  }

  private receiveBinary(frame: unknown): void {
    const bytes =
      frame instanceof ArrayBuffer
        ? new Uint8Array(frame)
        : ArrayBuffer.isView(frame)
          ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
          : null;
    const result = bytes ? decodeRelayFrame(bytes) : null;
    if (!result?.ok) {
      const why = result ? result.error.message : 'a binary frame of an unknown form';
      this.emit('error', new IcebreakerError('bad-relay-frame', `from the server: ${why}`), undefined);
      return;
    }
    this.emit('relay', result.value.peer, result.value.payload);
  }
}
