import { closeSync, constants } from 'node:fs';
import { type FileHandle, open, rename, rm, writeFile } from 'node:fs/promises';
import type { TransferSink } from '@icebreaker/client';
import { chunkCount, IcebreakerError, type TransferInfo } from '@icebreaker/protocol';
import { encodeManifest } from './partial-manifest.js';
import { createFree } from './received-file.js';

/** Where one partial lives: its manifest and part files, and the folder the finished file goes to. */
export interface PartialFiles {
  readonly manifest: string;
  readonly part: string;
  readonly folder: string;
}

/** What a {@link DiskSink} tells its store. */
export interface DiskSinkHooks {
  /** The file is complete and saved at `path`. */
  saved(info: TransferInfo, path: string): void;
  /** The transfer goes on under another id (`info.id` now): the store files the sink under it. */
  rekeyed(sink: DiskSink, previousId: string): void;
  /** The sink is done with its files (saved, discarded, or replaced by a reopening). */
  released(sink: DiskSink): void;
  /** The store's clock (ms). */
  now(): number;
}

/**
 * A {@link TransferSink} over a partial on disk (see `diskStore`): each chunk's bytes are written at
 * their place in the part file, and only then is its hash appended to the manifest, so that a kill at
 * any moment leaves a manifest that claims no chunk the part file lacks.
 */
export class DiskSink implements TransferSink {
  readonly stored: readonly string[];
  #info: TransferInfo;
  readonly files: PartialFiles;
  readonly #hashes: string[];
  readonly #part: FileHandle;
  #manifest: FileHandle;
  readonly #hooks: DiskSinkHooks;
  /** Operations run one after the other: a truncate must not land between a chunk's bytes and its hash. */
  #queue: Promise<unknown> = Promise.resolve();
  #ended: string | null = null;
  /** When a chunk was last stored, or the sink opened: how long its transfer has been quiet. */
  lastWriteAt: number;

  /** Use `DiskSink.open`: the files are opened first. */
  private constructor(
    files: PartialFiles,
    info: TransferInfo,
    hashes: readonly string[],
    part: FileHandle,
    manifest: FileHandle,
    hooks: DiskSinkHooks,
  ) {
    this.files = files;
    this.#info = info;
    this.stored = [...hashes];
    this.#hashes = [...hashes];
    this.#part = part;
    this.#manifest = manifest;
    this.#hooks = hooks;
    this.lastWriteAt = hooks.now();
  }

  /**
   * Opens the partial at `files` for `info`, holding the first `hashes.length` chunks: the part file is
   * cut to exactly those chunks' bytes, and the manifest rewritten when `rewrite` says it holds more
   * (or other) than that.
   */
  static async open(
    files: PartialFiles,
    info: TransferInfo,
    hashes: readonly string[],
    rewrite: boolean,
    hooks: DiskSinkHooks,
  ): Promise<DiskSink> {
    // Read-write, created if missing, and not in append mode: each chunk is written at its own place.
    const part = await open(files.part, constants.O_RDWR | constants.O_CREAT).catch((error: unknown) => {
      throw failed(`could not open the partial file ${files.part}`, error);
    });
    try {
      await part.truncate(Math.min(hashes.length * info.chunk, info.size));
      if (rewrite) await rewriteManifest(files.manifest, info, hashes);
      const manifest = await open(files.manifest, 'a');
      return new DiskSink(files, info, hashes, part, manifest, hooks);
    } catch (error) {
      await part.close();
      throw failed(`could not open the partial file ${files.part}`, error);
    }
  }

  write(index: number, bytes: Uint8Array<ArrayBuffer>, hash: string): Promise<void> {
    return this.#run(async () => {
      if (index !== this.#hashes.length) throw failed(`chunk ${index} arrived where chunk ${this.#hashes.length} was due`);
      const expected = Math.min(this.info.chunk, this.info.size - index * this.info.chunk);
      if (bytes.byteLength !== expected) throw failed(`chunk ${index} has ${bytes.byteLength} bytes where ${expected} were due`);
      if (!/^[0-9a-f]{64}$/.test(hash)) throw failed(`chunk ${index}'s hash is not a SHA-256 in hex`);
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await this.#part.write(bytes, done, bytes.byteLength - done, index * this.info.chunk + done);
        done += bytesWritten;
      }
      // Only now that the bytes are written may the manifest say so.
      await this.#manifest.write(`${hash}\n`);
      this.#hashes.push(hash);
      this.lastWriteAt = this.#hooks.now();
    });
  }

  /** The transfer the sink writes for. */
  get info(): TransferInfo {
    return this.#info;
  }

  /**
   * The sender picked the same file again and the transfer goes on under `info`'s id: the manifest's
   * first line says so (one rewrite, as for a truncate), so that a restart asks the sender for that id.
   */
  rekey(info: TransferInfo): Promise<void> {
    return this.#run(async () => {
      const previous = this.#info.id;
      this.#info = info;
      await this.#manifest.close();
      await rewriteManifest(this.files.manifest, info, this.#hashes);
      this.#manifest = await open(this.files.manifest, 'a');
      this.#hooks.rekeyed(this, previous);
    });
  }

  truncate(chunks: number): Promise<void> {
    return this.#run(async () => {
      if (chunks >= this.#hashes.length) return;
      this.#hashes.length = chunks;
      // The manifest first: a kill between the two leaves bytes the manifest does not claim, which the
      // next opening cuts off; the other order could leave hashes of bytes no longer there.
      await this.#manifest.close();
      await rewriteManifest(this.files.manifest, this.info, this.#hashes);
      this.#manifest = await open(this.files.manifest, 'a');
      await this.#part.truncate(Math.min(chunks * this.info.chunk, this.info.size));
    });
  }

  close(): Promise<Blob | null> {
    return this.#run(async () => {
      const count = chunkCount(this.info.size, this.info.chunk);
      if (this.#hashes.length !== count) throw failed(`only ${this.#hashes.length} of ${count} chunks are stored`);
      // The finished file should survive a power cut as well as a kill: its bytes reach the disk before its name.
      await this.#part.datasync();
      // The store counts this partial as being received until it is moved: no listing drops it meanwhile.
      try {
        await this.#release('saved', false);
        const { path, fd } = createFree(this.files.folder, this.info.name);
        closeSync(fd);
        try {
          // Over the empty file createFree made, which held the name against any other arrival.
          await rename(this.files.part, path);
        } catch (error) {
          await rm(path, { force: true });
          throw failed(`could not move the finished file to ${path}`, error);
        }
        await rm(this.files.manifest, { force: true });
        this.#hooks.saved(this.info, path);
      } finally {
        this.#hooks.released(this);
      }
      return null;
    });
  }

  discard(): Promise<void> {
    return this.#run(async () => {
      await this.#release('discarded');
      // The part first: a manifest left alone by a kill here holds hashes and no bytes, which the
      // store takes for what it is and removes.
      await rm(this.files.part, { force: true });
      await rm(this.files.manifest, { force: true });
    });
  }

  /** Lets go of the files without touching them: another sink now holds this partial. */
  async detach(): Promise<void> {
    await this.#run(() => this.#release('reopened for another attempt'));
  }

  /** Chunks stored so far, and their bytes. */
  get chunks(): number {
    return this.#hashes.length;
  }

  get bytes(): number {
    return Math.min(this.#hashes.length * this.info.chunk, this.info.size);
  }

  #run<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#ended !== null) throw failed(`this partial file was already ${this.#ended}`);
      return step();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #release(how: string, tell = true): Promise<void> {
    this.#ended = how;
    await Promise.allSettled([this.#part.close(), this.#manifest.close()]);
    if (tell) this.#hooks.released(this);
  }
}

/** Replaces the manifest by one holding `hashes`, in one rename: a kill leaves the old one or the new one. */
async function rewriteManifest(path: string, info: TransferInfo, hashes: readonly string[]): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, encodeManifest(info, hashes));
  await rename(temporary, path);
}

function failed(message: string, cause?: unknown): IcebreakerError {
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return new IcebreakerError('transfer-failed', `${message}${why}`, cause === undefined ? undefined : { cause });
}
