/** An event map: event name → the arguments its listeners receive. */
export type EventMap<Events> = { [E in keyof Events]: unknown[] };

type Listener<Args extends unknown[]> = (...args: Args) => void;

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
export class Emitter<Events extends EventMap<Events>> {
  private readonly listeners: { [E in keyof Events]?: Set<Listener<Events[E]>> } = Object.create(null);

  /** Adds a listener and returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    const set = this.listeners[event] ?? new Set();
    this.listeners[event] = set;
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    this.listeners[event]?.delete(listener);
  }

  /** Resolves with the arguments of the next `event`. */
  next<E extends keyof Events>(event: E): Promise<Events[E]> {
    return new Promise((resolve) => {
      const off = this.on(event, (...args) => {
        off();
        resolve(args);
      });
    });
  }

  protected emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    for (const listener of [...(this.listeners[event] ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`icebreaker: a "${String(event)}" listener threw`, error);
      }
    }
  }
}
