import type { Seq, SignalData } from '@icebreaker/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_RESENDS, type PayloadData, SignalLink } from '../../packages/client/src/signal-link.js';

const candidate = (n: number): PayloadData => ({
  kind: 'candidate',
  candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${n} typ host` },
});

/** Two links wired back to back through a lossy, reordering "server" the test controls. */
function pair(retransmitMs = 100) {
  const toB: Array<[SignalData, Seq | undefined]> = [];
  const toA: Array<[SignalData, Seq | undefined]> = [];
  const atB: PayloadData[] = [];
  const stalls: Array<[number, boolean]> = [];
  const timing = { retransmitMs, online: () => true, unacknowledged: (n: number, ever: boolean) => stalls.push([n, ever]) };
  const a = new SignalLink(
    (data, seq) => toB.push([data, seq]),
    () => {},
    timing,
  );
  const b = new SignalLink(
    (data, seq) => toA.push([data, seq]),
    (data) => atB.push(data),
    timing,
  );
  return { a, b, toB, toA, atB, stalls };
}

describe('SignalLink', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers in order, once, whatever order and duplicates the path produces', async () => {
    const { a, b, toB, atB } = pair();
    for (let n = 0; n < 5; n++) a.send(candidate(n));
    const sent = toB.splice(0);
    for (const index of [3, 0, 4, 1, 1, 2, 0, 3]) {
      const [data, seq] = sent[index] as [SignalData, Seq];
      b.receive(seq, data);
    }
    expect(atB).toEqual([0, 1, 2, 3, 4].map(candidate));
    a.dispose();
    b.dispose();
  });

  it('acknowledges cumulatively, once per turn, and an ack clears what it covers', async () => {
    const { a, b, toB, toA } = pair();
    for (let n = 0; n < 3; n++) a.send(candidate(n));
    for (const [data, seq] of toB.splice(0)) b.receive(seq, data);
    await Promise.resolve();
    expect(toA).toEqual([[{ kind: 'ack', seq: 2 }, undefined]]);
    expect(a.pending).toBe(3);
    a.receive(undefined, { kind: 'ack', seq: 2 });
    expect(a.pending).toBe(0);
    a.dispose();
    b.dispose();
  });

  it(`resends with a doubling wait, ${MAX_RESENDS} times at most, then reports the peer once`, () => {
    vi.useFakeTimers();
    const { a, toB, stalls } = pair(100);
    a.send(candidate(1));
    toB.splice(0);
    const times: number[] = [];
    for (let ms = 0; ms <= 2000; ms += 10) {
      vi.advanceTimersByTime(10);
      if (toB.splice(0).length > 0) times.push(ms + 10);
    }
    expect(times).toEqual([100, 300, 700]);
    expect(stalls).toEqual([[1, false]]);
    a.dispose();
  });

  it('resends everything at once after a resume, with a fresh budget', () => {
    vi.useFakeTimers();
    const { a, toB } = pair(100);
    a.send(candidate(1));
    a.send(candidate(2));
    toB.splice(0);
    expect(a.resend()).toBe(2);
    expect(toB.map(([, seq]) => seq)).toEqual([0, 1]);
    a.dispose();
  });

  it('passes unsequenced signals straight through (a peer that does not use the link)', () => {
    const { b, atB } = pair();
    b.receive(undefined, candidate(7));
    expect(atB).toEqual([candidate(7)]);
    b.dispose();
  });
});
