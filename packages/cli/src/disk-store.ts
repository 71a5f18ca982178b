import { type Dirent, realpathSync } from 'node:fs';
import { mkdir, open, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { PartialTransfer, TransferStore } from '@icebreaker/client';
import { chunkCount, IcebreakerError, isIcebreakerError, type TransferInfo } from '@icebreaker/protocol';
import { DiskSink, type PartialFiles } from './disk-sink.js';
import { decodeManifest, encodeManifestHead, MANIFEST_MAX_BYTES, MANIFEST_SUFFIX, PART_SUFFIX } from './partial-manifest.js';
import { receivedPath } from './received-path.js';

/** Partials not written to for this long are dropped: 7 days. */
export const DISK_STORE_MAX_AGE_MS = 7 * 86_400_000;

/** All partials of a folder together are kept under this many bytes, the oldest dropped first: 64 GiB. */
export const DISK_STORE_MAX_BYTES = 64 * 1024 ** 3;

/**
 * A partial being received is taken over by a new transfer of the same file (a sender that restarted,
 * a tab reloaded and the file picked again) only when no chunk reached it for this long: two files of
 * one name and size arriving at once each keep their own.
 */
const TAKEOVER_QUIET_MS = 1000;

/** Folders below the receiving folder that are searched for partials (a sent folder's depth, and one). */
const MAX_SCAN_DEPTH = 33;

/** A partial's name is cut to this many bytes, leaving room for " (12)" and the suffix in 255. */
const PARTIAL_NAME_BYTES = 200;

/** Options of {@link diskStore}. */
export interface DiskStoreOptions {
  /** Partials not written to for this long are dropped (ms; default {@link DISK_STORE_MAX_AGE_MS}). */
  readonly maxAgeMs?: number;
  /**
   * Bytes all partials of the folder may take together (default {@link DISK_STORE_MAX_BYTES}): beyond,
   * those not being received are dropped, the least recently written first. A file being received is
   * never dropped, so one file larger than the bound is still received whole.
   */
  readonly maxBytes?: number;
  /** A file is complete, and saved at `path`. */
  readonly onSaved?: (info: TransferInfo, path: string) => void;
  /** A partial was dropped: past its age or the bytes bound, or its manifest could not be read (`error`). */
  readonly onDropped?: (dropped: DroppedPartial) => void;
  /** The clock, for tests of the age bound. */
  readonly now?: () => number;
}

/** A partial the store removed, and why. */
export interface DroppedPartial {
  /** Its manifest's path. */
  readonly manifest: string;
  readonly reason: 'expired' | 'over-bytes' | 'unreadable';
  /** For an unreadable manifest, what is wrong with it (code `transfer-failed`). */
  readonly error?: IcebreakerError;
}

/** A partial on disk, as {@link DiskStore.list} gives it. */
export interface DiskPartial extends PartialTransfer {
  /** Where its manifest is; the part file is beside it. */
  readonly manifest: string;
  /** Where it will be saved, relative to the store's folder (before any " (1)" a taken name gets). */
  readonly target: string;
  /** Whether a transfer is writing to it now. */
  readonly active: boolean;
}

/** A {@link TransferStore} of partial files on disk; see {@link diskStore}. */
export interface DiskStore extends TransferStore {
  /** The receiving folder. */
  readonly dir: string;
  list(): Promise<readonly DiskPartial[]>;
}

interface Entry {
  readonly files: PartialFiles;
  readonly info: TransferInfo;
  /** Hashes the manifest holds that the part file has the bytes of. */
  readonly hashes: readonly string[];
  /** Whether the manifest says more than `hashes` (a line cut short, hashes of bytes not on disk). */
  readonly ragged: boolean;
  readonly diskBytes: number;
  readonly updatedAt: number;
  readonly sink?: DiskSink;
}

/**
 * A {@link TransferStore} that keeps each unfinished file beside where it will be saved under `dir`:
 * its bytes in `<name>.icebreaker-part`, and in `<name>.icebreaker-manifest` the transfer's info (a
 * JSON first line) and each stored chunk's SHA-256 (a line appended once the chunk's bytes are
 * written). So `icebreaker peer --receive` resumes after a restart, a kill -9 included, from the first
 * chunk whose bytes and hash are both on disk; whatever lies past that is cut off when it reopens.
 * A finished file is moved to a free name (`name (1).ext` when taken, see `createFree`); a file of a
 * folder goes into its folders under `dir`, which `receivedPath` keeps inside `dir`.
 *
 * Bounds: partials not written to for `maxAgeMs` are dropped, and so are the least recently written
 * when all together pass `maxBytes`; manifests that cannot be read are dropped with their part. This
 * happens on `list()` and before each new file, never to a file being received.
 *
 * @example
 * ```ts
 * const room = await connect(url, { room: 'inbox', transfers: { store: diskStore('./in') } });
 * ```
 */
export function diskStore(dir: string, options: DiskStoreOptions = {}): DiskStore {
  const maxAgeMs = checked(options.maxAgeMs, 'maxAgeMs', DISK_STORE_MAX_AGE_MS, 1);
  const maxBytes = checked(options.maxBytes, 'maxBytes', DISK_STORE_MAX_BYTES, 0);
  const now = options.now ?? Date.now;
  const root = realpathSync(dir);
  /** Sinks writing now, by transfer id. */
  const live = new Map<string, DiskSink>();
  // One operation at a time: an opening must not re-key a partial that a listing is dropping.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const run = queue.then(step);
    queue = run.catch(() => {});
    return run;
  };
  const hooks = {
    now,
    saved: (info: TransferInfo, path: string) => options.onSaved?.(info, path),
    rekeyed: (sink: DiskSink, previousId: string) => {
      if (live.get(previousId) === sink) live.delete(previousId);
      live.set(sink.info.id, sink);
    },
    released: (sink: DiskSink) => {
      if (live.get(sink.info.id) === sink) live.delete(sink.info.id);
    },
  };

  /** Removes a partial; reports it unless it was finished or discarded (`reason` null): no loss to tell of. */
  const drop = async (manifest: string, reason: DroppedPartial['reason'] | null, error?: IcebreakerError): Promise<void> => {
    const part = manifest.slice(0, -MANIFEST_SUFFIX.length) + PART_SUFFIX;
    await Promise.all([rm(part, { force: true }), rm(`${manifest}.tmp`, { force: true })]);
    await rm(manifest, { force: true });
    if (reason !== null) options.onDropped?.({ manifest, reason, ...(error === undefined ? {} : { error }) });
  };

  const sinkOf = (manifest: string) => [...live.values()].find((s) => s.files.manifest === manifest);

  /** Every partial under `dir`, those past the bounds dropped (but `keep`, and every live one). */
  const scan = async (reserve = 0, keep?: (entry: Entry) => boolean): Promise<Entry[]> => {
    const entries: Entry[] = [];
    for (const manifest of await findManifests(root)) {
      const sink = sinkOf(manifest);
      if (sink) {
        entries.push({ files: sink.files, info: sink.info, hashes: [], ragged: false, diskBytes: sink.bytes, updatedAt: now(), sink });
        continue;
      }
      try {
        const entry = await readEntry(manifest);
        if (entry) entries.push(entry);
        // A sink finishing now has moved its part and is removing this: nothing to do, and no loss.
        else if (!sinkOf(manifest)) await drop(manifest, null);
      } catch (error) {
        // Gone since the folder was read: finished or discarded meanwhile.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        if (!isIcebreakerError(error)) throw error;
        await drop(manifest, 'unreadable', error);
      }
    }
    const kept: Entry[] = [];
    for (const entry of entries) {
      if (!entry.sink && !keep?.(entry) && now() - entry.updatedAt > maxAgeMs) await drop(entry.files.manifest, 'expired');
      else kept.push(entry);
    }
    let total = reserve + kept.reduce((sum, entry) => sum + entry.diskBytes, 0);
    const byAge = kept.filter((entry) => !entry.sink && !keep?.(entry)).sort((a, b) => a.updatedAt - b.updatedAt);
    for (const entry of byAge) {
      if (total <= maxBytes) break;
      total -= entry.diskBytes;
      kept.splice(kept.indexOf(entry), 1);
      await drop(entry.files.manifest, 'over-bytes');
    }
    return kept;
  };

  const sinkFor = async (entry: Entry, info: TransferInfo): Promise<DiskSink> => {
    // The same id with another size or chunk size is another file: start it over in the same place.
    const same = entry.info.size === info.size && entry.info.chunk === info.chunk;
    const hashes = same ? entry.hashes : [];
    const sink = await DiskSink.open(entry.files, info, hashes, entry.ragged || !same || entry.info.id !== info.id, hooks);
    live.set(info.id, sink);
    return sink;
  };

  const create = async (info: TransferInfo): Promise<DiskSink> => {
    const place = receivedPath(info.name, info.path);
    const folder = join(root, ...place.folders);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new IcebreakerError('transfer-failed', `cannot make the folder ${relative(root, folder)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // A folder of that name may already be there as a link to elsewhere: files go under `dir` only.
    const real = await realpath(folder);
    if (real !== root && !real.startsWith(root + sep))
      throw new IcebreakerError('transfer-failed', `the folder ${relative(root, folder)} leads out of the receiving folder`);
    const base = cutBytes(place.name, PARTIAL_NAME_BYTES);
    const ext = extname(base);
    for (let n = 0; n < 1000; n++) {
      const stem = n === 0 ? base : `${base.slice(0, base.length - ext.length)} (${n})${ext}`;
      const files = { manifest: join(folder, stem + MANIFEST_SUFFIX), part: join(folder, stem + PART_SUFFIX), folder };
      const claimed = await open(files.manifest, 'wx').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return null;
        throw new IcebreakerError('transfer-failed', `cannot create ${files.manifest}: ${error.message}`, { cause: error });
      });
      if (!claimed) continue;
      try {
        await claimed.write(encodeManifestHead(info));
      } finally {
        await claimed.close();
      }
      // A part file with no manifest is not ours to reuse, nor to remove: take the next name.
      if (await stat(files.part).catch(() => null)) {
        await rm(files.manifest, { force: true });
        continue;
      }
      const sink = await DiskSink.open(files, info, [], false, hooks);
      live.set(info.id, sink);
      return sink;
    }
    throw new IcebreakerError('transfer-failed', `every partial name like ${base} is taken in ${relative(root, folder) || '.'}`);
  };

  return {
    dir: root,
    open: (info) =>
      serial(async () => {
        await live.get(info.id)?.detach();
        const sameFile = (entry: Entry) =>
          entry.info.name === info.name &&
          entry.info.size === info.size &&
          entry.info.chunk === info.chunk &&
          entry.info.path === info.path;
        const mine = (entry: Entry) => !entry.sink && entry.info.id === info.id;
        const quiet = (entry: Entry) => entry.sink === undefined || now() - entry.sink.lastWriteAt >= TAKEOVER_QUIET_MS;
        const pick = (entry: Entry) => mine(entry) || (sameFile(entry) && quiet(entry));
        const entries = await scan(info.size, pick);
        const held = (entry: Entry) => entry.sink?.chunks ?? entry.hashes.length;
        // By id; else the same file resting on disk; else one being received that went quiet, the
        // fullest first.
        let found =
          entries.find(mine) ??
          entries.find((entry) => !entry.sink && sameFile(entry)) ??
          entries.filter(pick).sort((a, b) => held(b) - held(a))[0];
        if (found?.sink) {
          // The same file from a sender that restarted (a new id) while the transfer it cut short still
          // waits here for a resume that cannot come: the new one takes the partial over, and the
          // proof it exchanges decides how much of it stands. The old transfer's sink lets go first.
          await found.sink.detach();
          found = (await readEntry(found.files.manifest)) ?? undefined;
        }
        return found ? sinkFor(found, info) : create(info);
      }),
    list: () =>
      serial(async () =>
        (await scan()).map((entry) => {
          const chunks = entry.sink ? entry.sink.chunks : entry.hashes.length;
          return {
            info: entry.info,
            chunks,
            bytes: Math.min(chunks * entry.info.chunk, entry.info.size),
            updatedAt: entry.updatedAt,
            manifest: entry.files.manifest,
            target: relative(root, join(entry.files.folder, receivedPath(entry.info.name).name)),
            active: entry.sink !== undefined,
          };
        }),
      ),
    discard: (id) =>
      serial(async () => {
        const sink = live.get(id);
        if (sink) return sink.discard();
        for (const manifest of await findManifests(root)) {
          const entry = await readEntry(manifest).catch(() => null);
          if (entry?.info.id === id) await drop(manifest, null);
        }
      }),
  };
}

/**
 * Reads the partial whose manifest is at `manifest`: null when it holds hashes but its part file is
 * gone (a kill between the finished file's move and the manifest's removal).
 */
async function readEntry(manifest: string): Promise<Entry | null> {
  const about = await stat(manifest);
  if (about.size > MANIFEST_MAX_BYTES)
    throw new IcebreakerError('transfer-failed', `not a partial transfer's manifest: ${about.size} bytes, more than any holds`);
  const decoded = decodeManifest(await readFile(manifest, 'utf8'));
  const part = manifest.slice(0, -MANIFEST_SUFFIX.length) + PART_SUFFIX;
  const partBytes = (await stat(part).catch(() => null))?.size;
  if (partBytes === undefined && decoded.hashes.length > 0) return null;
  const { info } = decoded;
  // A chunk counts only when both its hash line and all its bytes are on disk.
  const whole = (partBytes ?? 0) >= info.size ? chunkCount(info.size, info.chunk) : Math.floor((partBytes ?? 0) / info.chunk);
  const hashes = decoded.hashes.slice(0, Math.min(decoded.hashes.length, whole));
  return {
    files: { manifest, part, folder: join(manifest, '..') },
    info,
    hashes,
    ragged: decoded.ragged || hashes.length < decoded.hashes.length,
    diskBytes: partBytes ?? 0,
    updatedAt: about.mtimeMs,
  };
}

/** The manifests under `dir`, following no links, down to {@link MAX_SCAN_DEPTH} folders. */
async function findManifests(dir: string, depth = 0): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    // A folder removed, or made unreadable, since it was listed: it holds nothing to resume.
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(MANIFEST_SUFFIX)) found.push(path);
    else if (entry.isDirectory() && depth < MAX_SCAN_DEPTH) found.push(...(await findManifests(path, depth + 1)));
  }
  return found;
}

function cutBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  const ext = extname(name).length <= 16 ? extname(name) : '';
  let stem = [...name.slice(0, name.length - ext.length)];
  while (stem.length > 1 && Buffer.byteLength(stem.join('') + ext) > max) stem = stem.slice(0, -1);
  return stem.join('') + ext;
}

function checked(value: number | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min)
    throw new TypeError(`options.${name}: expected a whole number from ${min}, got ${value}`);
  return value;
}
