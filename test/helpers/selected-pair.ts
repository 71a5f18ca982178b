/** One end of the selected candidate pair, as `getStats` reports it (the fields tests look at). */
export interface PairEnd {
  readonly candidateType: string;
  /** The transport between this end and the other (`udp`, `tcp`); libdatachannel does not say. */
  readonly protocol?: string;
  /** For a local relay candidate: how this peer reaches its TURN server (`udp`, `tcp`, `tls`). */
  readonly relayProtocol?: string;
  readonly address?: string;
  readonly url?: string;
}

/**
 * The local and remote candidates of the pair ICE selected, from getStats: the transport's
 * `selectedCandidatePairId` (W3C webrtc-stats §7.9), or else the nominated pair that succeeded
 * (Firefox reports no transport). Throws when there is none.
 */
export async function selectedPair(pc: RTCPeerConnection): Promise<{ local: PairEnd; remote: PairEnd }> {
  const stats = [...(await pc.getStats()).values()] as Array<RTCStats & Record<string, unknown>>;
  const byId = new Map(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair =
    (transport && byId.get(transport.selectedCandidatePairId as string)) ??
    stats.find((s) => s.type === 'candidate-pair' && (s.nominated || s.selected) && s.state === 'succeeded');
  if (!pair) throw new Error('no selected candidate pair');
  const local = byId.get(pair.localCandidateId as string);
  const remote = byId.get(pair.remoteCandidateId as string);
  if (!local || !remote) throw new Error('selected pair without its candidates');
  return { local: pairEnd(local), remote: pairEnd(remote) };
}

function pairEnd(stats: Record<string, unknown>): PairEnd {
  const text = (key: string) => (typeof stats[key] === 'string' ? { [key]: stats[key] as string } : {});
  const address = stats.address ?? stats.ip;
  return {
    candidateType: String(stats.candidateType),
    ...text('protocol'),
    ...text('relayProtocol'),
    ...text('url'),
    ...(typeof address === 'string' ? { address } : {}),
  };
}
