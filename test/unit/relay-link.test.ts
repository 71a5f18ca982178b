import { createHash } from 'node:crypto';
import { RELAY_SEALED_OVERHEAD, TRANSFER_LABEL } from '@icebreaker/protocol';
import { describe, expect, it } from 'vitest';
import type { ChannelLike } from '../../packages/client/src/channel-like.js';
import { PathChannel } from '../../packages/client/src/path-channel.js';
import { RelayKeyPair } from '../../packages/client/src/relay-cipher.js';
import { MAIN_RELAY_CHANNEL, RELAY_WINDOW_BYTES, RelayLink } from '../../packages/client/src/relay-link.js';

/**
 * The relay's own logic, two links back to back in one process: sealing, credit, channels, and the
 * move of a channel from the relay to another path. The "server" here is an array between them that
 * the test empties when it likes (to hold bytes in flight, drop, replay or alter a payload). The relay
 * through a real server, with real peers, is tested end to end in test/client/relay.test.ts.
 */
interface Wire {
  readonly inFlight: Uint8Array[];
  /** Passes every payload in flight on to the other side. */
  deliver(): void;
  bytesInFlight(): number;
}

async function linkedPair(options: { autoDeliver?: boolean } = {}) {
  const wires: Record<'ab' | 'ba', Wire> = { ab: wire(), ba: wire() };
  const a = new RelayLink({ send: (payload) => wires.ab.inFlight.push(payload) > 0 }, true);
  const b = new RelayLink({ send: (payload) => wires.ba.inFlight.push(payload) > 0 }, false);
  function wire(): Wire {
    const inFlight: Uint8Array[] = [];
    return {
      inFlight,
      deliver() {
        const to = this === wires.ab ? b : a;
        for (const payload of inFlight.splice(0)) to.receive(payload);
      },
      bytesInFlight: () => inFlight.reduce((n, p) => n + p.byteLength, 0),
    };
  }
  const [keysA, keysB] = await Promise.all([RelayKeyPair.generate(), RelayKeyPair.generate()]);
  a.setCipher(await keysA.agree(keysB.publicKey));
  b.setCipher(await keysB.agree(keysA.publicKey));
  let pumping = options.autoDeliver ?? true;
  const pump = async () => {
    while (pumping) {
      wires.ab.deliver();
      wires.ba.deliver();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  void pump();
  return { a, b, wires, stop: () => (pumping = false) };
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

/** Sends `total` bytes in `frame`-byte messages with backpressure, as a file transfer does. */
async function sendAll(channel: ChannelLike, bytes: Uint8Array, frame: number) {
  const { sendWithBackpressure } = await import('../../packages/client/src/backpressure.js');
  for (let at = 0; at < bytes.byteLength; at += frame) await sendWithBackpressure(channel, bytes.slice(at, at + frame));
}

function collect(channel: EventTarget): Uint8Array[] {
  const got: Uint8Array[] = [];
  channel.addEventListener('message', (event) => {
    const data = (event as MessageEvent).data;
    got.push(typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data as ArrayBuffer));
  });
  return got;
}

const joined = (parts: Uint8Array[]) => Buffer.concat(parts);

describe('the relay link', () => {
  it('carries 8 MiB of 64 KiB messages over a channel, whole and in order, both ways at once', async () => {
    const { a, b, stop } = await linkedPair();
    const opened: ChannelLike[] = [];
    b.on('channel', (channel) => opened.push(channel));
    const there = a.open(TRANSFER_LABEL);
    const back = b.channel(MAIN_RELAY_CHANNEL);
    const mainAtA = collect(a.channel(MAIN_RELAY_CHANNEL));
    const bytes = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    const small = new Uint8Array(1024 * 1024).map((_, i) => i % 13);
    await until(() => opened.length === 1, 'the channel to open');
    const atB = collect(opened[0] as ChannelLike);
    await Promise.all([sendAll(there, bytes, 64 * 1024), sendAll(back, small, 1000)]);
    await until(() => joined(atB).byteLength === bytes.byteLength && joined(mainAtA).byteLength === small.byteLength, 'every byte');
    expect(sha(joined(atB))).toBe(sha(bytes));
    expect(sha(joined(mainAtA))).toBe(sha(small));
    expect(atB.length).toBe(128);
    // Credit for the last bytes comes back shortly after they stop: then nothing is outstanding.
    await until(() => a.outstanding === 0 && b.outstanding === 0, 'the last credit');
    stop();
  });

  it('never has more than a window in flight when the receiver does not take it', async () => {
    const { a, b, wires, stop } = await linkedPair({ autoDeliver: false });
    stop();
    const channel = a.channel(MAIN_RELAY_CHANNEL);
    for (let i = 0; i < 64; i++) channel.send(new Uint8Array(64 * 1024));
    await until(() => wires.ab.inFlight.length > 0, 'the first payloads');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const perOp = RELAY_SEALED_OVERHEAD;
    // The window counts op bytes (header and body); sealing adds its counter and tag to each.
    const ops = wires.ab.inFlight.length;
    expect(wires.ab.bytesInFlight()).toBeLessThanOrEqual(RELAY_WINDOW_BYTES + ops * perOp);
    expect(wires.ab.bytesInFlight()).toBeGreaterThan(RELAY_WINDOW_BYTES / 2);
    // What the window holds back waits with the sender, as bufferedAmount says.
    expect(channel.bufferedAmount).toBeGreaterThan(4 * 1024 * 1024 - RELAY_WINDOW_BYTES);
    const received = collect(b.channel(MAIN_RELAY_CHANNEL));
    for (let round = 0; round < 200 && joined(received).byteLength < 4 * 1024 * 1024; round++) {
      wires.ab.deliver();
      await new Promise((resolve) => setTimeout(resolve, 15));
      wires.ba.deliver();
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(wires.ab.bytesInFlight()).toBeLessThanOrEqual(RELAY_WINDOW_BYTES + wires.ab.inFlight.length * perOp);
    }
    expect(joined(received).byteLength).toBe(4 * 1024 * 1024);
    expect(channel.bufferedAmount).toBe(0);
  });

  for (const [name, tamper] of [
    ['dropped', (flight: Uint8Array[]) => void flight.splice(1, 1)],
    ['replayed', (flight: Uint8Array[]) => void flight.splice(2, 0, flight[0] as Uint8Array)],
    ['reordered', (flight: Uint8Array[]) => void flight.splice(0, 2, flight[1] as Uint8Array, flight[0] as Uint8Array)],
    [
      'altered',
      (flight: Uint8Array[]) => {
        const copy = (flight[1] as Uint8Array).slice();
        copy[copy.byteLength - 1] = (copy[copy.byteLength - 1] ?? 0) ^ 1;
        flight[1] = copy;
      },
    ],
  ] as const) {
    it(`fails with relay-failed, and delivers nothing after it, when the server ${name} a payload`, async () => {
      const { a, b, wires, stop } = await linkedPair({ autoDeliver: false });
      stop();
      const errors: string[] = [];
      b.on('error', (error) => errors.push(error.code));
      const received = collect(b.channel(MAIN_RELAY_CHANNEL));
      const channel = a.channel(MAIN_RELAY_CHANNEL);
      for (let i = 0; i < 5; i++) channel.send(`message ${i}`);
      await until(() => wires.ab.inFlight.length === 5, 'five payloads');
      tamper(wires.ab.inFlight);
      wires.ab.deliver();
      await until(() => errors.length > 0, 'the error');
      expect(errors).toEqual(['relay-failed']);
      const texts = received.map((bytes) => new TextDecoder().decode(bytes));
      expect(texts).toEqual(name === 'dropped' || name === 'altered' || name === 'reordered' ? texts.slice(0, 1) : texts.slice(0, 2));
      expect(texts.every((text, i) => text === `message ${i}`)).toBe(true);
      expect(b.ready).toBe(false);
    });
  }

  it('refuses a key that is not a P-256 point', async () => {
    const keys = await RelayKeyPair.generate();
    await expect(keys.agree('A'.repeat(87))).rejects.toMatchObject({ code: 'relay-failed' });
  });
});

/** An in-memory stand-in for a data channel pair: what one side sends, the other receives, in order. */
function channelPair(label: string): [ChannelLike, ChannelLike] {
  class Side extends EventTarget implements ChannelLike {
    readyState: RTCDataChannelState = 'open';
    bufferedAmount = 0;
    bufferedAmountLowThreshold = 0;
    other!: Side;
    constructor(readonly label: string) {
      super();
    }
    send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
      const copy =
        typeof data === 'string'
          ? data
          : data instanceof ArrayBuffer
            ? data.slice(0)
            : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
      setTimeout(() => this.other.dispatchEvent(new MessageEvent('message', { data: copy })), 0);
    }
    close(): void {
      this.readyState = 'closed';
      this.dispatchEvent(new Event('close'));
    }
  }
  const one = new Side(label);
  const two = new Side(label);
  one.other = two;
  two.other = one;
  return [one, two];
}

describe('a channel that moves from the relay to a direct path', () => {
  it('loses and reorders nothing when each side moves while bytes are on the way', async () => {
    const { a, b, stop } = await linkedPair();
    const pathA = new PathChannel('icebreaker', MAIN_RELAY_CHANNEL);
    const pathB = new PathChannel('icebreaker', MAIN_RELAY_CHANNEL);
    pathA.attach(a.channel(MAIN_RELAY_CHANNEL));
    pathB.attach(b.channel(MAIN_RELAY_CHANNEL));
    const atB = collect(pathB);
    const atA = collect(pathA);
    const [directA, directB] = channelPair('icebreaker');
    const count = 2000;
    const sending = (async () => {
      for (let i = 0; i < count; i++) {
        pathA.send(`a${i}`);
        pathB.send(`b${i}`);
        if (i === 700) {
          // The direct channel opens on both sides (each then reads it, once the other's Switch is in);
          // A moves its sending at once, B only much later.
          pathA.expect(directA);
          pathB.expect(directB);
          pathA.moveTo(directA, () => a.channel(MAIN_RELAY_CHANNEL).switchAway());
        }
        if (i === 1300) pathB.moveTo(directB, () => b.channel(MAIN_RELAY_CHANNEL).switchAway());
        if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await sending;
    await until(() => atB.length === count && atA.length === count, 'every message', 3000).catch((error) => {
      throw new Error(`${error.message}: ${atA.length} at A, ${atB.length} at B`);
    });
    stop();
    const text = (parts: Uint8Array[]) => parts.map((bytes) => new TextDecoder().decode(bytes));
    expect(text(atB)).toEqual(Array.from({ length: count }, (_, i) => `a${i}`));
    expect(text(atA)).toEqual(Array.from({ length: count }, (_, i) => `b${i}`));
  });
});

describe('a peer that moves to a direct path and never says Switch', () => {
  it('has at most 64 MiB held for it: past that the channel closes', async () => {
    const { a, stop } = await linkedPair();
    stop();
    const path = new PathChannel('icebreaker', MAIN_RELAY_CHANNEL);
    path.attach(a.channel(MAIN_RELAY_CHANNEL));
    const [direct, peerSide] = channelPair('icebreaker');
    path.expect(direct);
    const delivered = collect(path);
    let arrived = 0;
    direct.addEventListener('message', () => arrived++);
    let closed = false;
    path.addEventListener('close', () => {
      closed = true;
    });
    // The hostile side sends on the new path without a Switch on the old one: held, not delivered.
    for (let i = 0; i < 60; i++) peerSide.send(new Uint8Array(1024 * 1024));
    await until(() => arrived === 60, 'the 60 MiB on the new path');
    expect(delivered).toEqual([]);
    expect(closed).toBe(false);
    for (let i = 0; i < 8; i++) peerSide.send(new Uint8Array(1024 * 1024));
    await until(() => closed, 'the channel to close');
    expect(delivered).toEqual([]);
    expect(path.readyState).toBe('closed');
  });
});
