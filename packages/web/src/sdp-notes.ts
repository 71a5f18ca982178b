/** One line of an SDP text, with a short note when it is one a learner should notice. */
export interface SdpLine {
  readonly text: string;
  readonly note?: string;
}

/** The session part of an SDP, or one of its media sections (RFC 8866 §5). */
export interface SdpSection {
  readonly title: string;
  /** The `m=application … webrtc-datachannel` section: the one this page is about. */
  readonly dataChannel: boolean;
  readonly lines: readonly SdpLine[];
}

const NOTES: ReadonlyArray<readonly [prefix: string, note: string]> = [
  ['v=', 'SDP version, always 0'],
  ['o=', 'origin: a session id and a version that grows with every renegotiation'],
  ['a=group:BUNDLE', 'every section listed shares one transport (one set of candidates)'],
  ['a=extmap-allow-mixed', 'media header extension support; irrelevant to data channels'],
  ['a=msid-semantic', 'how media streams are named; irrelevant to data channels'],
  ['m=application', 'the data-channel section: SCTP, carried in DTLS, over UDP'],
  ['m=audio', 'an audio section'],
  ['m=video', 'a video section'],
  ['c=', 'connection address; ICE candidates replace it, so it is often 0.0.0.0'],
  ['a=candidate:', 'a candidate included in the description instead of trickled'],
  ['a=end-of-candidates', 'no more candidates will follow for this section'],
  ['a=ice-ufrag:', 'ICE username fragment: names this side in connectivity checks'],
  ['a=ice-pwd:', 'ICE password: signs this side’s connectivity checks'],
  ['a=ice-options:trickle', 'candidates will arrive separately, as they are found'],
  ['a=fingerprint:', 'hash of this side’s DTLS certificate: the other side checks it during the handshake'],
  ['a=setup:', 'DTLS role: actpass = either, active = starts the handshake, passive = waits'],
  ['a=mid:', 'this section’s id; candidates name it in sdpMid'],
  ['a=sctp-port:', 'SCTP port of the data-channel association'],
  ['a=max-message-size:', 'largest message this side accepts on a data channel, in bytes'],
];

function noteFor(line: string): string | undefined {
  return NOTES.find(([prefix]) => line.startsWith(prefix))?.[1];
}

/**
 * Splits an SDP text into its session part and media sections and annotates the lines that matter
 * to a data channel.
 *
 * @example
 * ```ts
 * annotateSdp(offer.sdp).find((s) => s.dataChannel)?.lines.length;
 * ```
 */
export function annotateSdp(sdp: string): SdpSection[] {
  const sections: Array<{ title: string; dataChannel: boolean; lines: SdpLine[] }> = [];
  let current = { title: 'Session', dataChannel: false, lines: [] as SdpLine[] };
  sections.push(current);
  for (const text of sdp.split(/\r?\n/)) {
    if (text === '') continue;
    if (text.startsWith('m=')) {
      const dataChannel = text.startsWith('m=application') && text.includes('webrtc-datachannel');
      current = { title: dataChannel ? 'Data channel' : `Media (${text.slice(2).split(' ')[0]})`, dataChannel, lines: [] };
      sections.push(current);
    }
    const note = noteFor(text);
    current.lines.push(note === undefined ? { text } : { text, note });
  }
  return sections;
}
