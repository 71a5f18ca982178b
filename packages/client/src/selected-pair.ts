/** One end of the selected ICE candidate pair, from `getStats`. */
export interface PathCandidate {
  readonly type: string;
  readonly protocol: string;
  readonly address?: string;
  readonly port?: number;
  /** For a relay candidate: how it reaches its TURN server (`udp`, `tcp`, `tls`). */
  readonly relayProtocol?: string;
}

/** The selected candidate pair: its two ends, and its round-trip time when the stack measures it. */
export interface SelectedPair {
  readonly local: PathCandidate;
  readonly remote: PathCandidate;
  readonly rttMs?: number;
}

type Stats = Record<string, unknown>;

/**
 * The candidate pair ICE selected, from `getStats` (W3C webrtc-stats: the transport's
 * `selectedCandidatePairId`; Firefox and libdatachannel have no transport stats, so else the pair
 * marked selected, or the nominated one that succeeded), or null when the stack does not tell.
 * Rejects as `getStats` does. The path event and the doctor both read it here.
 */
export async function selectedPair(pc: RTCPeerConnection): Promise<SelectedPair | null> {
  const stats = [...(await pc.getStats()).values()] as Stats[];
  const byId = new Map(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair =
    (transport && byId.get(transport.selectedCandidatePairId)) ??
    stats.find((s) => s.type === 'candidate-pair' && (s.selected === true || (s.nominated === true && s.state === 'succeeded')));
  const local = candidateOf(pair && byId.get(pair.localCandidateId));
  const remote = candidateOf(pair && byId.get(pair.remoteCandidateId));
  if (!pair || !local || !remote) return null;
  // currentRoundTripTime is in seconds (webrtc-stats §7.7). node-datachannel's polyfill puts its SCTP
  // RTT in milliseconds there and fills none of the check counters, so it is trusted only beside them.
  const rtt = pair.currentRoundTripTime;
  const w3c = typeof pair.responsesReceived === 'number';
  return { local, remote, ...(w3c && typeof rtt === 'number' && rtt >= 0 ? { rttMs: Math.round(rtt * 10_000) / 10 } : {}) };
}

function candidateOf(stats: Stats | undefined): PathCandidate | null {
  const type = stats?.candidateType;
  if (!stats || typeof type !== 'string') return null;
  // `address` is `ip` in older stacks.
  const address = stats.address ?? stats.ip;
  return {
    type,
    protocol: String(stats.protocol ?? 'udp'),
    ...(typeof address === 'string' ? { address } : {}),
    ...(typeof stats.port === 'number' ? { port: stats.port } : {}),
    ...(typeof stats.relayProtocol === 'string' ? { relayProtocol: stats.relayProtocol } : {}),
  };
}
