import type { Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/** At most this many files in one `--send`: each is a transfer with its own state in both peers. */
export const SEND_MAX_FILES = 100_000;

/** One file `--send` sends: where it is on disk, and its place in the folder it was sent with. */
export interface FileToSend {
  /** Its path on this machine. */
  readonly file: string;
  /** Its name as the receiver sees it. */
  readonly name: string;
  /** For a file of a folder: the folder's name, the folders inside it, then its name, '/'-separated. */
  readonly path?: string;
  readonly size: number;
}

/** What {@link filesToSend} found: the files, and what it left out (links, devices, sockets) and why. */
export interface SendList {
  readonly files: readonly FileToSend[];
  readonly skipped: readonly string[];
}

/**
 * The files `--send <path>…` names: a file is sent alone (its name only), a folder is sent whole,
 * each file in it with its `path` from the folder's own name down (`photos/2024/a.jpg`, as a browser
 * names the files of a dropped folder), in name order. Links inside a folder are not followed (a link
 * to `/` or to a parent would send the machine, or loop); a link given by name is sent as what it
 * points to, as the user asked for it. Throws a `TypeError` naming `--send` for a path that is not there.
 *
 * @example
 * ```ts
 * const { files } = await filesToSend(['notes.txt', 'photos']);
 * ```
 */
export async function filesToSend(paths: readonly string[]): Promise<SendList> {
  const files: FileToSend[] = [];
  const skipped: string[] = [];
  const add = (file: FileToSend) => {
    if (files.length >= SEND_MAX_FILES) throw new TypeError(`--send: more than ${SEND_MAX_FILES} files; send fewer at a time`);
    files.push(file);
  };
  for (const given of paths) {
    const about = await stat(given).catch(() => null);
    if (about?.isFile()) add({ file: given, name: basename(given), size: about.size });
    else if (about?.isDirectory()) await walk(resolve(given), basename(resolve(given)), add, skipped);
    else throw new TypeError(`--send: no file or folder at ${given}`);
  }
  return { files, skipped };
}

async function walk(dir: string, prefix: string, add: (file: FileToSend) => void, skipped: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    skipped.push(`${dir} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const file = join(dir, entry.name);
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(file, path, add, skipped);
    else if (entry.isFile()) add({ file, name: entry.name, path, size: (await lstat(file)).size });
    else skipped.push(`${file} (${entry.isSymbolicLink() ? 'a link' : 'not a regular file'})`);
  }
}
