import type { SignalData } from '@icebreaker/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../../packages/client/src/emitter.js';
import { PeerSlot } from '../../packages/client/src/peer-slot.js';
import type { RemotePeer } from '../../packages/client/src/remote-peer.js';
import { type PayloadData, SignalLink } from '../../packages/client/src/signal-link.js';

// The generation bookkeeping of a new peer connection between the same two peers, alone: which
// signals reach which RemotePeer, and when a new one is made. The real connections are in
// test/client/repeer.test.ts; here a stand-in records what the slot hands it.

/** Records what the slot gives a RemotePeer; `close()` emits `close` as the real one does. */
class StandIn extends Emitter<{ open: []; close: []; state: [] }> {
  readonly got: PayloadData[] = [];
  readonly relayed: number[] = [];
  connectionState = 'connected';
  closed = false;
  constructor(readonly generation: number) {
    super();
  }
  handleSignal(data: PayloadData): void {
    this.got.push(data);
  }
  relayIn(payload: Uint8Array): void {
    this.relayed.push(payload[0] ?? -1);
  }
  /** Says what the real one says on its own: `open`, or a state change. */
  tell(event: 'open' | 'state'): void {
    this.emit(event);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

function slot(offers: boolean) {
  const sent: SignalData[] = [];
  const link = new SignalLink(
    (data) => sent.push(data),
    () => {},
    { retransmitMs: 60_000, online: () => true, unacknowledged: () => {} },
  );
  const made: Array<[number, boolean]> = [];
  const announced: StandIn[] = [];
  const first = new StandIn(0);
  const s = new PeerSlot(
    first as unknown as RemotePeer,
    link,
    offers,
    { initialDelayMs: 1000, maxDelayMs: 4000 },
    {
      make: (generation, initiator) => {
        made.push([generation, initiator]);
        return new StandIn(generation) as unknown as RemotePeer;
      },
      announce: (peer) => announced.push(peer as unknown as StandIn),
    },
  );
  const current = () => s.peer as unknown as StandIn;
  return { s, first, sent, made, announced, current };
}

const candidate = (gen?: number): PayloadData => ({
  kind: 'candidate',
  candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' },
  ...(gen === undefined ? {} : { gen }),
});
const offer = (gen: number): PayloadData => ({ kind: 'description', description: { type: 'offer', sdp: 'v=0' }, gen });

describe('PeerSlot', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers a newer generation with a fresh non-initiator peer, and drops the older one’s late signals', () => {
    const { s, first, made, announced, current } = slot(false);
    s.deliver(candidate());
    s.deliver(offer(1));
    expect(made).toEqual([[1, false]]);
    expect(first.closed).toBe(true);
    expect(announced).toEqual([current()]);
    // A late candidate of the dead connection, then the new one's.
    s.deliver(candidate(0));
    s.deliver(candidate(1));
    expect(first.got).toEqual([candidate()]);
    expect(current().got).toEqual([offer(1), candidate(1)]);
    // Its close was the old connection's: no back-off, no request.
    expect(made).toHaveLength(1);
  });

  it('skips generations it never saw, and ignores a newer generation when it is the side that makes them', () => {
    const answerer = slot(false);
    answerer.s.deliver(offer(3));
    expect(answerer.made).toEqual([[3, false]]);
    const offerer = slot(true);
    offerer.s.deliver(offer(1));
    expect(offerer.made).toEqual([]);
    expect(offerer.first.got).toEqual([]);
  });

  it('passes relay frames only once the remote peer has signaled on the current connection', () => {
    vi.useFakeTimers();
    const { s, first, current } = slot(true);
    s.relayIn(new Uint8Array([1]));
    expect(first.relayed).toEqual([1]);
    first.close();
    vi.advanceTimersByTime(1000);
    s.relayIn(new Uint8Array([2]));
    expect(current().relayed).toEqual([]);
    s.deliver({ kind: 'description', description: { type: 'answer', sdp: 'v=0' }, gen: 1 });
    s.relayIn(new Uint8Array([3]));
    expect(current().relayed).toEqual([3]);
  });

  it('makes the next connection after the back-off, doubling while none opens, starting over once one does', () => {
    vi.useFakeTimers();
    const { first, made, current } = slot(true);
    first.close();
    vi.advanceTimersByTime(999);
    expect(made).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(made).toEqual([[1, true]]);
    current().close();
    vi.advanceTimersByTime(1999);
    expect(made).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(made).toEqual([
      [1, true],
      [2, true],
    ]);
    current().tell('open');
    current().close();
    vi.advanceTimersByTime(1000);
    expect(made.at(-1)).toEqual([3, true]);
  });

  it('asks for the next connection when it is not the side that makes it, and the other side closes on the request', () => {
    vi.useFakeTimers();
    const asker = slot(false);
    asker.first.close();
    vi.advanceTimersByTime(1000);
    expect(asker.made).toEqual([]);
    expect(asker.sent.filter((data) => data.kind === 'reconnect')).toEqual([{ kind: 'reconnect', gen: 1 }]);
    const maker = slot(true);
    maker.s.deliver({ kind: 'reconnect', gen: 1 });
    expect(maker.first.closed).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(maker.made).toEqual([[1, true]]);
    // A request for a connection it has already made changes nothing.
    maker.s.deliver({ kind: 'reconnect', gen: 1 });
    expect(maker.current().closed).toBe(false);
  });

  it('makes nothing after dispose, nor for a pc closed for good when reconnection is on', () => {
    vi.useFakeTimers();
    const { s, first, made, current } = slot(true);
    first.connectionState = 'closed';
    first.tell('state');
    expect(first.closed).toBe(true);
    s.dispose();
    vi.advanceTimersByTime(10_000);
    expect(made).toEqual([]);
    expect(current()).toBe(first);
  });
});
