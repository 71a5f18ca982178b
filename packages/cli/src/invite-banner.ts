import { renderUnicodeCompact } from 'uqr';

/** What the sending side made for its user to pass on: a link (with its secret) or a short code. */
export type Invitation = { readonly link: string } | { readonly code: string };

/**
 * The lines `icebreaker peer` prints on stderr for an invitation it made. A link: the link, its QR
 * code (to open it with a phone's camera) and the command that receives with it. A code: the command
 * to type on the other side (or the page to type it into), and the reminder that a code carries no secret, so the safety numbers
 * are how the two sides know nobody sits between them.
 *
 * The link holds the secret in its fragment: this is the one place the CLI prints it.
 *
 * @example
 * ```ts
 * process.stderr.write(inviteBanner({ code: '7-tiger-hurricane' }, 'http://127.0.0.1:8080/'));
 * ```
 */
export function inviteBanner(made: Invitation, page: string): string {
  if ('code' in made)
    return (
      `code ${made.code}: on the other side run\n` +
      `  icebreaker peer ${page} --receive ${made.code}\n` +
      `or open ${page} in a browser and type the code under "Join with code"\n` +
      'a code carries no secret: compare the safety numbers both sides print once connected\n'
    );
  // White modules as full blocks and a two-module margin: terminals are mostly light text on dark,
  // and a camera needs the light quiet zone around the code (ISO/IEC 18004 asks for four; two reads).
  const qr = renderUnicodeCompact(made.link, { border: 2 });
  return (
    `open this link on the other device (the part after # never reaches the server):\n  ${made.link}\n` +
    `${qr}\n` +
    `or run: icebreaker peer --receive '${made.link}'\n` +
    '  (or run icebreaker peer --receive - and paste the link: a command line is readable by every user of the machine)\n'
  );
}
