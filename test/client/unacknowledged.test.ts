import type { IcebreakerError, RemotePeer } from '@icebreaker/client';
import { describe, expect, it } from 'vitest';
import { messages, nodePeer, openPeer, serverPerTest } from '../helpers/peers.js';

const RETRANSMIT_MS = 200;

// Issue 9, item 12: a peer that never acks (anything but this library) got a copy of every signal
// every 2 s, forever, and nobody was told.
describe('signals a peer never acknowledges', () => {
  const t = serverPerTest();

  it('are sent again less and less often, then no more, and the peer is named in an error event', async () => {
    const session = await nodePeer(t.h.server.signalingUrl, 'mute', { retransmitMs: RETRANSMIT_MS });
    t.sessions.push(session);
    const reported = new Promise<[IcebreakerError, RemotePeer | undefined]>((resolve) =>
      session.on('error', (error, peer) => resolve([error, peer])),
    );
    // A raw WebSocket client that joins and only reads: it never sends an ack.
    const { socket, id } = await t.h.peer('mute');
    const arrivals = new Map<number, number[]>();
    // The offer and candidates the session held for the next peer came right after the welcome.
    for (const frame of socket.pending as Array<{ type: string; seq?: number }>) {
      if (frame.type === 'signal' && frame.seq !== undefined) arrivals.set(frame.seq, [...(arrivals.get(frame.seq) ?? []), Date.now()]);
    }
    socket.ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { type: string; seq?: number };
      if (frame.type !== 'signal' || frame.seq === undefined) return;
      arrivals.set(frame.seq, [...(arrivals.get(frame.seq) ?? []), Date.now()]);
    });

    const [error, peer] = await reported;
    expect(error.code).toBe('signals-unacknowledged');
    expect(peer?.id).toBe(id);
    expect(error.message).toContain(id);

    // A window as long as the last wait between copies: at the old fixed pace it would have
    // brought 8 more copies of every signal.
    await new Promise((resolve) => setTimeout(resolve, 8 * RETRANSMIT_MS));
    expect(arrivals.size).toBeGreaterThan(1); // the offer and its candidates
    for (const [seq, times] of arrivals) expect(times.length, `copies of signal ${seq}`).toBeLessThanOrEqual(4);
    const offer = arrivals.get(0) ?? [];
    expect(offer).toHaveLength(4);
    const gaps = offer.slice(1).map((at, i) => at - (offer[i] as number));
    expect(gaps[1]).toBeGreaterThan(gaps[0] as number);
    expect(gaps[2]).toBeGreaterThan(gaps[1] as number);
    expect(gaps[0]).toBeGreaterThanOrEqual(RETRANSMIT_MS - 20);
  });

  it('are not reported for a library peer, which acks', async () => {
    const a = await nodePeer(t.h.server.signalingUrl, 'acks', { retransmitMs: RETRANSMIT_MS });
    const b = await nodePeer(t.h.server.signalingUrl, 'acks', { retransmitMs: RETRANSMIT_MS });
    t.sessions.push(a, b);
    const errors: string[] = [];
    for (const s of [a, b]) s.on('error', (error) => errors.push(error.code));
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    // Past the point where unacknowledged signals would have been reported (15 × retransmitMs).
    await new Promise((resolve) => setTimeout(resolve, 16 * RETRANSMIT_MS));
    const atB = messages(b, 1);
    await toB.send('still here');
    expect(await atB).toEqual(['still here']);
    expect(errors).toEqual([]);
  });
});
