import { codeRoom, createCode, createInvite, fragmentInvite, isCode, readInvite } from '@icebreaker/client/pairing';

/**
 * How this tab meets its peer: by an invite link (a room and the link's secret; `link` is set on the
 * side that made it, to show it again), by a short code (no secret: the users compare safety
 * numbers; `typed` on the side that joined with it), or neither (a plain room from the address).
 */
export type Pairing =
  | { readonly kind: 'link'; readonly room: string; readonly secret: string; readonly link?: string }
  | { readonly kind: 'code'; readonly room: string; readonly code: string; readonly typed?: boolean };

/** The result of reading the address at load: the pairing, or a link that was not one. */
export type PairingRead = { readonly pairing: Pairing | null; readonly problem?: string };

/**
 * Where the pairing lives between reloads: the tab's session-history entry (`history.state`). It is
 * never in the address (which the server, the history list and a shared screen see), never sent
 * anywhere, and it goes with the tab.
 */
const STATE_KEY = 'icebreakerPairing';

/**
 * Reads how this tab was opened, and takes the link's secret out of the address bar. Call it first
 * thing at load, before any request or log: `history.replaceState` drops the fragment, so the secret
 * is never in the address bar after load, in the history list, or in a Referer.
 */
export function takePairing(): PairingRead {
  const hash = location.hash;
  if (hash.length > 1) {
    // The fragment goes whatever it holds: a damaged link still carries (part of) a secret.
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    let found: { room: string; secret: string } | null = null;
    try {
      found = fragmentInvite(hash);
    } catch {
      found = null;
    }
    if (found) {
      const pairing: Pairing = { kind: 'link', room: found.room, secret: found.secret };
      remember(pairing);
      return { pairing };
    }
    if (/(^#|&)key=/.test(hash)) {
      return { pairing: null, problem: 'This invite link is damaged (its room or key is not readable): ask for a new one.' };
    }
  }
  return { pairing: recall() };
}

/** Starts a new room for an invite link: this tab joins it with the secret, and shows the link. */
export function pairByLink(): void {
  const invite = createInvite(`${location.origin}${location.pathname}`);
  restartAs({ kind: 'link', room: invite.room, secret: invite.secret, link: invite.link });
}

/** Starts a new room for a short code this tab makes. */
export function pairByNewCode(): void {
  const code = createCode();
  restartAs({ kind: 'code', room: codeRoom(code), code });
}

/**
 * Joins the room a typed code stands for. Throws `TypeError` (with a message for the user) for
 * text that is not a code.
 */
export function pairByTypedCode(text: string): void {
  const typed = text.trim();
  // A whole invite link pasted here joins as the link would (its secret never shown back).
  if (/^https?:\/\//i.test(typed) && typed.includes('#')) {
    const { room, secret } = readInvite(typed);
    restartAs({ kind: 'link', room, secret });
    return;
  }
  const code = typed.toLowerCase();
  if (!isCode(code)) {
    // Repeated only when it is short and has no '#': anything longer may be (part of) a link's key.
    const shown = typed.length <= 40 && !typed.includes('#') ? `"${typed}" is not a code` : 'That is not a code';
    throw new TypeError(`${shown}: a code is a number and two words, like ${createCode()}.`);
  }
  const room = codeRoom(code);
  // Shown back as the maker's page shows it ("7 Tiger  hurricane" typed reads as 7-tiger-hurricane).
  restartAs({ kind: 'code', room, code: room.slice('c-'.length), typed: true });
}

/** Leaves this room for the pairing's: the page starts again in automatic mode, which runs the library. */
function restartAs(pairing: Pairing): void {
  history.replaceState({ [STATE_KEY]: pairing }, '', `${location.pathname}?${new URLSearchParams({ room: pairing.room, mode: 'auto' })}`);
  location.reload();
}

function remember(pairing: Pairing): void {
  history.replaceState({ [STATE_KEY]: pairing }, '', `${location.pathname}${location.search}`);
}

function recall(): Pairing | null {
  const state: unknown = history.state;
  if (typeof state !== 'object' || state === null || !(STATE_KEY in state)) return null;
  const pairing = (state as Record<string, unknown>)[STATE_KEY] as Pairing;
  return pairing.kind === 'link' || pairing.kind === 'code' ? pairing : null;
}
