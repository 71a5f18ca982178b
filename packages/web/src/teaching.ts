import type { ParsedCandidate, SafetyNumber } from '@icebreaker/client';
import type { PeerId } from '@icebreaker/protocol';

/**
 * What the page's view reads from a lesson, and the shapes of what a lesson records. Both lesson
 * engines (step by step, and the library's automatic mode) and the record they share depend on this
 * file, and it on none of them: no import goes round in a circle.
 */

/** Which side a tab is: PEER1 (the caller) or PEER2 (the callee). */
export type Role = 'caller' | 'callee';
/** Step by step (the learner presses each button), or automatic (the client library). */
export type Mode = 'steps' | 'auto';
/** Where a step stands, as its button shows it. */
export type StepStatus = 'waiting' | 'ready' | 'running' | 'done' | 'failed' | 'elsewhere';

/** What a step produced, shown under it. */
export type StepOutput =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'sdp'; readonly text: string; readonly sdp: string }
  | { readonly kind: 'json'; readonly text: string; readonly value: unknown }
  | { readonly kind: 'trust'; readonly text: string; readonly notes: TrustNotes };

/** What the teaching step about trust shows: where each part of the safety number comes from. */
export interface TrustNotes {
  /** This tab's fingerprint, from its own SDP's `a=fingerprint` line ("sha-256 AB:CD:…"). */
  readonly local: string;
  /** The other tab's, from the SDP that came through the signaling server. */
  readonly remote: string;
  /** The certificates the DTLS handshake used, from getStats (absent where the browser does not say). */
  readonly handshake?: { readonly local?: string; readonly remote?: string };
  readonly checked: SafetyNumber['checked'];
  readonly relayed: boolean;
  readonly digits: string;
  readonly words: readonly string[];
}

/** One ICE candidate as the page lists it. */
export interface CandidateRow {
  readonly side: 'local' | 'remote';
  readonly init: RTCIceCandidateInit;
  readonly parsed: ParsedCandidate | null;
  /** local: collected → sent; remote: buffered → applied (or failed). */
  state: 'collected' | 'sent' | 'buffered' | 'applied' | 'failed';
}

/** One line of the timeline of events. */
export interface TimelineEntry {
  /** Milliseconds since the lesson started. */
  readonly at: number;
  readonly kind: 'step' | 'signal' | 'state' | 'error' | 'chat' | 'info';
  readonly text: string;
}

/** One chat message, from this tab or the other. */
export interface ChatLine {
  readonly from: 'me' | 'peer';
  readonly text: string;
}

/**
 * The path a connection takes, as the client library reports it once it has its fallback ladder
 * (`RemotePeer.path` and its `path` event): direct ICE, through TURN, or relayed by the signaling
 * server. `reason` says in a sentence why it fell back, when it did.
 */
export interface PathInfo {
  readonly path: string;
  readonly reason?: string;
}

/** The events every lesson emits. */
export interface LessonEvents {
  /** Something shown changed; the view re-reads the lesson. */
  change: [];
  timeline: [entry: TimelineEntry];
  chat: [line: ChatLine];
}

/** What the view needs from a lesson, whichever engine runs it (this one, or the library's). */
export interface Teaching {
  readonly role: Role;
  readonly mode: Mode;
  iceServersText: string;
  readonly remotePeer: PeerId | null;
  readonly remoteLeft: boolean;
  readonly ended: string | null;
  readonly problem: string | null;
  readonly candidates: readonly CandidateRow[];
  readonly timeline: readonly TimelineEntry[];
  readonly started: boolean;
  readonly connected: boolean;
  /** The RTCPeerConnection of the current connection, for the candidate-pair view's getStats. */
  readonly peerConnection: RTCPeerConnection | null;
  /** Whether the tab joined with an invite link's secret (then its address alone is not an invitation). */
  readonly paired: boolean;
  /** The path the library reports (automatic mode, with a library that has the ladder), else null. */
  readonly path: PathInfo | null;
  status(n: number): StepStatus;
  output(n: number): StepOutput | undefined;
  failure(n: number): string | undefined;
  states(): LiveStates;
  run(n: number): Promise<void>;
  sendChat(text: string): void;
  setMode(mode: Mode): void;
  on<E extends keyof LessonEvents>(event: E, listener: (...args: LessonEvents[E]) => void): () => void;
}

/** The live states the page shows, straight from the connection and the channel. */
export interface LiveStates {
  signalingState: string;
  iceGatheringState: string;
  iceConnectionState: string;
  connectionState: string;
  channelState: string;
}
