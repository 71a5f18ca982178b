import { IcebreakerError } from '@icebreaker/protocol';

/** The part of `RTCDataChannel` that sending with backpressure needs. */
export interface SendChannel extends EventTarget {
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  send(data: ArrayBufferView<ArrayBuffer> | ArrayBuffer | string): void;
}

/**
 * Above this many queued bytes a sender waits; it resumes once the queue drains below a quarter.
 * Measured (`BENCH_TUNE=1 npm run bench`'s grid, bare channel between two Chromium tabs, 2 loaded
 * cores, median of 5 paired rounds against this choice): 1 MiB and ¼ with 64 KiB messages was at or
 * above every other choice that did not swing by 3× between rounds: 256 KiB and ¼ 0.88×, 4 MiB 0.88×,
 * 8 MiB 0.78×, draining to 0 before resuming 0.80×, 16 KiB messages 0.71×. 16 MiB cannot be used:
 * Chromium refuses a `send` past 16 MiB queued ("send queue is full").
 */
export const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Sends one frame, first waiting (without polling) for the channel's buffer to drain below the high
 * water mark, so that a sender never queues more than about {@link HIGH_WATER_BYTES} in memory.
 * Rejects with `channel-closed` when the channel closes first.
 */
export async function sendWithBackpressure(
  channel: SendChannel,
  data: Uint8Array<ArrayBuffer> | string,
  highWater = HIGH_WATER_BYTES,
): Promise<void> {
  if (channel.bufferedAmount > highWater) await drained(channel, highWater / 4);
  if (channel.readyState !== 'open') throw new IcebreakerError('channel-closed', `the data channel is ${channel.readyState}`);
  channel.send(data);
}

/**
 * Sends frames in order, as {@link sendWithBackpressure} sends one, but awaits only when the buffer is
 * above the high water mark: a message split into many frames costs one promise, not one per frame.
 * Rejects with `channel-closed` when the channel closes first; the frames before went out.
 */
export async function sendAllWithBackpressure(
  channel: SendChannel,
  frames: Iterable<Uint8Array<ArrayBuffer> | string>,
  highWater = HIGH_WATER_BYTES,
): Promise<void> {
  for (const frame of frames) {
    if (channel.bufferedAmount > highWater) await drained(channel, highWater / 4);
    if (channel.readyState !== 'open') throw new IcebreakerError('channel-closed', `the data channel is ${channel.readyState}`);
    channel.send(frame);
  }
}

/**
 * Channels of stacks that never fire `bufferedamountlow` (seen with @roamhq/wrtc). Browsers do fire
 * it, so they never land here; for the others a short re-check is the only way to learn of the drain.
 */
const silentChannels = new WeakSet<SendChannel>();
const WATCHDOG_MS = 250;
const SILENT_RECHECK_MS = 5;

/**
 * Resolves once the channel's buffer is at or below `threshold` bytes; rejects with `channel-closed`
 * if the channel closes first.
 */
export function drained(channel: SendChannel, threshold: number): Promise<void> {
  channel.bufferedAmountLowThreshold = threshold;
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (error?: IcebreakerError): void => {
      clearTimeout(timer);
      channel.removeEventListener('bufferedamountlow', done);
      channel.removeEventListener('close', closed);
      if (error) reject(error);
      else resolve();
    };
    const done = (): void => finish();
    const closed = (): void => finish(new IcebreakerError('channel-closed', 'the data channel closed while sending'));
    const watch = (): void => {
      if (channel.bufferedAmount <= threshold) {
        // Drained with no event: this stack does not fire bufferedamountlow.
        silentChannels.add(channel);
        done();
      } else {
        timer = setTimeout(watch, silentChannels.has(channel) ? SILENT_RECHECK_MS : WATCHDOG_MS);
      }
    };
    channel.addEventListener('bufferedamountlow', done);
    channel.addEventListener('close', closed);
    // The buffer may have drained between the check and the listener: re-check once, now.
    if (channel.bufferedAmount <= threshold) done();
    else timer = setTimeout(watch, silentChannels.has(channel) ? SILENT_RECHECK_MS : WATCHDOG_MS);
  });
}
