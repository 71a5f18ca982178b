/** The part of `RTCDataChannel` that sending with backpressure needs. */
export interface SendChannel extends EventTarget {
    readonly readyState: RTCDataChannelState;
    readonly bufferedAmount: number;
    bufferedAmountLowThreshold: number;
    send(data: ArrayBufferView<ArrayBuffer> | ArrayBuffer | string): void;
}
/** Above this many queued bytes a sender waits; it resumes once the queue drains below a quarter. */
export declare const HIGH_WATER_BYTES: number;
/**
 * Sends one frame, first waiting (without polling) for the channel's buffer to drain below the high
 * water mark, so that a sender never queues more than about {@link HIGH_WATER_BYTES} in memory.
 * Rejects with `channel-closed` when the channel closes first.
 */
export declare function sendWithBackpressure(channel: SendChannel, data: Uint8Array<ArrayBuffer> | string, highWater?: number): Promise<void>;
/**
 * Resolves once the channel's buffer is at or below `threshold` bytes; rejects with `channel-closed`
 * if the channel closes first.
 */
export declare function drained(channel: SendChannel, threshold: number): Promise<void>;
//# sourceMappingURL=backpressure.d.ts.map