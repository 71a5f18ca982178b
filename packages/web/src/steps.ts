/** Who performs a step: one of the two peers, the signaling server, or both at once. */
export type Actor = 'caller' | 'callee' | 'server' | 'both';

/** One step of the connection, numbered as in the seed's step list (docs: webrtc-connection-steps). */
export interface Step {
  readonly n: number;
  readonly stage: number;
  readonly actor: Actor;
  readonly title: string;
  /** One or two sentences in our own words. */
  readonly explain: string;
  /** The button's label when the learner performs the step; events have none. */
  readonly action?: string;
}

export const STAGES: ReadonlyArray<{ readonly n: number; readonly title: string }> = [
  { n: 1, title: 'PEER1 prepares an offer' },
  { n: 2, title: 'The server carries the offer' },
  { n: 3, title: 'PEER2 answers' },
  { n: 4, title: 'The server carries the answer' },
  { n: 5, title: 'PEER1 completes the exchange' },
  { n: 6, title: 'Connected' },
  { n: 7, title: 'Who is on the other end?' },
];

export const STEPS: readonly Step[] = [
  {
    n: 1,
    stage: 1,
    actor: 'caller',
    title: 'Choose ICE servers',
    explain:
      'A STUN server tells a browser which public address the internet sees for it; a TURN server relays traffic when no direct path works. Every route a browser discovers this way is an ICE candidate.',
    action: 'Use these ICE servers',
  },
  {
    n: 2,
    stage: 1,
    actor: 'caller',
    title: 'Create the RTCPeerConnection',
    explain:
      'This object runs the whole connection: descriptions, candidates, encryption and channels. Its listeners go on first, so nothing it reports is missed.',
    action: 'new RTCPeerConnection(config)',
  },
  {
    n: 3,
    stage: 1,
    actor: 'caller',
    title: 'Decide what to exchange',
    explain:
      'A video call would add tracks from getUserMedia(). We exchange text and files, so PEER1 asks for a data channel (named "icebreaker").',
    action: "pc.createDataChannel('icebreaker')",
  },
  {
    n: 4,
    stage: 1,
    actor: 'caller',
    title: 'Attach it to the connection',
    explain:
      'createDataChannel() registers the channel with its connection by itself, so this happened with step 3. Nothing has been gathered or sent yet.',
  },
  {
    n: 5,
    stage: 1,
    actor: 'caller',
    title: 'Create the offer',
    explain:
      'createOffer() writes an SDP text describing what PEER1 proposes: one data-channel section, its ICE credentials and the fingerprint of its encryption certificate. Its type is "offer".',
    action: 'pc.createOffer()',
  },
  {
    n: 6,
    stage: 1,
    actor: 'caller',
    title: 'Make it the local description',
    explain: 'Until setLocalDescription() takes it, the offer is just text. Taking it commits PEER1 to the offer and starts ICE gathering.',
    action: 'pc.setLocalDescription(offer)',
  },
  {
    n: 7,
    stage: 1,
    actor: 'caller',
    title: 'Gather ICE candidates',
    explain:
      'The browser now finds its routes (network interfaces, STUN answers, TURN relays) and reports each one in an icecandidate event, one at a time.',
  },
  {
    n: 8,
    stage: 1,
    actor: 'caller',
    title: 'Send the offer',
    explain:
      'The offer goes over the WebSocket to the signaling server, which tags it with PEER1’s id. If PEER2 has not arrived yet, the server keeps it for them.',
    action: 'Send offer',
  },
  {
    n: 9,
    stage: 1,
    actor: 'caller',
    title: 'Send the candidates',
    explain:
      'Real applications send each candidate the moment it appears ("trickle ICE"). In step-by-step mode they wait in the list until step 25, so each half of the exchange stays visible.',
  },
  {
    n: 10,
    stage: 2,
    actor: 'server',
    title: 'The server forwards the offer',
    explain: 'As soon as PEER2 is in the room, the server pushes the offer to them, stamped with PEER1’s id.',
  },
  {
    n: 11,
    stage: 3,
    actor: 'callee',
    title: 'PEER2 opens the page',
    explain: 'PEER2 connects its own WebSocket and joins the same room, so the server knows where to deliver.',
  },
  { n: 12, stage: 3, actor: 'callee', title: 'PEER2 receives the offer', explain: 'The offer arrives as a signal message from PEER1.' },
  {
    n: 13,
    stage: 3,
    actor: 'callee',
    title: 'Choose ICE servers',
    explain: 'PEER2 needs routes of its own, so it configures its own STUN and TURN servers.',
    action: 'Use these ICE servers',
  },
  {
    n: 14,
    stage: 3,
    actor: 'callee',
    title: 'Create the RTCPeerConnection',
    explain: 'PEER2’s own connection object, with the same listeners as PEER1’s.',
    action: 'new RTCPeerConnection(config)',
  },
  {
    n: 15,
    stage: 3,
    actor: 'callee',
    title: 'Decide what to exchange',
    explain: 'Each side chooses what it sends. PEER2 adds no media: it will talk over the channel PEER1 opens.',
  },
  {
    n: 16,
    stage: 3,
    actor: 'callee',
    title: 'Listen for the data channel',
    explain: 'A channel opened by the other side arrives in a datachannel event, so PEER2 registers that listener.',
    action: 'pc.ondatachannel = …',
  },
  {
    n: 17,
    stage: 3,
    actor: 'callee',
    title: 'Make the offer the remote description',
    explain:
      'setRemoteDescription(offer) tells PEER2’s connection what PEER1 proposed. Without it PEER2 could not know there is a data channel to accept.',
    action: 'pc.setRemoteDescription(offer)',
  },
  {
    n: 18,
    stage: 3,
    actor: 'callee',
    title: 'Create the answer',
    explain:
      'createAnswer() writes PEER2’s reply: what it accepts of the offer, plus its own ICE credentials and certificate fingerprint. Its type is "answer".',
    action: 'pc.createAnswer()',
  },
  {
    n: 19,
    stage: 3,
    actor: 'callee',
    title: 'Make it the local description',
    explain: 'Taking the answer commits PEER2 to it and starts PEER2’s own ICE gathering.',
    action: 'pc.setLocalDescription(answer)',
  },
  {
    n: 20,
    stage: 3,
    actor: 'callee',
    title: 'Gather ICE candidates',
    explain: 'PEER2’s routes appear one by one and are collected in the list below.',
  },
  {
    n: 21,
    stage: 3,
    actor: 'callee',
    title: 'Send the answer',
    explain: 'The answer goes to the server, which relays it to PEER1.',
    action: 'Send answer',
  },
  {
    n: 22,
    stage: 3,
    actor: 'callee',
    title: 'Send the candidates',
    explain: 'PEER2 sends the candidates it has collected; any found later follow as they appear, then an end-of-candidates mark.',
    action: 'Send candidates',
  },
  {
    n: 23,
    stage: 4,
    actor: 'server',
    title: 'The server forwards the answer',
    explain: 'The server pushes PEER2’s answer and candidates to PEER1, stamped with PEER2’s id.',
  },
  {
    n: 24,
    stage: 5,
    actor: 'caller',
    title: 'PEER1 receives the answer and candidates',
    explain: 'A candidate cannot be added before the remote description it belongs to, so candidates that arrive first wait in a buffer.',
  },
  {
    n: 25,
    stage: 5,
    actor: 'caller',
    title: 'Send PEER1’s candidates',
    explain: 'Now PEER1’s held candidates go to PEER2; any found later follow as they appear, then an end-of-candidates mark.',
    action: 'Send candidates',
  },
  {
    n: 26,
    stage: 5,
    actor: 'caller',
    title: 'Make the answer the remote description',
    explain:
      'setRemoteDescription(answer) completes the offer/answer exchange. The buffered candidates are applied, and ICE tests candidate pairs until one carries traffic.',
    action: 'pc.setRemoteDescription(answer)',
  },
  {
    n: 27,
    stage: 6,
    actor: 'both',
    title: 'The data channel opens',
    explain: 'ICE found a working pair, DTLS encrypted it, and the channel opened on both sides. Say hello!',
  },
  {
    n: 28,
    stage: 7,
    actor: 'both',
    title: 'Check the certificates: the safety number',
    explain:
      'DTLS encrypts the channel with the certificates the two SDPs named, but the SDPs came through the signaling server, which could have put its own in. Both tabs turn the two certificates into one number: if the numbers on both screens are equal, nobody sits in the middle.',
  },
];

/** The step with number `n`; a wrong number is a programming error. */
export function step(n: number): Step {
  const found = STEPS.find((s) => s.n === n);
  if (!found) throw new RangeError(`no step ${n}`);
  return found;
}
