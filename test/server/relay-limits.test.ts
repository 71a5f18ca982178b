/**
 * The relay's limits slow a sender, they never drop a byte (issue 11 §1): measured on a real server
 * with real sockets, while a pair in another room relays at full speed.
 */

import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { randomData, receiveRelayed, sendRelayed } from '../helpers/relay.js';
import { type Harness, metric, startHarness } from '../helpers/server.js';
import type { TestSocket } from '../helpers/socket.js';

const KiB = 1024;
const MiB = 1024 * KiB;

async function pair(h: Harness, room: string) {
  const a = await h.peer(room);
  const b = await h.peer(room);
  await a.socket.next();
  return { a, b };
}

/** Relays `bytes` from a to b and resolves with the SHA-256 check and the time it took (ms). */
async function timedTransfer(
  from: { socket: TestSocket; id: string },
  to: { socket: TestSocket; id: string },
  bytes: number,
  waitMs?: number,
): Promise<{ ok: boolean; ms: number }> {
  const { data, sha256 } = randomData(bytes);
  const started = performance.now();
  sendRelayed(from.socket, to.id, data);
  const got = await receiveRelayed(to.socket, from.id, bytes, waitMs);
  return { ok: got.sha256 === sha256, ms: performance.now() - started };
}

/** Waits until a metric sample satisfies `test` (the server counts as it goes; nothing here sleeps for a fixed time). */
async function until(h: Harness, sample: string, test: (value: number) => boolean): Promise<number> {
  for (let tries = 0; tries < 1000; tries++) {
    const value = await metric(h.server, sample);
    if (test(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${sample} never passed its test`);
}

describe('relay limits', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('--relay-peer-rate 1MiB: 4 MiB take about 4 s, every byte arrives, and another room relays at full speed meanwhile', async () => {
    h = await startHarness({ relayPeerBytesPerSecond: MiB });
    const slow = await pair(h, 'slow');
    const fast = await pair(h, 'fast');
    const limited = timedTransfer(slow.a, slow.b, 4 * MiB, 10_000);
    // Each sender has its own rate: a second sender of the same rate is slowed alike, not more.
    const alongside = timedTransfer(fast.a, fast.b, 512 * KiB);
    const other = await alongside;
    expect(other.ok).toBe(true);
    expect(other.ms).toBeLessThan(1000);
    const measured = await limited;
    expect(measured.ok).toBe(true);
    // 4 MiB at 1 MiB/s, less the bucket's quarter second: 3.75 s; ±25 % of 4 s.
    expect(measured.ms).toBeGreaterThan(3000);
    expect(measured.ms).toBeLessThan(5000);
    expect(await metric(h.server, 'icebreaker_relay_pauses_total{reason="rate"}')).toBeGreaterThan(0);
  }, 20_000);

  it('--relay-room-rate 1MiB: two senders of one room share it; a room beside is not slowed', async () => {
    h = await startHarness({ relayRoomBytesPerSecond: MiB, relayPeerBytesPerSecond: 0 });
    const room = await pair(h, 'shared');
    const beside = await pair(h, 'beside');
    const started = performance.now();
    const both = Promise.all([
      timedTransfer(room.a, room.b, MiB + 512 * KiB, 10_000),
      timedTransfer(room.b, room.a, MiB + 512 * KiB, 10_000),
    ]);
    // The room beside has a bucket of its own (the same rate): what fits its burst passes at once,
    // while the shared room is seconds in debt.
    const free = await timedTransfer(beside.a, beside.b, 200 * KiB);
    expect(free).toMatchObject({ ok: true });
    expect(free.ms).toBeLessThan(500);
    const results = await both;
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const ms = performance.now() - started;
    // 3 MiB at 1 MiB/s less the quarter second's burst: 2.75 s.
    expect(ms).toBeGreaterThan(2200);
    expect(ms).toBeLessThan(3800);
  }, 20_000);

  it('--relay-server-rate 1MiB: the rooms together relay at that rate', async () => {
    h = await startHarness({ relayServerBytesPerSecond: MiB, relayPeerBytesPerSecond: 0, relayRoomBytesPerSecond: 0 });
    const one = await pair(h, 'one');
    const two = await pair(h, 'two');
    const started = performance.now();
    const results = await Promise.all([timedTransfer(one.a, one.b, MiB, 10_000), timedTransfer(two.a, two.b, MiB, 10_000)]);
    const ms = performance.now() - started;
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    // 2 MiB at 1 MiB/s less the quarter second's burst: 1.75 s.
    expect(ms).toBeGreaterThan(1400);
    expect(ms).toBeLessThan(2500);
  }, 20_000);

  it('a receiver that never reads: the sender is held, the server keeps a bounded buffer, other rooms relay, and nothing is lost', async () => {
    h = await startHarness({ relayMaxBufferedBytes: 256 * KiB, maxBufferedBytes: 256 * KiB, relayPeerBytesPerSecond: 0 });
    const stuck = await pair(h, 'stuck');
    const other = await pair(h, 'other');
    const raw = (stuck.b.socket.ws as unknown as { _socket: Socket })._socket;
    raw.pause();

    const total = 48 * MiB;
    const { data, sha256 } = randomData(total);
    sendRelayed(stuck.a.socket, stuck.b.id, data);
    await until(h, 'icebreaker_relay_pauses_total{reason="receiver"}', (n) => n > 0);

    // While it is held, another room relays as fast as ever.
    const beside = await timedTransfer(other.a, other.b, 2 * MiB);
    expect(beside.ok).toBe(true);
    expect(beside.ms).toBeLessThan(1000);

    // The server holds no more than the receiver's bound (half of --max-buffered-bytes) and one read.
    expect(await metric(h.server, 'icebreaker_relay_buffered_bytes')).toBeLessThanOrEqual(256 * KiB);
    // Most of the 48 MiB still waits at the sender: the kernel buffers in between hold a few MiB.
    // (The counter includes the other room's 2 MiB.)
    expect(await metric(h.server, 'icebreaker_relayed_bytes_total')).toBeLessThan(total / 2);
    expect(stuck.a.socket.ws.bufferedAmount).toBeGreaterThan(total / 4);
    expect(stuck.b.socket.ws.readyState).toBe(stuck.b.socket.ws.OPEN);

    raw.resume();
    expect(await receiveRelayed(stuck.b.socket, stuck.a.id, total, 20_000)).toMatchObject({ sha256 });
    expect(await metric(h.server, 'icebreaker_errors_total{code="relay-limited"}')).toBe(0);
    expect(await until(h, 'icebreaker_relay_buffered_bytes', (n) => n === 0)).toBe(0);
  }, 60_000);
});
