import { el } from './dom.js';
import type { Role, TrustNotes } from './teaching.js';

const NAME = { caller: 'PEER1', callee: 'PEER2' } as const;

/**
 * The teaching step about trust, in four parts: the fingerprint each SDP named, the certificates the
 * handshake used, how the safety number is made from them, and what unequal numbers would mean.
 */
export function renderTrust(notes: TrustNotes, role: Role): Node[] {
  const me = NAME[role];
  const other = NAME[role === 'caller' ? 'callee' : 'caller'];
  const [first, second] = [notes.local, notes.remote].sort();
  return [
    el('h5', {}, '1. The fingerprints in the SDPs'),
    el(
      'p',
      {},
      `Each description carries an a=fingerprint line: the SHA-256 of its side’s DTLS certificate. ${me}’s (this tab’s, in its own ${role === 'caller' ? 'offer' : 'answer'}):`,
    ),
    el('pre', { class: 'fingerprint', 'data-testid': 'trust-local-fingerprint' }, notes.local),
    el('p', {}, `${other}’s, as it arrived through the signaling server:`),
    el('pre', { class: 'fingerprint', 'data-testid': 'trust-remote-fingerprint' }, notes.remote),
    el('h5', {}, '2. The certificates the handshake used'),
    ...handshake(notes, other),
    el('h5', {}, '3. How the safety number is made'),
    el(
      'ol',
      { class: 'trust-recipe' },
      el('li', {}, 'Both tabs put the two fingerprints in sorted order, so both write the same text whoever offered:'),
      el('pre', { class: 'fingerprint' }, `icebreaker safety number v1\n${first}\n${second}`),
      notes.relayed
        ? el('li', {}, 'The relay through the signaling server is in use, so both relay public keys follow, sorted too.')
        : null,
      el('li', {}, 'That text is hashed with SHA-256: any change to any character gives unrelated bytes.'),
      el(
        'li',
        {},
        'The first 20 bytes become four groups of five digits (each five bytes read as one number, modulo 100 000), and words from the PGP word lists for reading aloud: ',
        el('strong', { class: 'digits' }, notes.digits),
        ` (${notes.words.join(' ')}).`,
      ),
    ),
    el('h5', {}, '4. What a mismatch would mean'),
    el(
      'p',
      {},
      `Compare this number with the one on ${other}’s screen. Equal numbers mean both tabs saw the same two certificates, so the channel is encrypted between the two of you and nobody else. `,
      `If they differ, the descriptions were changed on the way: someone in the middle, most likely the signaling server, gave each tab its own certificate and decrypts and re-encrypts everything. `,
      'An invite link catches that by itself: each side proves with the link’s secret that the fingerprint it sent is its own, and the server never sees the secret.',
    ),
  ];
}

function handshake(notes: TrustNotes, other: string): Node[] {
  const used = notes.handshake;
  const rows: Node[] = [];
  if (used?.local !== undefined || used?.remote !== undefined) {
    rows.push(
      el(
        'p',
        {},
        'From getStats() (the transport’s "certificate" stats) or from the DTLS transport itself (getRemoteCertificates(), hashed): the certificates DTLS really used.',
      ),
      el(
        'pre',
        { class: 'fingerprint', 'data-testid': 'trust-handshake' },
        `this tab: ${used.local ?? '—'}\n${other}:   ${used.remote ?? '—'}`,
      ),
    );
  }
  const verdicts: Record<TrustNotes['checked'], string> = {
    pending: 'The handshake has not finished yet.',
    handshake: 'They are the ones the two SDPs named: the handshake used the certificates that were described.',
    stack:
      'Neither getStats() nor the DTLS transport named the peer’s certificate. WebRTC itself refuses a handshake whose certificate does not match the SDP’s fingerprint, so the fingerprints above are the ones in use.',
    mismatch: 'They are NOT the ones the SDPs named: the connection is not the one that was described.',
  };
  rows.push(el('p', { class: notes.checked === 'mismatch' ? 'error' : '', 'data-testid': 'trust-checked' }, verdicts[notes.checked]));
  return rows;
}
