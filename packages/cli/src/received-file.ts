import { openSync } from 'node:fs';
import { extname, join } from 'node:path';
import { MANIFEST_SUFFIX, PART_SUFFIX } from './partial-manifest.js';
import { UNSAFE_CHARACTERS } from './printable.js';

/** Most file systems take names of up to 255 bytes; this leaves room for " (123)". */
const MAX_NAME_BYTES = 240;

/**
 * The name a received file is saved under: the last path component of the sender's name (either
 * separator: the name comes from another system, or from someone hostile, so `../../etc/passwd`
 * is `passwd`), control and bidirectional formatting characters as `_` (a right-to-left override
 * makes `exe.pdf` look like `fdp.exe`), `file` for a name of dots or nothing, cut to
 * {@link MAX_NAME_BYTES} bytes keeping the extension, and `_` after a name that ends like the
 * receiver's own partial files (`.icebreaker-part`, `.icebreaker-manifest`, and its `.tmp`): the
 * next receiver in the folder would take such a file for a partial, and delete it as unreadable.
 */
export function safeFileName(name: string): string {
  let safe = (name.split(/[/\\]/).pop() ?? '').replace(UNSAFE_CHARACTERS, '_');
  if (/^\.*$/.test(safe)) safe = 'file';
  const ext = extname(safe).length <= 16 ? extname(safe) : '';
  let stem = [...safe.slice(0, safe.length - ext.length)];
  while (stem.length > 1 && Buffer.byteLength(stem.join('') + ext) > MAX_NAME_BYTES) stem = stem.slice(0, -1);
  const cut = stem.join('') + ext;
  // Any case: on a case-insensitive disk (macOS, Windows) `X.ICEBREAKER-PART` is the same file.
  return RESERVED_ENDINGS.some((ending) => cut.toLowerCase().endsWith(ending)) ? `${cut}_` : cut;
}

/** Name endings the disk store keeps for itself (see `disk-store.ts`). */
const RESERVED_ENDINGS = [PART_SUFFIX, MANIFEST_SUFFIX, `${MANIFEST_SUFFIX}.tmp`];

/**
 * Creates the file a transfer is saved into: `dir/<safe name>`, or, when that name is taken,
 * "a (1).txt", "a (2).txt", … — never over an existing file. Created here with O_EXCL (`wx`), so two
 * files of one name arriving at once cannot both pick the same path. Synchronous because a sink must
 * be given in the turn of the `transfer` event.
 */
export function createFree(dir: string, name: string): { path: string; fd: number } {
  const safe = safeFileName(name);
  const ext = extname(safe);
  const stem = safe.slice(0, safe.length - ext.length);
  for (let n = 0; n < 10_000; n++) {
    const path = join(dir, n === 0 ? safe : `${stem} (${n})${ext}`);
    try {
      return { path, fd: openSync(path, 'wx') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`every name like ${safe} is taken in ${dir}`);
}
