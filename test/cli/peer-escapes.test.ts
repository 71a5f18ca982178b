import type { Session } from '@icebreaker/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';
import { cli, killPeers, waitFor } from './peer-process.js';

/** What a terminal would act on rather than show; only the newline of each printed line may remain. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('icebreaker peer prints what other peers chose without letting it drive the terminal', () => {
  let h: Harness;
  const sessions: Session[] = [];
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    killPeers();
    for (const s of sessions.splice(0)) s.close();
    await h.close();
  });

  it('escapes control and bidirectional characters in chat text and offered file names, and names the peer', async () => {
    const terminal = cli([h.server.url, '--room', 'escapes']);
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    // A real peer whose messages and file names carry escape sequences: a colour, a window title
    // (OSC 0), a one-byte CSI (U+009B), a right-to-left override, a tab and a DEL. (The server refuses
    // such display names; the terminal escapes names all the same, for servers that do not.)
    const hostile = await nodePeer(h.server.signalingUrl, 'escapes', { name: 'Mallory 🦊' });
    sessions.push(hostile);
    const remote = await openPeer(hostile);
    const name = '"Mallory 🦊"';

    await remote.send('hi \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 \u009b2J \u202egnp.exe\u2066 tab\there del\u007f');
    await waitFor(terminal.stdout, /del/, terminal.child);
    expect(terminal.stdout()).toBe(
      `${hostile.id}: ${String.raw`hi \x1b[31mRED\x1b[0m \x1b]0;pwned\x07 \x9b2J \u202egnp.exe\u2066 tab\x09here del\x7f`}\n`,
    );

    await waitFor(terminal.stderr, /connected to/, terminal.child);
    expect(terminal.stderr()).toContain(`connected to ${hostile.id} ${name}`);

    const refused = remote.sendFile(new Blob(['x']), { name: 'invoice\u202efdp.exe\u001b[2J' }).done;
    await expect(refused).rejects.toThrow();
    await waitFor(terminal.stderr, /refused, no --receive folder/, terminal.child);
    expect(terminal.stderr()).toContain(`${hostile.id} ${name} offered "${String.raw`invoice\u202efdp.exe\x1b[2J`}": refused`);

    hostile.close();
    await waitFor(terminal.stderr, / left\n/, terminal.child);
    expect(terminal.stderr()).toContain(`${hostile.id} ${name} left`);
    terminal.child.stdin?.end();
    expect(await terminal.exit).toBe(0);
    expect(terminal.stdout()).not.toMatch(TERMINAL_CONTROLS);
    expect(terminal.stderr()).not.toMatch(TERMINAL_CONTROLS);
  });
});
