import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printable } from '../../packages/cli/src/printable.js';

/** What a terminal acts on rather than shows: C0, DEL, C1, and the bidirectional formatting characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('printable: text from a peer, as the terminal peer prints it', () => {
  it('writes escape sequences and bidirectional overrides as visible escapes', () => {
    expect(printable('hi \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007')).toBe(String.raw`hi \x1b[31mRED\x1b[0m \x1b]0;pwned\x07`);
    expect(printable('\u009b2J\u007f\u0000\t\r\n')).toBe(String.raw`\x9b2J\x7f\x00\x09\x0d\x0a`);
    expect(printable('abc\u202efdp.exe\u2066\u2069\u200e\u200f\u061c')).toBe(String.raw`abc\u202efdp.exe\u2066\u2069\u200e\u200f\u061c`);
  });

  it('leaves every other character as it is: accents, CJK, emoji, joiners', () => {
    const plain = 'Ada Lovelace · 日本語 · 👩‍💻 · \u00a0non-breaking · ←→';
    expect(printable(plain)).toBe(plain);
  });

  it('never lets a control or bidirectional character through, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const shown = printable(text);
        expect(shown).not.toMatch(TERMINAL_CONTROLS);
        if (!TERMINAL_CONTROLS.test(text)) expect(shown).toBe(text);
      }),
    );
  });
});
