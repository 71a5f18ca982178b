/**
 * One benchmark tab. The runner opens two (and a Firefox one) and calls these functions through
 * playwright (WebDriver BiDi for Firefox): each implementation connects two tabs in a slot of its own,
 * then measures either setup (start → channel open on the joining side) or throughput (bytes sent →
 * bytes received). Several slots stay connected at once, so that the runner can take turns between
 * them within one round. The same 64 KiB chunks are used everywhere, except by `large`.
 */

import { connect, type PreparedConnection, prepare, type RemotePeer, type Room } from '@icebreaker/client';
import { Peer } from 'peerjs';

const CHUNK = 64 * 1024;
const HIGH_WATER = 1024 * 1024;

/** How the bare send loop sends (BENCH_TUNE tries others): message size, and when it waits and resumes. */
interface Tuning {
  chunk: number;
  highWater: number;
  lowThreshold: number;
}
/** The library's own choices (HIGH_WATER_BYTES and a quarter of it), with the bench's 64 KiB chunks. */
const DEFAULT_TUNING: Tuning = { chunk: CHUNK, highWater: HIGH_WATER, lowThreshold: HIGH_WATER / 4 };
/** `large`: `peer.send` of messages this big, which the library splits into frames and puts back together. */
const LARGE_MESSAGE = 16 * 1024 * 1024;

type Role = 'wait' | 'join';

/** What every implementation offers the runner. */
interface Impl {
  /**
   * Connects; resolves with ms from start to open, measured on the joining side. `warm`: the
   * signaling connection was opened before the start, when the tab loaded (Icebreaker's `prepare`,
   * PeerJS's `new Peer()`), as an application does that opens it early; cold: it opens in the window.
   */
  setup(role: Role, room: string, warm: boolean): Promise<number>;
  /** After setup: sends `bytes` (sender) or resolves when they all arrived (receiver), with ms taken. */
  transfer(role: 'send' | 'recv', bytes: number): Promise<number>;
  close(): void;
  /** Resolves once the connection made ahead of a warm start is open (at once if there is none). */
  warmed?(): Promise<void>;
}

/** What the bare channel's two ends tell each other. */
interface Signal {
  description?: RTCSessionDescriptionInit | undefined;
  candidate?: RTCIceCandidateInit | null;
}

/** What the bare channel signals through: a BroadcastChannel, or a WebSocket of the runner's relay. */
interface Bus {
  postMessage(data: Signal): void;
  onmessage: ((event: { data: Signal }) => void) | null;
  close(): void;
}

/** Two tabs of one browser: a BroadcastChannel, no server at all (the floor of setup). */
function broadcastBus(name: string): Bus {
  const channel = new BroadcastChannel(name);
  const bus: Bus = { postMessage: (data) => channel.postMessage(data), onmessage: null, close: () => channel.close() };
  channel.onmessage = ({ data }) => bus.onmessage?.({ data: data as Signal });
  return bus;
}

/**
 * The runner's signaling relay (a WebSocket that passes each text message to the other socket of the
 * same path), for two browsers, which share no BroadcastChannel. Resolves once the socket is open.
 */
async function socketBus(url: string): Promise<Bus> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const bus: Bus = {
    postMessage: (data) => socket.send(JSON.stringify(data)),
    onmessage: null,
    close: () => socket.close(),
  };
  socket.onmessage = ({ data }) => bus.onmessage?.({ data: JSON.parse(data as string) as Signal });
  return bus;
}

// ── ceiling / floor: a bare RTCDataChannel, signaled over a BroadcastChannel (no server) ─────────────
/** `relay`: signal through the runner's WebSocket relay at this URL instead (between two browsers). */
function bare(relay?: string, tuning = DEFAULT_TUNING): Impl {
  let pc: RTCPeerConnection | null = null;
  let channel: RTCDataChannel | null = null;
  let bus: Bus | null = null;
  return {
    async setup(role, room) {
      // Opened before the start: the floor is the connection's setup, not a relay's.
      bus = relay ? await socketBus(`${relay}/${room}`) : broadcastBus(`bench-${room}`);
      const start = performance.now();
      const mark = startMarks(start);
      queueMicrotask(ready);
      const connection = new RTCPeerConnection({ iceServers: [] });
      pc = connection;
      watchSteps(connection, mark);
      const opened = new Promise<void>((resolve) => {
        const adopt = (c: RTCDataChannel) => {
          channel = c;
          c.binaryType = 'arraybuffer';
          c.onopen = () => {
            mark('open');
            resolve();
          };
          if (c.readyState === 'open') resolve();
        };
        if (role === 'join') adopt(connection.createDataChannel('bench'));
        else connection.ondatachannel = (e) => adopt(e.channel);
      });
      const b = bus;
      connection.onicecandidate = (e) => b.postMessage({ candidate: e.candidate?.toJSON() ?? null });
      b.onmessage = async ({ data }) => {
        mark(`in ${data.description ? data.description.type : data.candidate ? 'candidate' : 'end'}`);
        if (data.description) {
          await connection.setRemoteDescription(data.description);
          if (data.description.type === 'offer') {
            await connection.setLocalDescription(await connection.createAnswer());
            b.postMessage({ description: connection.localDescription?.toJSON() });
          }
        } else if (data.candidate) await connection.addIceCandidate(data.candidate);
      };
      if (role === 'join') {
        await connection.setLocalDescription(await connection.createOffer());
        b.postMessage({ description: connection.localDescription?.toJSON() });
      }
      await opened;
      return performance.now() - start;
    },
    async transfer(role, bytes) {
      const c = channel as RTCDataChannel;
      if (role === 'send') return sendLoop(c, bytes, tuning);
      return receiveCount(bytes, (onData) => {
        const handler = ({ data }: MessageEvent) => onData(data as ArrayBuffer);
        c.addEventListener('message', handler);
        return () => c.removeEventListener('message', handler);
      });
    },
    close() {
      channel?.close();
      pc?.close();
      bus?.close();
    },
  };
}

async function sendLoop(c: RTCDataChannel, bytes: number, { chunk: size, highWater, lowThreshold }: Tuning): Promise<number> {
  const start = performance.now();
  const chunk = new Uint8Array(size);
  c.bufferedAmountLowThreshold = lowThreshold;
  for (let sent = 0; sent < bytes; sent += size) {
    if (c.bufferedAmount > highWater) await new Promise((resolve) => c.addEventListener('bufferedamountlow', resolve, { once: true }));
    c.send(chunk.subarray(0, Math.min(size, bytes - sent)));
  }
  return performance.now() - start;
}

/**
 * Resolves with the ms from the first received byte to the last of `bytes`. `listen` subscribes a
 * handler to whatever delivers the binary messages and returns how to unsubscribe it.
 */
function receiveCount(bytes: number, listen: (onData: (data: ArrayBuffer) => void) => () => void): Promise<number> {
  return new Promise((resolve) => {
    let got = 0;
    let start = 0;
    const off = listen((data) => {
      if (got === 0) start = performance.now();
      got += data.byteLength;
      if (got < bytes) return;
      off();
      resolve(performance.now() - start);
    });
  });
}

// ── Icebreaker: the library, through its signaling server ───────────────────────────────────────
/** The file each run sends, made once per size, outside the timed window (a user's file exists already). */
const files = new Map<number, Blob>();
function benchFile(bytes: number): Blob {
  const file = files.get(bytes) ?? new Blob([new Uint8Array(bytes)]);
  files.set(bytes, file);
  return file;
}

/**
 * `files`: `peer.sendFile` of a Blob, which reads it, frames it, and checks its SHA-256 on both ends.
 * `messages`: `peer.send` of 64 KiB chunks, the library's framing and backpressure alone.
 */
function library(mode: 'files' | 'messages', chunk = CHUNK): Impl {
  let session: Room | null = null;
  let peer: RemotePeer | null = null;
  let prepared: PreparedConnection | null = prepare(`ws://${location.host}/ws`);
  const warming = prepared.ready;
  return {
    warmed: () => warming,
    async setup(_role, room, warm) {
      const url = `ws://${location.host}/ws`;
      // Opened by `use`, before the start: the tab had loaded (and the socket opened) long before.
      const early = warm ? prepared : null;
      if (!early) prepared?.close();
      prepared = null;
      const start = performance.now();
      const mark = startMarks(start);
      class TimedSocket extends WebSocket {
        constructor(url: string) {
          super(url);
          this.addEventListener('open', () => mark('ws open'));
        }
      }
      const options = { room, iceServers: [], WebSocket: TimedSocket };
      const s = await (early ? early.join(options) : connect(url, options));
      mark('welcome');
      const watch = (p: RemotePeer) => {
        mark('peer');
        // Incoming signals only: a prepared peer's outgoing ones are told again, late, when it is bound.
        p.on('signal', (dir, data) => {
          if (dir === 'in')
            mark(`in ${data.kind === 'description' ? data.description.type : data.kind === 'candidate' ? 'candidate' : 'end'}`);
        });
        watchSteps(p.pc, mark);
      };
      s.on('peer', watch);
      for (const p of s.peers.values()) watch(p);
      s.on('open', () => mark('open'));
      session = s;
      ready();
      peer = await new Promise<RemotePeer>((resolve) => {
        for (const p of s.peers.values()) if (p.channelState === 'open') resolve(p);
        s.on('open', resolve);
      });
      return performance.now() - start;
    },
    async transfer(role, bytes) {
      const s = session as Room;
      const remote = peer as RemotePeer;
      if (mode === 'messages') {
        if (role === 'send') {
          const start = performance.now();
          const message = new Uint8Array(chunk);
          for (let sent = 0; sent < bytes; sent += chunk) await remote.send(message.subarray(0, Math.min(chunk, bytes - sent)));
          return performance.now() - start;
        }
        return receiveCount(bytes, (onData) => s.on('message', (_p, data) => onData(data as ArrayBuffer)));
      }
      if (role === 'send') {
        const file = benchFile(bytes);
        const start = performance.now();
        await remote.sendFile(file, { name: 'bench.bin' }).done;
        return performance.now() - start;
      }
      return new Promise((resolve) => {
        const off = s.on('transfer', (_p, transfer) => {
          off();
          const start = performance.now();
          // Discard the bytes: the benchmark measures the wire, not the browser's Blob store.
          transfer.accept(new WritableStream<Uint8Array>());
          void transfer.done.then(() => resolve(performance.now() - start));
        });
      });
    },
    close() {
      session?.close();
      prepared?.close();
    },
  };
}

// ── PeerJS 1.5.5 with the `peer` server ──────────────────────────────────────────────────────────
function peerjs(server: { port: number }): Impl {
  let peer: Peer | null = null;
  let conn: ReturnType<Peer['connect']> | null = null;
  const options = { host: '127.0.0.1', port: server.port, path: '/', config: { iceServers: [] }, debug: 0 } as const;
  const opened = (self: Peer) =>
    new Promise((resolve, reject) => {
      self.on('open', resolve);
      self.on('error', reject);
    });
  let prepared: Peer | null = new Peer(`early-${Math.random().toString(36).slice(2)}`, options);
  const warming = opened(prepared).then(() => undefined);
  return {
    warmed: () => warming,
    async setup(role, room, warm) {
      // Warm, the joining side's Peer was made (and its socket opened) by `use`: it needs no room.
      const early = warm && role === 'join' ? prepared : null;
      if (!early) prepared?.destroy();
      prepared = null;
      const start = performance.now();
      const mark = startMarks(start);
      const self = early ?? new Peer(`${room}-${role}`, options);
      peer = self;
      if (!early) await opened(self);
      mark('ws open');
      ready();
      if (role === 'wait') {
        conn = await new Promise((resolve) => self.on('connection', (c) => c.on('open', () => resolve(c))));
      } else {
        const c = self.connect(`${room}-wait`, { reliable: true });
        await new Promise((resolve) => c.on('open', () => resolve(undefined)));
        conn = c;
      }
      mark('open');
      return performance.now() - start;
    },
    async transfer(role, bytes) {
      const c = conn as NonNullable<typeof conn>;
      if (role === 'send') {
        const start = performance.now();
        const chunk = new Uint8Array(CHUNK);
        for (let sent = 0; sent < bytes; sent += CHUNK) {
          // PeerJS queues internally; wait while its own buffer is deep so memory stays sane.
          while ((c as unknown as { bufferSize: number }).bufferSize > 64) await new Promise((resolve) => setTimeout(resolve, 5));
          c.send(chunk.subarray(0, Math.min(CHUNK, bytes - sent)));
        }
        return performance.now() - start;
      }
      return receiveCount(bytes, (onData) => {
        const handler = (data: unknown) => onData(data as ArrayBuffer);
        c.on('data', handler);
        return () => c.off('data', handler);
      });
    },
    close() {
      conn?.close();
      peer?.destroy();
      prepared?.destroy();
    },
  };
}

/** Steps of the last setup in this tab, `[what, ms since the epoch]`, for the profile (the tabs share a clock). */
const marks: Array<[string, number]> = [];

/** Starts a fresh list of steps at `start` (performance.now()); returns the function that marks one. */
function startMarks(start: number): (what: string) => void {
  const at = (now: number) => performance.timeOrigin + now;
  marks.length = 0;
  marks.push(['start', at(start)]);
  return (what) => marks.push([what, at(performance.now())]);
}

/** Marks the steps a peer connection shows: offer/answer set, candidates, ICE, DTLS (connected). */
function watchSteps(pc: RTCPeerConnection, mark: (what: string) => void): void {
  pc.addEventListener('signalingstatechange', () => mark(`sig ${pc.signalingState}`));
  pc.addEventListener('icecandidate', (e) => mark(`out ${(e as RTCPeerConnectionIceEvent).candidate ? 'candidate' : 'end'}`));
  pc.addEventListener('iceconnectionstatechange', () => mark(`ice ${pc.iceConnectionState}`));
  pc.addEventListener('connectionstatechange', () => mark(`pc ${pc.connectionState}`));
}
/** The implementations the runner can ask for. */
type ImplName = 'bare' | 'library' | 'messages' | 'large' | 'peerjs';

function make(name: ImplName, peerServerPort: number, relay?: string, tuning?: Tuning): Impl {
  switch (name) {
    case 'bare':
      return bare(relay, tuning);
    case 'peerjs':
      return peerjs({ port: peerServerPort });
    case 'library':
      return library('files');
    case 'messages':
      return library('messages');
    case 'large':
      return library('messages', LARGE_MESSAGE);
  }
}

/** Each slot's implementation, and what it was last asked to do (a setup or a receive). */
const slots = new Map<string, { impl: Impl; pending: Promise<number> | null }>();
function slot(name: string) {
  const found = slots.get(name);
  if (!found) throw new Error(`no implementation in slot ${name}`);
  return found;
}

const bench = {
  /**
   * Makes a fresh implementation in `slot` (as a freshly loaded tab would), closing the one there;
   * resolves once its early connection is open. `relay`: the bare channel signals through it;
   * `tuning`: the bare channel sends so.
   */
  async use(name: ImplName, peerServerPort = 0, slotName = 'main', relay?: string | null, tuning?: Tuning | null): Promise<void> {
    slots.get(slotName)?.impl.close();
    // null: what JSON makes of an argument left out (Firefox's tabs are called with JSON).
    const impl = make(name, peerServerPort, relay ?? undefined, tuning ?? undefined);
    slots.set(slotName, { impl, pending: null });
    await impl.warmed?.();
  },
  /** Starts connecting; resolves when this side is ready for the other to start. */
  async begin(role: Role, room: string, warm: boolean, slotName = 'main'): Promise<void> {
    const s = slot(slotName);
    const ready = new Promise<void>((resolve) => {
      readyHook = resolve;
    });
    const pending = s.impl.setup(role, room, warm);
    s.pending = pending;
    pending.catch(() => {});
    await Promise.race([ready, pending.then(() => undefined)]);
  },
  finish: (slotName = 'main') => slot(slotName).pending as Promise<number>,
  /** Starts receiving `bytes`; resolves once the receiver listens. */
  beginReceive(bytes: number, slotName = 'main'): void {
    const s = slot(slotName);
    s.pending = s.impl.transfer('recv', bytes);
  },
  send: (bytes: number, slotName = 'main') => slot(slotName).impl.transfer('send', bytes),
  close: (slotName = 'main') => {
    slots.get(slotName)?.impl.close();
    slots.delete(slotName);
  },
  marks: () => marks,
};
(globalThis as { bench?: typeof bench }).bench = bench;

/** Each implementation calls this when its waiting side is ready to be connected to. */
let readyHook: (() => void) | null = null;
function ready(): void {
  readyHook?.();
  readyHook = null;
}
