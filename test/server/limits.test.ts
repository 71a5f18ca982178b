import { afterEach, describe, expect, it } from 'vitest';
import { captureLog, type Harness, metric, startHarness } from '../helpers/server.js';
import type { TestSocket } from '../helpers/socket.js';

const candidate = { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } };

/** A pair in its own room that must keep relaying whatever the others do. */
async function bystanders(h: Harness): Promise<() => Promise<void>> {
  const a = await h.peer('bystanders');
  const b = await h.peer('bystanders');
  await a.socket.next();
  return async () => {
    a.socket.send({ type: 'signal', data: candidate });
    expect(await b.socket.next()).toEqual({ type: 'signal', from: a.id, data: candidate });
  };
}

/** Takes frames until one of `type` arrives, counting the signals passed on the way. */
async function countUntil(socket: TestSocket, type: string): Promise<{ signals: number; frame: Record<string, unknown> }> {
  let signals = 0;
  for (;;) {
    const frame = await socket.next();
    if (frame.type === type) return { signals, frame };
    if (frame.type === 'signal') signals++;
  }
}

describe('per-connection rate limit', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('passes a burst, answers rate-limited past it, and closes 1008 a client that keeps flooding', async () => {
    const log = captureLog();
    h = await startHarness({ rateMessagesPerSecond: 10, rateBytesPerSecond: 0, logger: log.logger });
    const stillRelaying = await bystanders(h);
    const flooder = await h.peer('flood');
    const target = await h.peer('flood');
    await flooder.socket.next();

    for (let i = 0; i < 200; i++) flooder.socket.send({ type: 'signal', data: candidate });
    const closed = await flooder.socket.closed;
    expect(closed).toEqual({ code: 1008, reason: 'rate limit exceeded' });
    // The 4-second bucket of 10/s let about 40 messages through, the join among them; the rest was refused.
    const { signals } = await countUntil(target.socket, 'peer-left');
    expect(signals).toBeGreaterThanOrEqual(39);
    // (A slow machine refills a few tokens while the 200 go out; far fewer than 200 pass either way.)
    expect(signals).toBeLessThan(60);
    // One notice for the whole episode, not one per dropped message.
    expect(flooder.socket.pending).toEqual([{ type: 'error', code: 'rate-limited', message: expect.stringContaining('dropped') }]);

    await stillRelaying();
    expect(await metric(h.server, 'icebreaker_errors_total{code="rate-limited"}')).toBe(1);
    expect(await metric(h.server, 'icebreaker_connections_rejected_total{reason="rate-limit"}')).toBe(1);
    expect(log.lines.filter((l) => l.event === 'rejected').map((l) => l.reason)).toEqual(['rate-limit']);
  });

  it('lets a client that slows down when told carry on', async () => {
    h = await startHarness({ rateMessagesPerSecond: 20, rateBytesPerSecond: 0 });
    const a = await h.peer('polite');
    const b = await h.peer('polite');
    await a.socket.next();
    for (let i = 0; i < 85; i++) a.socket.send({ type: 'signal', data: candidate });
    expect((await countUntil(a.socket, 'error')).frame.code).toBe('rate-limited');
    // The refill (20 per second) is the behaviour under test: a second pays back the small debt.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    a.socket.send({ type: 'signal', data: { kind: 'end-of-candidates' } });
    for (;;) {
      const frame = await b.socket.next();
      if (frame.type === 'signal' && (frame.data as { kind: string }).kind === 'end-of-candidates') break;
    }
    expect(a.socket.ws.readyState).toBe(a.socket.ws.OPEN);
  });

  it('limits bytes as well as messages', async () => {
    h = await startHarness({ rateMessagesPerSecond: 0, rateBytesPerSecond: 16 * 1024 });
    const a = await h.peer('bytes');
    const b = await h.peer('bytes');
    await a.socket.next();
    const big = { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(8000) } };
    for (let i = 0; i < 10; i++) a.socket.send({ type: 'signal', id: i, data: big });
    // 64 KiB of bucket: eight 8 KB signals pass, the ninth does not.
    expect(await countUntil(a.socket, 'error')).toMatchObject({ frame: { code: 'rate-limited' } });
    let passed = 0;
    while (passed < 8) if ((await b.socket.next()).type === 'signal') passed++;
    expect(b.socket.pending).toEqual([]);
  });
});

describe('slow consumers', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('disconnects a peer that stops reading once its unsent output passes the bound; its room is told', async () => {
    h = await startHarness({ maxBufferedBytes: 64 * 1024, rateMessagesPerSecond: 0, rateBytesPerSecond: 0 });
    const stillRelaying = await bystanders(h);
    const sender = await h.peer('slow');
    const reader = await h.peer('slow');
    await sender.socket.next();
    // The reader stops reading its socket: the kernel's buffers fill, then the server's.
    reader.socket.ws.pause();

    const signal = { type: 'signal', data: { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(40_000) } } };
    const left = countUntil(sender.socket, 'peer-left');
    let gone = false;
    void left.then(() => {
      gone = true;
    });
    for (let sent = 0; !gone && sent < 2000; ) {
      sender.socket.send(signal);
      sent++;
      // Server and test share this process: yield so that the server reads what was sent.
      if (sent % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect((await left).frame).toEqual({ type: 'peer-left', peerId: reader.id, reason: 'closed' });
    expect(await metric(h.server, 'icebreaker_connections_rejected_total{reason="slow-consumer"}')).toBe(1);
    await stillRelaying();
    reader.socket.ws.resume();
    expect((await reader.socket.closed).code).toBe(1006);
  });
});
