import { describe, expect, it } from 'vitest';
import { drained, type SendChannel, sendAllWithBackpressure, sendWithBackpressure } from '../../packages/client/src/backpressure.js';

/**
 * A stand-in for the part of an RTCDataChannel the helper reads: a buffer whose level the test sets,
 * firing `bufferedamountlow` as a browser does when the level crosses the threshold (or not, as some
 * Node stacks do not). A unit test of the waiting logic; the real channels are exercised end to end by
 * the file-transfer tests.
 */
class FakeChannel extends EventTarget implements SendChannel {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly sent: Array<Uint8Array | ArrayBuffer | ArrayBufferView | string> = [];
  constructor(private readonly firesLow = true) {
    super();
  }
  send(data: ArrayBufferView<ArrayBuffer> | ArrayBuffer | string): void {
    this.sent.push(data);
    this.bufferedAmount += typeof data === 'string' ? data.length : data.byteLength;
  }
  /** The transport takes bytes off the buffer. */
  drain(to: number): void {
    const crossed = this.bufferedAmount > this.bufferedAmountLowThreshold && to <= this.bufferedAmountLowThreshold;
    this.bufferedAmount = to;
    if (crossed && this.firesLow) this.dispatchEvent(new Event('bufferedamountlow'));
  }
  close(): void {
    this.readyState = 'closed';
    this.dispatchEvent(new Event('close'));
  }
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
};

describe('sendWithBackpressure', () => {
  it('sends at once while the buffer is under the high water mark', async () => {
    const channel = new FakeChannel();
    channel.bufferedAmount = 1000;
    await sendWithBackpressure(channel, 'hello', 1000);
    expect(channel.sent).toEqual(['hello']);
  });

  it('waits above the mark and sends once the buffer drains to a quarter of it', async () => {
    const channel = new FakeChannel();
    channel.bufferedAmount = 5000;
    const sending = sendWithBackpressure(channel, new Uint8Array(10), 4000);
    expect(await settled(sending)).toBe(false);
    expect(channel.bufferedAmountLowThreshold).toBe(1000);
    channel.drain(2000);
    expect(await settled(sending)).toBe(false);
    channel.drain(1000);
    await sending;
    expect(channel.sent).toHaveLength(1);
  });

  it('rejects with channel-closed when the channel closes while it waits, and sends nothing', async () => {
    const channel = new FakeChannel();
    channel.bufferedAmount = 5000;
    const sending = sendWithBackpressure(channel, 'x', 4000);
    channel.close();
    await expect(sending).rejects.toMatchObject({ code: 'channel-closed' });
    expect(channel.sent).toEqual([]);
  });

  it('rejects with channel-closed on a channel that is not open, without waiting', async () => {
    const channel = new FakeChannel();
    channel.readyState = 'closing';
    await expect(sendWithBackpressure(channel, 'x')).rejects.toMatchObject({ code: 'channel-closed' });
  });
});

describe('sendAllWithBackpressure', () => {
  it('sends every frame in order, waiting only while the buffer is above the mark', async () => {
    const channel = new FakeChannel();
    const frames = [new Uint8Array(3000), new Uint8Array(3000), new Uint8Array(10)];
    const sending = sendAllWithBackpressure(channel, frames, 4000);
    // 3000 queued: under the mark, the second goes at once; 6000: above it, the third waits.
    expect(await settled(sending)).toBe(false);
    expect(channel.sent).toEqual(frames.slice(0, 2));
    channel.drain(1000);
    await sending;
    expect(channel.sent).toEqual(frames);
  });

  it('rejects with channel-closed when the channel closes while it waits, having sent the frames before', async () => {
    const channel = new FakeChannel();
    const sending = sendAllWithBackpressure(channel, ['a'.repeat(5000), 'b'], 4000);
    expect(await settled(sending)).toBe(false);
    channel.close();
    await expect(sending).rejects.toMatchObject({ code: 'channel-closed' });
    expect(channel.sent).toEqual(['a'.repeat(5000)]);
  });
});

describe('drained', () => {
  it('resolves at once when the buffer is already at the threshold', async () => {
    const channel = new FakeChannel();
    channel.bufferedAmount = 100;
    expect(await settled(drained(channel, 100))).toBe(true);
  });

  it('notices a drain on a stack that never fires bufferedamountlow, by a watchdog, and re-checks such channels sooner after', async () => {
    const channel = new FakeChannel(false);
    channel.bufferedAmount = 5000;
    const first = drained(channel, 1000);
    channel.drain(0);
    const started = performance.now();
    await first;
    // The first time, the watchdog's 250 ms tell the stack's silence from a slow drain.
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    channel.bufferedAmount = 5000;
    const second = drained(channel, 1000);
    setTimeout(() => channel.drain(0), 20);
    const again = performance.now();
    await second;
    expect(performance.now() - again).toBeLessThan(200);
  });
});
