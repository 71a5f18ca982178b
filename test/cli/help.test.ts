import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'dist', 'main.js');

// Found by an outsider: `peer --help` wrote a raw ESC and a right-to-left override to the terminal,
// in the sentence promising that such characters are escaped.
describe('--help', () => {
  it.each([['serve'], ['peer'], ['token'], []])('of icebreaker %s writes only printable text and line breaks', async (...command) => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...command.filter(Boolean), '--help']);
    expect(stdout.length).toBeGreaterThan(100);
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });
});
