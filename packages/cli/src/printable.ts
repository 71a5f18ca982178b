/**
 * Characters a terminal acts on instead of showing: the C0 controls (ESC starts the sequences that
 * recolour text, move the cursor, set the window title or, on some terminals, write to the clipboard),
 * DEL, the C1 controls (U+009B is a one-character CSI on many terminals), and the bidirectional
 * formatting characters that reorder what is shown (Trojan Source, CVE-2021-42574: U+202A–U+202E,
 * U+2066–U+2069, and the marks U+200E, U+200F, U+061C).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
export const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text another peer chose (a chat message, a display name, a file name, a reason), made safe to print
 * on a terminal: each character a terminal would act on is written as a visible escape, `\x1b` for the
 * C0 and C1 controls and DEL, `\u202e` for the bidirectional ones. Everything else is left as it is.
 *
 * @example
 * ```ts
 * printable('hi \u001b[31mRED\u001b[0m'); // 'hi \\x1b[31mRED\\x1b[0m'
 * ```
 */
export function printable(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
