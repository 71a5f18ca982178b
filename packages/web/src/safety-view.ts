import type { RemotePeer, SafetyNumber } from '@icebreaker/client';
import { safetyWords } from '@icebreaker/client/pairing';
import type { AutoLesson, TrustWarning } from './auto-lesson.js';
import { byId, el } from './dom.js';
import type { Pairing } from './pairing-address.js';

const CHECKED: Readonly<Record<SafetyNumber['checked'], string>> = {
  pending: 'handshake not done yet',
  handshake: 'certificates checked in the handshake',
  stack: 'certificate checked by the browser’s WebRTC',
  mismatch: 'the handshake used another certificate!',
};

/**
 * Beside the other peer's name (automatic mode, where the library runs): its safety number in digits
 * and words, how far it is checked, whether it proved the invite link, a "Mark verified" button once
 * the users compared the numbers, and a warning that cannot be missed when the link's proof failed
 * (`tampered`) or the handshake used another certificate (`fingerprint-mismatch`).
 */
export function mountSafety(lesson: AutoLesson, pairing: Pairing | null): void {
  const box = byId('safety');
  const warning = byId('trust-warning');
  let shown = '';
  const update = (): void => {
    // A peer that left keeps its number on show: a terminal peer sends and leaves within seconds, and
    // the person here still has to compare what it printed before trusting what arrived.
    const peer = lesson.remote;
    const number = peer?.safetyNumber;
    const signature = JSON.stringify([
      peer?.id,
      lesson.remoteLeft,
      number?.digits,
      number?.checked,
      peer?.verified,
      peer?.verifiedChanged,
      peer?.paired,
      lesson.trustWarning,
    ]);
    if (signature === shown) return;
    shown = signature;
    box.hidden = peer === null;
    box.replaceChildren(...(peer ? renderPeer(peer, lesson, pairing) : []));
    showWarning(warning, lesson.trustWarning);
  };
  lesson.on('change', update);
  update();
}

function renderPeer(peer: RemotePeer, lesson: AutoLesson, pairing: Pairing | null): Array<Node | string> {
  const name = lesson.role === 'caller' ? 'PEER2' : 'PEER1';
  const number = peer.safetyNumber;
  const left = lesson.remoteLeft ? el('span', { class: 'hint', 'data-testid': 'safety-left' }, ' · left: its last number') : '';
  const head = el('span', { class: 'safety-name' }, `${name} (${peer.id})`, left);
  const badge = peer.paired ? el('span', { class: 'badge badge-paired', 'data-testid': 'paired-badge' }, 'paired by link') : '';
  if (lesson.trustWarning?.code === 'tampered' && lesson.trustWarning.peer === peer.id) {
    return [head, el('span', { class: 'checked-mismatch', 'data-testid': 'peer-refused' }, ' · refused: it did not prove the link')];
  }
  if (!number) {
    return [head, badge, el('span', { class: 'hint', 'data-testid': 'safety-pending' }, ' · safety number once both descriptions are in')];
  }
  const verify = el('button', { type: 'button', 'data-testid': 'mark-verified', disabled: peer.verified }, 'Mark verified');
  verify.addEventListener('click', () => peer.markVerified());
  return [
    head,
    badge,
    el(
      'div',
      { class: 'safety-number', 'data-peer': peer.id },
      el('span', { class: 'hint' }, 'Safety number '),
      el('code', { class: 'digits', 'data-testid': 'safety-digits' }, number.digits),
      ' ',
      el('span', { class: 'words', 'data-testid': 'safety-words' }, safetyWords(number).join(' ')),
    ),
    el(
      'div',
      { class: 'safety-state' },
      el(
        'span',
        { class: `checked checked-${number.checked}`, 'data-testid': 'safety-checked', 'data-checked': number.checked },
        CHECKED[number.checked],
      ),
      ' · ',
      el(
        'span',
        {
          class: peer.verified ? 'verified' : peer.verifiedChanged ? 'unverified checked-mismatch' : 'unverified',
          'data-testid': 'verified-state',
          'data-verified': String(peer.verified),
          'data-changed': String(peer.verifiedChanged),
        },
        peer.verified ? 'verified ✓' : peer.verifiedChanged ? 'changed since you verified it: compare again' : 'not verified',
      ),
      ' ',
      verify,
    ),
    peer.paired || pairing?.kind === 'link'
      ? ''
      : el(
          'p',
          { class: 'hint' },
          `Compare these digits with the ones ${name} sees (read them aloud, or side by side). Mark verified only if they are equal: different numbers mean someone is in the middle.`,
        ),
  ];
}

function showWarning(box: HTMLElement, warning: TrustWarning | null): void {
  box.hidden = warning === null;
  if (!warning) {
    box.replaceChildren();
    return;
  }
  box.dataset.code = warning.code;
  box.replaceChildren(
    ...(warning.code === 'tampered'
      ? [
          el('strong', {}, 'Warning: the other side did not prove it holds this invite link’s secret. '),
          'Either the signaling path was tampered with (someone tried to sit between you), or the other side opened another link, or none. ',
          'The connection to it was refused: nothing you send reaches it. Make a new invite and send it another way.',
        ]
      : [
          el('strong', {}, 'Warning: the encrypted handshake used another certificate than the one the other side’s description named. '),
          'Someone may be in the middle of this connection: do not trust it.',
        ]),
    el('span', { class: 'hint' }, ` (${warning.code})`),
  );
}
