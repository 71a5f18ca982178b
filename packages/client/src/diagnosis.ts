import type { WebSocketConstructor } from './signaling-client.js';

// The types of `diagnose()`: what it takes and what it reports. Kept apart from the code that fills
// them (as mediasoup keeps `XTypes.ts` beside each class), so the CLI and the page can name them.

/** Options of {@link diagnose}. Give `iceServers`, `signalingUrl`, or both (then `iceServers` wins). */
export interface DiagnoseOptions {
  /** The ICE servers to check, as `RTCConfiguration.iceServers` takes them. */
  readonly iceServers?: readonly RTCIceServer[];
  /**
   * An Icebreaker signaling endpoint (`ws(s)://…/ws` or the page's `http(s)://` address) whose
   * ICE servers to check: the doctor joins a throwaway room, reads `welcome.iceServers`, and leaves.
   */
  readonly signalingUrl?: string;
  /**
   * The room the doctor joins to read the ICE servers; default a fresh `doctor-…` room of its own.
   * The others in a room see the doctor come and go, so give one only for a room token's sake.
   */
  readonly room?: string;
  /** A room token for `room`, for a signaling server that requires one. */
  readonly token?: string;
  /** The RTCPeerConnection implementation; defaults to the global one. In Node, pass one in. */
  readonly RTCPeerConnection?: typeof RTCPeerConnection;
  /** The WebSocket implementation for `signalingUrl`; defaults to the global one. */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * How long each phase may take, in milliseconds (fetching the servers, gathering, connecting):
   * a server that has not answered by then is reported as not answering. Default 5000.
   */
  readonly timeoutMs?: number;
  /** `relay` tests only paths through TURN, as `iceTransportPolicy: 'relay'` would. Default `all`. */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
}

/** One candidate, in the parts a person reads. */
export interface CandidateSummary {
  /** `host`, `srflx`, `prflx` or `relay`. */
  readonly type: string;
  /** `udp` or `tcp`: how the candidate itself is reached. */
  readonly protocol: string;
  readonly address: string;
  readonly port: number;
  /** For a relay candidate: how this side reaches its TURN server (`udp`, `tcp`, `tls`), when known. */
  readonly relayProtocol?: string;
}

/** An `icecandidateerror` event (W3C webrtc §4.8.2): a STUN or TURN server that failed, and why. */
export interface IceServerError {
  readonly url: string;
  /** STUN error code (RFC 8489 §14.8: 401 bad credential, 403, 437…) or 700–799 (no answer; 701 unreachable). */
  readonly code: number;
  readonly text: string;
}

/** What one ICE server URL did when asked alone. */
export interface ServerReport {
  /** The URL, never its credential. */
  readonly url: string;
  readonly kind: 'stun' | 'turn';
  /** How the server is reached: `udp`, `tcp`, or `tls` (turns:). */
  readonly transport: 'udp' | 'tcp' | 'tls';
  /** STUN: a server-reflexive candidate came back (a binding answered). TURN: a relay candidate (an allocation). */
  readonly answered: boolean;
  /** The srflx and relay candidates this server gave. */
  readonly candidates: readonly CandidateSummary[];
  readonly errors: readonly IceServerError[];
  /** Gathering had not finished when the timeout came. */
  readonly timedOut: boolean;
  /** Milliseconds until gathering finished (or the timeout). */
  readonly ms: number;
}

/** A guess at the network address translation between this machine and the internet. */
export interface NatHint {
  /** `none`: STUN sees one of this machine's own addresses; `nat`: another; `unknown`: no STUN answer. */
  readonly kind: 'none' | 'nat' | 'unknown';
  readonly text: string;
}

/** Two local connections made through the servers: does a path exist, and which? */
export interface PathCheck {
  /** `all`: any path ICE finds; `relay`: through TURN only. */
  readonly policy: RTCIceTransportPolicy;
  readonly connected: boolean;
  /** Why it did not connect, when it did not. */
  readonly reason?: string;
  readonly ms: number;
  /** The candidate pair ICE selected, from `getStats`. */
  readonly pair?: { readonly local: CandidateSummary; readonly remote: CandidateSummary };
  /** Round-trip time on the selected pair: `getStats`' `currentRoundTripTime`, else a data-channel echo. */
  readonly rttMs?: number;
  readonly rttSource?: 'ice' | 'echo';
}

/** How bad a finding is: `fail` means no path for someone, `warn` a path that may be missing for some. */
export type Severity = 'ok' | 'warn' | 'fail';

/** The stable codes of the doctor's findings (the CLI's `--json` and the tests rely on them). */
export type FindingCode =
  | 'ok'
  | 'turn-ok'
  | 'signaling-unreachable'
  | 'no-ice-servers'
  | 'no-turn'
  | 'stun-no-answer'
  | 'turn-credential-refused'
  | 'turn-unreachable'
  | 'turn-no-relay'
  | 'udp-blocked'
  | 'no-path';

/** One conclusion, with what to do about it, in plain words. */
export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly text: string;
}

/** What {@link diagnose} found. */
export interface Diagnosis {
  /** The signaling endpoint the ICE servers came from, and whether it answered. */
  readonly signaling?: { readonly url: string; readonly ok: boolean; readonly error?: string };
  /** Every URL of every ICE server checked, each on its own. */
  readonly servers: readonly ServerReport[];
  /** This machine's own candidates (no server needed). */
  readonly host: readonly CandidateSummary[];
  /** Which candidate types were gathered, as `type/protocol` (`host/udp`, `srflx/udp`, `relay/udp`…). */
  readonly candidateTypes: readonly string[];
  /** A server was reachable only over UDP in theory, and neither STUN nor TURN over UDP answered. */
  readonly udpBlocked: boolean;
  readonly nat: NatHint;
  readonly checks: readonly PathCheck[];
  /** At least one check connected. */
  readonly pathExists: boolean;
  /** Worst first. */
  readonly findings: readonly Finding[];
  /** The code of the first finding: the headline. */
  readonly code: FindingCode;
  /** The verdict as a person reads it: what is wrong, and what to do. */
  readonly verdict: string;
}
