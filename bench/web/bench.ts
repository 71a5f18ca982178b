/**
 * One benchmark tab. The runner opens two and calls these functions through playwright: each
 * implementation connects the two tabs, then measures either setup (start → channel open on the
 * joining side) or throughput (bytes sent → bytes received). The same 64 KiB chunks are used everywhere.
 */

import { connect, type RemotePeer, type Session } from '@icebreaker/client';
import { Peer } from 'peerjs';

const CHUNK = 64 * 1024;
const HIGH_WATER = 1024 * 1024;

type Role = 'wait' | 'join';

/** What every implementation offers the runner. */
interface Impl {
  /** Connects; resolves with ms from start to open, measured on the joining side. */
  setup(role: Role, room: string): Promise<number>;
  /** After setup: sends `bytes` (sender) or resolves when they all arrived (receiver), with ms taken. */
  transfer(role: 'send' | 'recv', bytes: number): Promise<number>;
  close(): void;
}

// ── ceiling / floor: a bare RTCDataChannel, signaled over a BroadcastChannel (no server) ─────────────
function bare(): Impl {
  let pc: RTCPeerConnection | null = null;
  let channel: RTCDataChannel | null = null;
  let bus: BroadcastChannel | null = null;
  return {
    async setup(role, room) {
      bus = new BroadcastChannel(`bench-${room}`);
      const start = performance.now();
      queueMicrotask(ready);
      const connection = new RTCPeerConnection({ iceServers: [] });
      pc = connection;
      const opened = new Promise<void>((resolve) => {
        const adopt = (c: RTCDataChannel) => {
          channel = c;
          c.binaryType = 'arraybuffer';
          c.onopen = () => resolve();
          if (c.readyState === 'open') resolve();
        };
        if (role === 'join') adopt(connection.createDataChannel('bench'));
        else connection.ondatachannel = (e) => adopt(e.channel);
      });
      const b = bus;
      connection.onicecandidate = (e) => b.postMessage({ candidate: e.candidate?.toJSON() ?? null });
      b.onmessage = async ({ data }) => {
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
      if (role === 'send') return sendLoop(c, bytes);
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

async function sendLoop(c: RTCDataChannel, bytes: number): Promise<number> {
  const start = performance.now();
  const chunk = new Uint8Array(CHUNK);
  c.bufferedAmountLowThreshold = HIGH_WATER / 4;
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    if (c.bufferedAmount > HIGH_WATER) await new Promise((resolve) => c.addEventListener('bufferedamountlow', resolve, { once: true }));
    c.send(chunk.subarray(0, Math.min(CHUNK, bytes - sent)));
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
function library(mode: 'files' | 'messages'): Impl {
  let session: Session | null = null;
  let peer: RemotePeer | null = null;
  return {
    async setup(_role, room) {
      const start = performance.now();
      const s = await connect(`ws://${location.host}/ws`, { room, iceServers: [] });
      session = s;
      ready();
      peer = await new Promise<RemotePeer>((resolve) => {
        for (const p of s.peers.values()) if (p.channelState === 'open') resolve(p);
        s.on('open', resolve);
      });
      return performance.now() - start;
    },
    async transfer(role, bytes) {
      const s = session as Session;
      const remote = peer as RemotePeer;
      if (mode === 'messages') {
        if (role === 'send') {
          const start = performance.now();
          const chunk = new Uint8Array(CHUNK);
          for (let sent = 0; sent < bytes; sent += CHUNK) await remote.send(chunk.subarray(0, Math.min(CHUNK, bytes - sent)));
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
    },
  };
}

// ── PeerJS 1.5.5 with the `peer` server ──────────────────────────────────────────────────────────
function peerjs(server: { port: number }): Impl {
  let peer: Peer | null = null;
  let conn: ReturnType<Peer['connect']> | null = null;
  const options = { host: '127.0.0.1', port: server.port, path: '/', config: { iceServers: [] }, debug: 0 } as const;
  return {
    async setup(role, room) {
      const start = performance.now();
      const self = new Peer(`${room}-${role}`, options);
      peer = self;
      await new Promise((resolve, reject) => {
        self.on('open', resolve);
        self.on('error', reject);
      });
      ready();
      if (role === 'wait') {
        conn = await new Promise((resolve) => self.on('connection', (c) => c.on('open', () => resolve(c))));
      } else {
        const c = self.connect(`${room}-wait`, { reliable: true });
        await new Promise((resolve) => c.on('open', () => resolve(undefined)));
        conn = c;
      }
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
    },
  };
}

let current: Impl | null = null;
let pending: Promise<number> | null = null;

const bench = {
  use(name: 'bare' | 'library' | 'messages' | 'peerjs', peerServerPort = 0): void {
    current?.close();
    current =
      name === 'bare' ? bare() : name === 'peerjs' ? peerjs({ port: peerServerPort }) : library(name === 'library' ? 'files' : 'messages');
  },
  /** Starts connecting; resolves when this side is ready for the other to start. */
  async begin(role: Role, room: string): Promise<void> {
    const impl = current as Impl;
    const ready = new Promise<void>((resolve) => {
      readyHook = resolve;
    });
    pending = impl.setup(role, room);
    pending.catch(() => {});
    await Promise.race([ready, pending.then(() => undefined)]);
  },
  finish: () => pending as Promise<number>,
  /** Starts receiving `bytes`; resolves once the receiver listens. */
  beginReceive(bytes: number): void {
    pending = (current as Impl).transfer('recv', bytes);
  },
  send: (bytes: number) => (current as Impl).transfer('send', bytes),
  close: () => current?.close(),
};
(globalThis as { bench?: typeof bench }).bench = bench;

/** Each implementation calls this when its waiting side is ready to be connected to. */
let readyHook: (() => void) | null = null;
function ready(): void {
  readyHook?.();
  readyHook = null;
}
