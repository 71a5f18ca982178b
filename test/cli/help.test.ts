import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/server-process.js';

// Found by an outsider: `peer --help` wrote a raw ESC and a right-to-left override to the terminal,
// in the sentence promising that such characters are escaped.
describe('--help', () => {
  it.each([['serve'], ['peer'], ['token'], ['doctor'], ['transfers'], []])(
    'of icebreaker %s writes only printable text and line breaks',
    async (...command) => {
      const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...command.filter(Boolean), '--help']);
      expect(stdout.length).toBeGreaterThan(100);
      // C0 and C1 controls but the line feed, and the bidirectional marks, overrides and isolates.
      const unsafe = (code: number) =>
        (code < 0x20 && code !== 0x0a) ||
        (code >= 0x7f && code <= 0x9f) ||
        code === 0x200e ||
        code === 0x200f ||
        (code >= 0x202a && code <= 0x202e) ||
        (code >= 0x2066 && code <= 0x2069);
      expect([...stdout].filter((char) => unsafe(char.codePointAt(0) as number))).toEqual([]);
    },
  );
});
