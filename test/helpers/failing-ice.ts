import type { ConnectOptions } from '@icebreaker/client';
import type { StartOptions } from '@icebreaker/server';
import { Coturn } from './coturn.js';

/** The server's TURN secret in these scenarios; coturn is given another one when it must refuse. */
export const TURN_SECRET = 'turn-test-secret-0123456789';

/**
 * A set-up in which ICE really cannot connect two peers, for the tests of what happens then (the
 * relay through the signaling server). Start the server with `server` (spread into `startHarness` or
 * `startServer`), connect every peer with `peer`, and `close()` after the test.
 *
 * What a user sees, measured with libwebrtc (@roamhq/wrtc, as Chromium): gathering completes with no
 * candidate at all, so no pair can be formed, and `iceConnectionState` stays `new`/`checking`: libwebrtc
 * reports no `failed` without a pair that failed (≥ 60 s watched), and not within 100 s either when its
 * pairs exist but every check is dropped (a namespace that lets only the signaling TCP out). libjuice
 * (node-datachannel, the CLI's stack) sometimes reports `failed`, sometimes stays `checking`. A relay
 * rung must start on its own timeout, not wait for `failed`.
 *
 * The namespace case is built in test/client/turn-ladder.test.ts: `isolatedNetwork()`, the server on its
 * `hostAddress`, then `restrict({ onlyTcpTo: [server port] })`, and an `isolatedPeer` inside.
 */
export interface FailingIce {
  readonly server: StartOptions;
  readonly peer: Partial<ConnectOptions>;
  /** The TURN server that refuses, when there is one (its log says why). */
  readonly turn: Coturn | null;
  close(): Promise<void>;
}

/** `iceTransportPolicy: 'relay'` and no TURN server at all: no candidate is gathered. */
export function relayWithoutTurn(): FailingIce {
  return {
    server: { iceServers: [] },
    peer: { iceServers: [], rtcConfiguration: { iceTransportPolicy: 'relay' } },
    turn: null,
    close: async () => {},
  };
}

/**
 * A real coturn that refuses the server's credentials (it was given another secret: every Allocate
 * gets 401, `icecandidateerror` 401 in the peers), and relay-only peers: no candidate is gathered.
 * `listeningIps` as for {@link Coturn.start} (a namespace's `hostAddress` for isolated peers).
 */
export async function refusedTurn(listeningIps?: readonly string[]): Promise<FailingIce> {
  const turn = await Coturn.start({ secret: 'not-the-servers-secret-0123456789', ...(listeningIps ? { listeningIps } : {}) });
  return {
    server: { iceServers: [], turnUrls: [turn.url], turnSecret: TURN_SECRET },
    // No iceServers: the peers use the welcome's, with the credentials the server minted.
    peer: { rtcConfiguration: { iceTransportPolicy: 'relay' } },
    turn,
    close: () => turn.stop(),
  };
}
