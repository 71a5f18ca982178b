import { Emitter, type EventMap } from '@icebreaker/client';
import type { PeerId } from '@icebreaker/protocol';
import type { CandidateRow, LessonEvents, Role, StepOutput, TimelineEntry } from './lesson.js';
import { STEPS } from './steps.js';

type StateProperty = 'signalingState' | 'iceGatheringState' | 'iceConnectionState' | 'connectionState';

const STATE_EVENTS: ReadonlyArray<readonly [string, StateProperty]> = [
  ['signalingstatechange', 'signalingState'],
  ['icegatheringstatechange', 'iceGatheringState'],
  ['iceconnectionstatechange', 'iceConnectionState'],
  ['connectionstatechange', 'connectionState'],
];

/**
 * What both lesson engines record the same way: which steps are done and what they produced, the
 * candidates, and the timeline. The engines differ only in how steps come to be done.
 */
export abstract class LessonRecord<Events extends LessonEvents & EventMap<Events>> extends Emitter<Events> {
  remotePeer: PeerId | null;
  /** Set when the other peer has left the room: the header says so instead of "is here". */
  remoteLeft = false;
  ended: string | null = null;
  /** A fault of the other peer's that the learner must see at once, e.g. a channel with another label. */
  problem: string | null = null;
  readonly candidates: CandidateRow[] = [];
  /** Every event so far, oldest first; a view mounted later renders these before new ones. */
  readonly timeline: TimelineEntry[] = [];
  protected readonly done = new Set<number>();
  protected readonly outputs = new Map<number, StepOutput>();
  private readonly startedAt = performance.now();

  constructor(
    /** Which side this tab is; the automatic mode becomes the caller when a newcomer follows a peer that left. */
    public role: Role,
    remotePeer: PeerId | null,
  ) {
    super();
    this.remotePeer = remotePeer;
  }

  get connected(): boolean {
    return this.done.has(27);
  }

  output(n: number): StepOutput | undefined {
    return this.outputs.get(n);
  }

  /** Whether step `n` is performed on the other peer's page. */
  protected elsewhere(n: number): boolean {
    const actor = STEPS.find((s) => s.n === n)?.actor;
    return actor !== this.role && actor !== 'both' && actor !== 'server';
  }

  /** Marks step `n` done with what it produced; a step keeps its first output. */
  protected complete(n: number, output?: StepOutput): void {
    if (this.done.has(n)) return;
    if (output) this.outputs.set(n, output);
    this.done.add(n);
    this.log('step', `Step ${n} done: ${STEPS.find((s) => s.n === n)?.title ?? ''}.`);
    // PEER2's page sees no signal of PEER1 taking the answer; an open channel proves it did.
    if (n === 27 && this.role === 'callee') this.markElsewhere([24, 26]);
    this.changed();
  }

  /** Marks steps of the other peer done once their result has arrived here. */
  protected markElsewhere(steps: readonly number[]): void {
    for (const n of steps) this.done.add(n);
  }

  /** Logs every state change of `pc` to the timeline and re-renders; `after` sees which state changed. */
  protected watchStates(pc: RTCPeerConnection, after?: (property: StateProperty) => void): void {
    for (const [event, property] of STATE_EVENTS) {
      pc.addEventListener(event, () => {
        this.log('state', `${property} → ${pc[property]}`);
        after?.(property);
        this.changed();
      });
    }
  }

  /** Shows `text` as an alert (and in the timeline); the lesson goes on. */
  protected report(text: string): void {
    this.problem = text;
    this.log('error', text);
    this.changed();
  }

  /** Ends the lesson with `reason` shown to the learner; `close` releases the engine's connection. */
  protected finish(reason: string, close: () => void): void {
    if (this.ended) return;
    this.ended = reason;
    this.log('info', reason);
    close();
    this.changed();
  }

  protected changed(): void {
    this.tell('change');
  }

  protected log(kind: TimelineEntry['kind'], text: string): void {
    const entry: TimelineEntry = { at: Math.round(performance.now() - this.startedAt), kind, text };
    this.timeline.push(entry);
    this.tell('timeline', entry);
  }

  /** Emits one of the events every lesson has (the subclass's event map extends LessonEvents). */
  private tell<E extends keyof LessonEvents>(event: E, ...args: LessonEvents[E]): void {
    this.emit(event, ...(args as Events[E]));
  }
}
