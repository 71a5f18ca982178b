import { byId, el } from './dom.js';
import { type Pairing, pairByLink, pairByNewCode, pairByTypedCode } from './pairing-address.js';

/**
 * The "Invite someone" card: make an invite link (shown, with a copy button and a QR image), or a
 * short code instead, or type the code the other side made. `problem` is a link that could not be
 * read. Making a link or a code starts this tab over in the new room.
 */
export function mountInvite(pairing: Pairing | null, problem?: string): void {
  const card = byId('pairing');
  const invite = el('button', { type: 'button', 'data-testid': 'invite-button' }, 'Invite (make a link)');
  invite.addEventListener('click', () => pairByLink());
  const code = el('button', { type: 'button', class: 'secondary', 'data-testid': 'code-button' }, 'Short code instead');
  code.addEventListener('click', () => pairByNewCode());

  const input = el('input', {
    id: 'code-input',
    'data-testid': 'code-input',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: '7-tiger-hurricane',
    maxlength: '64',
  });
  const codeProblem = el('p', { class: 'error', role: 'alert', 'data-testid': 'code-error', hidden: true });
  const form = el(
    'form',
    { class: 'code-form' },
    el('label', { for: 'code-input' }, 'Join with code'),
    input,
    el('button', { type: 'submit', 'data-testid': 'code-join' }, 'Join'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    try {
      pairByTypedCode(input.value);
    } catch (error) {
      codeProblem.hidden = false;
      codeProblem.textContent = (error as Error).message;
    }
  });

  card.replaceChildren(
    el('h2', { id: 'pairing-h' }, 'Invite someone'),
    problem ? el('p', { class: 'error', role: 'alert', 'data-testid': 'link-problem' }, problem) : '',
    ...current(pairing),
    el('div', { class: 'invite-actions' }, invite, code),
    form,
    codeProblem,
  );
}

/** What the card says about the pairing this tab is in. */
function current(pairing: Pairing | null): Node[] {
  if (pairing === null) {
    return [
      el(
        'p',
        { class: 'hint' },
        'An invite link carries a secret after its #, which browsers never send to a server: the two pages prove to each other that they hold it, so a signaling server that tried to sit between them is caught.',
      ),
    ];
  }
  if (pairing.kind === 'code' && pairing.typed) {
    return [
      el('p', {}, 'You joined with the code ', el('strong', { class: 'pair-code', 'data-testid': 'joined-code' }, pairing.code), '.'),
      el(
        'p',
        { class: 'hint' },
        'A code is short enough to type, so it is no secret: once connected, ',
        el('strong', {}, 'compare the safety numbers'),
        ' shown beside the other person’s name (read them aloud, or side by side). Equal numbers mean nobody sits between you.',
      ),
    ];
  }
  if (pairing.kind === 'code') {
    return [
      el('p', {}, 'Your code: ', el('strong', { class: 'pair-code', 'data-testid': 'invite-code' }, pairing.code)),
      el(
        'p',
        { class: 'hint' },
        'The other person types it under "Join with code". A code is short enough to type, so it is no secret: once connected, ',
        el('strong', {}, 'compare the safety numbers'),
        ' shown beside their name (read them aloud, or side by side). Equal numbers mean nobody sits between you.',
      ),
    ];
  }
  if (pairing.link === undefined) {
    return [
      el(
        'p',
        { 'data-testid': 'opened-link' },
        'You opened an invite link. Its secret left the address bar; this page proves it holds it, and checks that the other side does too.',
      ),
    ];
  }
  const link = pairing.link;
  const field = el('input', { id: 'pair-link', 'data-testid': 'invite-link', readonly: true, value: link });
  const copied = el('span', { class: 'hint', 'aria-live': 'polite' });
  const copy = el('button', { type: 'button', 'data-testid': 'copy-link' }, 'Copy');
  copy.addEventListener('click', () => {
    field.select();
    navigator.clipboard.writeText(link).then(
      () => {
        copied.textContent = 'Copied.';
      },
      () => {
        copied.textContent = 'Select the link and copy it (this browser did not let the page copy).';
      },
    );
  });
  const qr = el('img', { class: 'qr', 'data-testid': 'invite-qr', alt: 'QR code of the invite link', width: '180', height: '180' });
  // Only a tab that shows a link loads the QR encoder. An image, not inline SVG: the markup is never
  // parsed into this page.
  void import('uqr').then(({ renderSVG }) => {
    qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(link, { border: 2 }))}`;
  });
  return [
    el('label', { for: 'pair-link' }, 'Send this link to the one person you want to connect with (it works once: two peers per room):'),
    el('div', { class: 'pair-link' }, field, copy, copied),
    qr,
    el(
      'p',
      { class: 'hint' },
      'Everything after # is the room and the secret. Browsers do not send it to any server; this page removes it from the address bar as soon as it opens.',
    ),
  ];
}
