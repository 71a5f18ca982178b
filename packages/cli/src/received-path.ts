import { UNSAFE_CHARACTERS } from './printable.js';
import { safeFileName } from './received-file.js';

/** Folders deeper than this are flattened into the last one: a path from a peer cannot make a maze. */
const MAX_DEPTH = 32;

/** Where a received file goes under the receiving folder: its folders, then its own name. */
export interface ReceivedPath {
  /** Folder names, outermost first, each a plain name (no separator, no `.` or `..`). */
  readonly folders: readonly string[];
  /** The file's name, as {@link safeFileName} makes it. */
  readonly name: string;
}

/**
 * The place under the receiving folder of a file a peer sent as part of a folder (`path`, '/'-separated,
 * the name last) or alone (`path` absent). The path comes from someone else's machine, or from someone
 * hostile, so it is reduced to folder names that cannot leave the receiving folder: either separator
 * splits (a Windows path arrives with `\`), empty, `.` and `..` components are dropped (so `/etc/x` is
 * `etc/x` and `../../x` is `x`), control and bidirectional formatting characters become `_` as in file
 * names, each name is cut as {@link safeFileName} cuts, and at most {@link MAX_DEPTH} folders are kept.
 *
 * @example
 * ```ts
 * receivedPath('passwd', '../../etc/passwd'); // { folders: ['etc'], name: 'passwd' }
 * ```
 */
export function receivedPath(name: string, path?: string): ReceivedPath {
  if (path === undefined) return { folders: [], name: safeFileName(name) };
  const parts = path.split(/[/\\]/);
  parts.pop(); // the file's own name: the head's `name` says it too, and is what the file is saved as
  const folders = parts
    .map((part) => part.replace(UNSAFE_CHARACTERS, '_').trim())
    .filter((part) => part !== '' && !/^\.+$/.test(part))
    .map((part) => safeFileName(part))
    .slice(0, MAX_DEPTH);
  return { folders, name: safeFileName(name) };
}
