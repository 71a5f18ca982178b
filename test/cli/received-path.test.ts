import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receivedPath } from '../../packages/cli/src/received-path.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('receivedPath: where a file of a folder from a peer lands', () => {
  it.each([
    ['a.jpg', undefined, [], 'a.jpg'],
    ['a.jpg', 'photos/2024/a.jpg', ['photos', '2024'], 'a.jpg'],
    ['passwd', '../../etc/passwd', ['etc'], 'passwd'],
    ['x', '/abs/olute/x', ['abs', 'olute'], 'x'],
    ['d.txt', '..\\..\\win\\d.txt', ['win'], 'd.txt'],
    ['e', 'a/./b//c/../e', ['a', 'b', 'c'], 'e'],
    ['f', 'bell\u0007/rlo\u202e/f', ['bell_', 'rlo_'], 'f'],
    ['..', '../..', [], 'file'],
  ])('%j at %j goes to %j / %j', (name, path, folders, saved) => {
    expect(receivedPath(name, path)).toEqual({ folders, name: saved });
  });

  it('keeps every path a peer can send inside the receiving folder, in plain names', () => {
    const root = resolve('/srv/inbox');
    const piece = fc.oneof(fc.constantFrom('..', '.', '', '/', '\\', '\u0000', '\u202e', 'C:', '~'), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.string({ maxLength: 40 }), (pieces, name) => {
        const { folders, name: saved } = receivedPath(name, pieces.join('/'));
        expect(folders.length).toBeLessThanOrEqual(32);
        for (const part of [...folders, saved]) {
          expect(part).not.toMatch(/[/\\]/);
          expect(part).not.toMatch(UNSAFE);
          expect(part).not.toMatch(/^\.*$/);
          expect(Buffer.byteLength(part)).toBeLessThanOrEqual(240);
        }
        expect(join(root, ...folders, saved).startsWith(root + sep)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
