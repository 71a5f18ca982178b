import { RTCPeerConnection as DataChannelPeerConnection } from 'node-datachannel/polyfill';
import { bridge } from './bridge.js';
import { log } from './log.js';
import type { Payload, SignalLeg } from './signal-leg.js';

type Description = Extract<Payload, { kind: 'description' }>;
type Candidate = Extract<Payload, { kind: 'candidate' }>;

/**
 * A negotiated data channel that neither side announces (no DCEP open, RFC 8832 §4): libdatachannel
 * makes no offer without a channel, and the offer to the second peer must go out before the first
 * peer's channels arrive (with a link secret, the first peer refuses the man in the middle's answer
 * and never opens one, and the second peer must still see the forged offer to detect it). A high id, so
 * that it never meets a channel either peer opens.
 */
const SILENT_CHANNEL_ID = 1023;

/** One side of a swapped pair: the man in the middle's own peer connection to one client. */
class Side {
  readonly pc: RTCPeerConnection;
  private remoteSet = false;
  private readonly pendingCandidates: RTCIceCandidateInit[] = [];
  /** The offering side holds its own candidates until the answer is in (see `SwapPair`). */
  private held: Payload[] | null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly leg: SignalLeg,
    iceServers: RTCIceServer[],
    private readonly gen: number,
    offering: boolean,
  ) {
    this.pc = new (DataChannelPeerConnection as unknown as typeof RTCPeerConnection)({ iceServers });
    this.held = offering ? [] : null;
    this.pc.addEventListener('icecandidate', (event) => {
      const candidate = (event as RTCPeerConnectionIceEvent).candidate;
      if (candidate?.candidate) this.out({ kind: 'candidate', candidate: { candidate: candidate.candidate, sdpMid: candidate.sdpMid } });
    });
    this.pc.addEventListener('icegatheringstatechange', () => {
      if (this.pc.iceGatheringState === 'complete') this.out({ kind: 'end-of-candidates' });
    });
    this.pc.addEventListener('connectionstatechange', () => log({ pc: this.pc.connectionState, peer: leg.self, as: leg.as }));
  }

  /** Sends to this side's client, tagged with the pair's generation as the client tags its own. */
  out(data: Payload): void {
    const tagged = (this.gen > 0 ? { ...data, gen: this.gen } : data) as Payload;
    if (this.held && data.kind !== 'description') this.held.push(tagged);
    else this.leg.send(tagged);
  }

  /** Runs negotiation steps one at a time, as the client does; a failure is logged, not thrown. */
  step(what: string, run: () => Promise<void>): void {
    this.chain = this.chain.then(run).catch((error: unknown) => log({ error: `${what}: ${String(error)}`, peer: this.leg.self }));
  }

  async describe(description: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(description);
    this.remoteSet = true;
    const held = this.held;
    this.held = null;
    for (const data of held ?? []) this.leg.send(data);
    for (const candidate of this.pendingCandidates.splice(0)) await this.addCandidate(candidate);
  }

  async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteSet) this.pendingCandidates.push(candidate);
    else await this.pc.addIceCandidate(candidate);
  }
}

/**
 * The man in the middle between two clients, for one generation of their peer connection: when one
 * (`answering`) offers, it answers that one with its own peer connection, and offers the other
 * (`offering`) with a second one, as if from the first; each client's candidates go to the peer
 * connection facing it and its own come back; every data channel either client opens is bridged to
 * the other (see `bridge.ts`). The two clients each end a DTLS session with it, and it reads everything.
 */
export class SwapPair {
  private readonly answering: Side;
  private offering: Side | null = null;
  private readonly offeringPc: Promise<RTCPeerConnection>;
  private closed = false;

  constructor(
    answeringLeg: SignalLeg,
    answeringIce: RTCIceServer[],
    offeringLeg: Promise<{ leg: SignalLeg; iceServers: RTCIceServer[] }>,
    readonly gen: number,
    offer: Description,
  ) {
    const answering = new Side(answeringLeg, answeringIce, gen, false);
    this.answering = answering;
    this.offeringPc = offeringLeg.then(({ leg, iceServers }) => this.offer(leg, iceServers, offer.proof));
    answering.pc.addEventListener('datachannel', (event) =>
      bridge((event as RTCDataChannelEvent).channel, this.offeringPc, answeringLeg.self, answeringLeg.as),
    );
    // The answer goes at once, without the other client's proof: that client, holding a link secret,
    // refuses the forged offer and never answers, and this one must still learn it was tampered with.
    // A proof could only be copied, over the other client's own fingerprint, and would fail the same way.
    answering.step('answer', async () => {
      await answering.describe(offer.description);
      const answer = await answering.pc.createAnswer();
      await answering.pc.setLocalDescription(answer);
      answering.out({ kind: 'description', description: { type: 'answer', sdp: answer.sdp ?? '' } });
      log({ swapped: 'answer', to: answeringLeg.self, as: answeringLeg.as, fingerprint: fingerprint(answer.sdp) });
    });
  }

  /** A description or candidate a client sent the peer it thinks it talks to. */
  signal(leg: SignalLeg, data: Payload): void {
    const side = this.answering.leg === leg ? this.answering : this.offering?.leg === leg ? this.offering : null;
    if (!side || this.closed) return;
    if (data.kind === 'description' && data.description.type === 'answer' && side === this.offering) {
      side.step('apply answer', () => side.describe(data.description));
      log({ took: 'answer', from: leg.self, proof: data.proof !== undefined });
    } else if (data.kind === 'candidate') {
      const { candidate } = data as Candidate;
      side.step('candidate', () => side.addCandidate(candidate as RTCIceCandidateInit));
    } else if (data.kind === 'description') {
      log({ ignored: data.description.type, from: leg.self });
    }
  }

  /** Closes both peer connections (and so every bridged channel). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.answering.pc.close();
    this.offering?.pc.close();
    void this.offeringPc.then((pc) => pc.close());
  }

  /** The forged offer to the second client, carrying the first client's proof as it came (it cannot be forged). */
  private async offer(leg: SignalLeg, iceServers: RTCIceServer[], proof: string | undefined): Promise<RTCPeerConnection> {
    const side = new Side(leg, iceServers, this.gen, true);
    this.offering = side;
    if (this.closed) {
      side.pc.close();
      return side.pc;
    }
    side.pc.addEventListener('datachannel', (event) =>
      bridge((event as RTCDataChannelEvent).channel, Promise.resolve(this.answering.pc), leg.self, leg.as),
    );
    side.pc.createDataChannel('mitm', { negotiated: true, id: SILENT_CHANNEL_ID });
    const offer = await side.pc.createOffer();
    // libdatachannel set its offer by itself when the channel was made (see remote-peer.ts).
    if (side.pc.signalingState !== 'have-local-offer') await side.pc.setLocalDescription(offer);
    side.out({ kind: 'description', description: { type: 'offer', sdp: offer.sdp ?? '' }, ...(proof === undefined ? {} : { proof }) });
    log({ swapped: 'offer', to: leg.self, as: leg.as, proof: proof !== undefined, fingerprint: fingerprint(offer.sdp) });
    return side.pc;
  }
}

/** The certificate fingerprint an SDP names (`sha-256 AB:CD:…`), for the log: what the client's safety number shows. */
function fingerprint(sdp: string | undefined): string | undefined {
  return /^a=fingerprint:(\S+) (\S+)/m
    .exec(sdp ?? '')
    ?.slice(1)
    .join(' ');
}
