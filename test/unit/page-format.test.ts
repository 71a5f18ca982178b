import { describe, expect, it } from 'vitest';
import { counted } from '../../packages/web/src/format.js';

// The page's file batches read "⬇ 1 file, 3.0 MiB" and "1 of 1 file", not "1 files".
describe('counted: a count and its noun as the page shows them', () => {
  it('is singular for one and plural otherwise', () => {
    expect(counted(1, 'file')).toBe('1 file');
    expect(counted(0, 'file')).toBe('0 files');
    expect(counted(3, 'file')).toBe('3 files');
  });
});
