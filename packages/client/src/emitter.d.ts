/** An event map: event name → the arguments its listeners receive. */
export type EventMap<Events> = {
    [E in keyof Events]: unknown[];
};
/** A listener of an event whose arguments are `Args`. */
export type Listener<Args extends unknown[]> = (...args: Args) => void;
/**
 * A typed event emitter that runs unchanged in browsers and Node (no `node:events`). A listener that
 * throws is reported on the console and the remaining listeners still run, so one faulty listener can
 * never break the connection that emitted the event (mediasoup's `safeEmit` does the same).
 *
 * @example
 * ```ts
 * class Clock extends Emitter<{ tick: [at: number] }> { start() { this.emit('tick', Date.now()); } }
 * const stop = new Clock().on('tick', (at) => console.log(at));
 * stop(); // removes the listener
 * ```
 */
export declare class Emitter<Events extends EventMap<Events>> {
    private readonly listeners;
    /** Adds a listener and returns a function that removes it. */
    on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void;
    /** Removes a listener added with `on`. */
    off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void;
    /** Resolves with the arguments of the next `event`. */
    next<E extends keyof Events>(event: E): Promise<Events[E]>;
    /** Calls every listener of `event`, in the order they were added; one that throws is logged and skipped. */
    protected emit<E extends keyof Events>(event: E, ...args: Events[E]): void;
}
//# sourceMappingURL=emitter.d.ts.map