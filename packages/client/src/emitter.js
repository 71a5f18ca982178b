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
export class Emitter {
    listeners = Object.create(null);
    /** Adds a listener and returns a function that removes it. */
    on(event, listener) {
        const set = this.listeners[event] ?? new Set();
        this.listeners[event] = set;
        set.add(listener);
        return () => this.off(event, listener);
    }
    /** Removes a listener added with `on`. */
    off(event, listener) {
        this.listeners[event]?.delete(listener);
    }
    /** Resolves with the arguments of the next `event`. */
    next(event) {
        return new Promise((resolve) => {
            const off = this.on(event, (...args) => {
                off();
                resolve(args);
            });
        });
    }
    /** Calls every listener of `event`, in the order they were added; one that throws is logged and skipped. */
    emit(event, ...args) {
        for (const listener of [...(this.listeners[event] ?? [])]) {
            try {
                listener(...args);
            }
            catch (error) {
                console.error(`icebreaker: a "${String(event)}" listener threw`, error);
            }
        }
    }
}
//# sourceMappingURL=emitter.js.map