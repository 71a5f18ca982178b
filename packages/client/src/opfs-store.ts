import { chunkCount, IcebreakerError, TransferHead, type TransferInfo } from '@icebreaker/protocol';
import { safeParse } from 'valibot';
import { chunkRecord, doneRecord, infoRecord, keepRecord, type ManifestState, readManifest } from './opfs-manifest.js';
import type { ScannedPartial } from './opfs-worker.js';
import type { PartialTransfer, TransferSink, TransferStore } from './transfer-sink.js';

/** How long {@link opfsStore} keeps a partial that stopped growing, and a finished file: 24 hours. */
export const OPFS_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** How many bytes {@link opfsStore} keeps on disk at most, partial and finished files together: 10 GiB. */
export const OPFS_MAX_BYTES = 10 * 1024 ** 3;

/** Options of {@link opfsStore}. */
export interface OpfsStoreOptions {
  /** A partial that has not grown for this long, or a file finished this long ago, is deleted. Default {@link OPFS_MAX_AGE_MS}. */
  readonly maxAgeMs?: number;
  /**
   * Bytes kept at most, all files together; above it the oldest go first. Default {@link OPFS_MAX_BYTES},
   * and never more than the origin's quota (`navigator.storage.estimate()`) leaves free.
   */
  readonly maxBytes?: number;
  /** The OPFS folder the store keeps its files in (one store per folder and tab). Default `icebreaker-transfers`. */
  readonly directory?: string;
  /**
   * Starts the store's worker. The default, `new Worker(new URL('./opfs-worker.js', import.meta.url),
   * { type: 'module' })`, works from the published files and with bundlers that follow that pattern
   * (Vite, webpack 5, Parcel, esbuild with a plugin); give your own for any other.
   */
  readonly worker?: () => Worker;
}

/** One folder of the store, as its manifest says. */
interface Entry {
  readonly key: string;
  readonly state: ManifestState;
  readonly info: TransferInfo | null;
  readonly bytes: number;
  readonly error?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const OPTION_KEYS = ['maxAgeMs', 'maxBytes', 'directory', 'worker'];

/**
 * A {@link TransferStore} in the Origin Private File System: each incoming file is written to disk as
 * its chunks check, with a manifest of their hashes, so a transfer survives a reload of the tab and
 * resumes from the first chunk not on disk; the page holds at most one chunk of it in memory,
 * whatever the file's size. A finished file resolves as a `File` read from disk (no copy in memory),
 * which stays readable until the store deletes it: after `maxAgeMs`, over `maxBytes`, or on
 * `discard(id)`.
 *
 * The disk work runs in a dedicated worker (sync access handles exist only there); see
 * {@link OpfsStoreOptions.worker} for bundlers.
 *
 * @example
 * ```ts
 * import { connect } from '@icebreaker/client';
 * import { opfsStore } from '@icebreaker/client/opfs';
 * const room = await connect(url, { room: 'demo', transfers: { store: opfsStore() } });
 * ```
 */
export function opfsStore(options: OpfsStoreOptions = {}): TransferStore {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new TypeError(`opfsStore: unknown option ${key} (it takes ${OPTION_KEYS.join(', ')})`);
  }
  const maxAgeMs = positive('maxAgeMs', options.maxAgeMs ?? OPFS_MAX_AGE_MS);
  const maxBytes = positive('maxBytes', options.maxBytes ?? OPFS_MAX_BYTES);
  const directory = options.directory ?? 'icebreaker-transfers';
  if (typeof directory !== 'string' || !/^[\w.-]{1,100}$/.test(directory) || directory.startsWith('.'))
    throw new TypeError('opfsStore: directory must be a folder name of letters, digits, "_", "-" and "." (not first), at most 100');
  if (options.worker !== undefined && typeof options.worker !== 'function')
    throw new TypeError('opfsStore: worker must be a function that returns a Worker');
  return new OpfsStore(directory, maxAgeMs, maxBytes, options.worker ?? defaultWorker);
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new TypeError(`opfsStore: ${name} must be a whole number ≥ 1, not ${String(value)}`);
  return value;
}

function defaultWorker(): Worker {
  return new Worker(new URL('./opfs-worker.js', import.meta.url), { type: 'module', name: 'icebreaker-opfs' });
}

/** Bytes that `chunks` chunks of a file make (the last chunk is shorter). */
function bytesOf(info: TransferInfo, chunks: number): number {
  return Math.min(info.size, chunks * info.chunk);
}

class OpfsStore implements TransferStore {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The partials this store has a sink on, by folder key: a sweep never deletes them. */
  private readonly active = new Map<string, OpfsSink>();

  constructor(
    private readonly directory: string,
    private readonly maxAgeMs: number,
    private readonly maxBytes: number,
    private readonly startWorker: () => Worker,
  ) {}

  async open(info: TransferInfo): Promise<TransferSink> {
    const parsed = safeParse(TransferHead, { ...info, t: 'head' });
    if (!parsed.success)
      throw new IcebreakerError(
        'invalid-message',
        `opfsStore.open: not a transfer's head: ${parsed.issues.map((i) => i.message).join('; ')}`,
      );
    const { t: _, ...checked } = parsed.output;
    // A sink of this store still open on the same transfer (a resume in the same page) stops first,
    // and its last write lands, so that the new sink starts from what is really on disk.
    for (const sink of this.active.values()) if (sink.id === checked.id) await sink.stop();
    const entries = await this.sweep(checked.size, checked.id);
    const usable = (entry: Entry) => entry.info !== null && entry.error === undefined && !entry.state.done;
    const byId = entries.find((entry) => usable(entry) && entry.info?.id === checked.id);
    // Not a partial this store is writing now: that one is another transfer's.
    const bySize = entries.find(
      (entry) =>
        usable(entry) &&
        !this.active.has(entry.key) &&
        entry.info?.name === checked.name &&
        entry.info.size === checked.size &&
        entry.info.chunk === checked.chunk,
    );
    const now = Date.now();
    const found = byId ?? bySize;
    let key: string;
    let hashes: string[] = [];
    if (found) {
      key = found.key;
      const append = found === byId && sameInfo(found.info, checked) ? '' : infoRecord(checked, now);
      const dataBytes = (await this.call({
        op: 'open',
        directory: this.directory,
        key,
        create: false,
        keepManifestBytes: found.state.validBytes,
        append,
      })) as number;
      // A chunk counts only when its bytes are all there (its record is written after they are
      // flushed, so only a data file cut behind the store's back can hold less).
      let whole = Math.min(Math.floor(dataBytes / checked.chunk), chunkCount(checked.size, checked.chunk));
      if (bytesOf(checked, whole + 1) <= dataBytes) whole = Math.min(whole + 1, chunkCount(checked.size, checked.chunk));
      hashes = found.state.hashes.slice(0, whole);
      if (hashes.length < found.state.hashes.length)
        await this.call({ op: 'truncate', key, dataBytes: bytesOf(checked, hashes.length), record: keepRecord(hashes.length, now) });
    } else {
      key = crypto.randomUUID();
      await this.call({ op: 'open', directory: this.directory, key, create: true, keepManifestBytes: 0, append: infoRecord(checked, now) });
    }
    this.active.get(key)?.invalidate();
    const sink = new OpfsSink(this, key, checked, hashes);
    this.active.set(key, sink);
    return sink;
  }

  async list(): Promise<readonly PartialTransfer[]> {
    const entries = await this.sweep(0, null);
    return entries.flatMap((entry) =>
      entry.info === null || entry.state.done
        ? []
        : [
            {
              info: entry.info,
              chunks: entry.state.hashes.length,
              bytes: bytesOf(entry.info, entry.state.hashes.length),
              updatedAt: entry.state.updatedAt,
            },
          ],
    );
  }

  async discard(id: string): Promise<void> {
    for (const entry of await this.scan()) if (entry.info?.id === id) await this.remove(entry.key);
  }

  /** Deletes a folder, and ends the sink writing it. */
  async remove(key: string): Promise<void> {
    this.active.get(key)?.invalidate();
    this.active.delete(key);
    await this.call({ op: 'remove', directory: this.directory, key });
  }

  /** The sink of `key` is done with it (closed or discarded). */
  forget(key: string, sink: OpfsSink): void {
    if (this.active.get(key) === sink) this.active.delete(key);
  }

  /** The finished file of `key`, read from disk. */
  async file(key: string, info: TransferInfo): Promise<File> {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(this.directory);
    const data = await (await (await root.getDirectoryHandle(key)).getFileHandle('data')).getFile();
    // A File made of a Blob refers to its bytes (on disk here); it does not copy them.
    return new File([data], info.name, { type: info.type, lastModified: data.lastModified });
  }

  /** Every folder with its manifest replayed. */
  private async scan(): Promise<Entry[]> {
    const scanned = (await this.call({ op: 'scan', directory: this.directory })) as ScannedPartial[];
    return scanned.map((partial) => {
      const state = readManifest(partial.manifest);
      const parsed = safeParse(TransferHead, { ...(state.info as object), t: 'head' });
      const info = parsed.success ? (({ t: _, ...rest }) => rest)(parsed.output) : null;
      return {
        key: partial.key,
        state,
        info,
        bytes: partial.dataBytes,
        ...(partial.error === undefined ? {} : { error: partial.error }),
      };
    });
  }

  /**
   * Deletes what is past the bounds: folders with no readable manifest, those older than `maxAgeMs`,
   * then the oldest until what is kept, plus `incoming` bytes about to come, fits the limit.
   */
  private async sweep(incoming: number, incomingId: string | null): Promise<Entry[]> {
    const now = Date.now();
    const kept: Entry[] = [];
    for (const entry of await this.scan()) {
      // A folder another tab holds is that tab's to bound. One of this store's sinks is bounded by
      // age too (its transfer waits for a resume that has not come for a day), not by bytes.
      const stale = entry.info === null ? !this.active.has(entry.key) : now - entry.state.updatedAt > this.maxAgeMs;
      if (entry.error === undefined && stale) await this.remove(entry.key);
      else kept.push(entry);
    }
    const limit = await this.limit(kept.reduce((sum, entry) => sum + entry.bytes, 0));
    if (incoming > limit)
      throw new IcebreakerError('transfer-failed', `a file of ${incoming} bytes is larger than this store may keep (${limit} bytes)`);
    // What the incoming file will hold in all: its own partial's bytes are already counted.
    const resumed = kept.find((entry) => entry.info?.id === incomingId);
    let total = kept.reduce((sum, entry) => sum + entry.bytes, 0) + incoming - (resumed?.bytes ?? 0);
    const oldest = kept
      .filter((entry) => entry !== resumed && !this.active.has(entry.key) && entry.error === undefined)
      .sort((a, b) => a.state.updatedAt - b.state.updatedAt);
    for (const entry of oldest) {
      if (total <= limit) break;
      await this.remove(entry.key);
      kept.splice(kept.indexOf(entry), 1);
      total -= entry.bytes;
    }
    return kept;
  }

  /** `maxBytes`, or less when the origin's quota leaves less room beside what else it stores. */
  private async limit(held: number): Promise<number> {
    const estimate = await navigator.storage.estimate().catch(() => ({}) as StorageEstimate);
    if (estimate.quota === undefined) return this.maxBytes;
    return Math.max(0, Math.min(this.maxBytes, estimate.quota - Math.max(0, (estimate.usage ?? 0) - held)));
  }

  /** Sends one request to the worker (started on first use) and waits for its reply. */
  call(request: object, transfer: Transferable[] = []): Promise<unknown> {
    if (!this.worker) {
      if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function')
        return Promise.reject(
          new IcebreakerError('transfer-failed', 'this browser has no Origin Private File System (navigator.storage.getDirectory)'),
        );
      this.worker = this.startWorker();
      this.worker.onmessage = (event: MessageEvent<{ id: number; value?: unknown; error?: { name: string; message: string } }>) => {
        const { id, value, error } = event.data;
        const waiter = this.pending.get(id);
        this.pending.delete(id);
        if (error)
          waiter?.reject(
            new IcebreakerError('transfer-failed', `the file store failed: ${error.name}: ${error.message}`, { cause: error }),
          );
        else waiter?.resolve(value);
      };
      this.worker.onerror = (event) => {
        event.preventDefault();
        const failure = new IcebreakerError(
          'transfer-failed',
          `the file store's worker failed: ${event.message || 'it could not be loaded'}`,
        );
        for (const waiter of this.pending.values()) waiter.reject(failure);
        this.pending.clear();
        this.worker?.terminate();
        this.worker = null;
      };
    }
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request }, transfer);
    });
  }
}

function sameInfo(a: TransferInfo | null, b: TransferInfo): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

const HASH = /^[0-9a-f]{64}$/;

/** The sink of one partial: checks each call, and keeps the store's calls for it in order. */
class OpfsSink implements TransferSink {
  private count: number;
  private queue: Promise<unknown> = Promise.resolve();
  private ended: string | null = null;
  private readonly total: number;
  /** The buffer chunks travel to the worker in, when it is back (see write). */
  private spare: ArrayBuffer | null = null;

  constructor(
    private readonly store: OpfsStore,
    private readonly key: string,
    private info: TransferInfo,
    private held: string[],
  ) {
    this.count = held.length;
    this.total = chunkCount(info.size, info.chunk);
  }

  get stored(): readonly string[] {
    return this.held;
  }

  /** The transfer this sink stores. */
  get id(): string {
    return this.info.id;
  }

  /** Another sink took over this partial, or the store deleted it: later calls fail. */
  invalidate(): void {
    this.ended ??= 'another sink took over this transfer, or the store deleted it';
  }

  /** Takes no more calls, and resolves once those it took are done. */
  async stop(): Promise<void> {
    this.invalidate();
    await this.queue;
  }

  write(index: number, bytes: Uint8Array<ArrayBuffer>, hash: string): Promise<void> {
    const over = this.over();
    if (over) return over;
    if (index !== this.count)
      return this.fail(`chunk ${index} came out of order: the store holds ${this.count} chunk(s) and takes chunk ${this.count} next`);
    if (index >= this.total) return this.fail(`chunk ${index} is past the end of the file (${this.total} chunks)`);
    const expected = bytesOf(this.info, index + 1) - index * this.info.chunk;
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== expected)
      return this.fail(`chunk ${index} has ${bytes?.byteLength} bytes; it must have ${expected}`);
    if (typeof hash !== 'string' || !HASH.test(hash)) return this.fail(`chunk ${index}'s hash is not a SHA-256 in lowercase hex`);
    this.count++;
    return this.enqueue(async () => {
      // The bytes go to the worker in a buffer that moves there and back with each chunk (transferred,
      // never cloned): the caller keeps its own bytes, and no chunk-sized garbage is left on either
      // side for the collector, which let a renderer grow by 140 MiB more while 1 GiB went to disk.
      const buffer = this.spare ?? new ArrayBuffer(this.info.chunk);
      this.spare = null;
      new Uint8Array(buffer, 0, bytes.byteLength).set(bytes);
      const record = chunkRecord(index, hash, Date.now());
      const request = { op: 'write', key: this.key, at: index * this.info.chunk, bytes: buffer, length: bytes.byteLength, record };
      this.spare = (await this.store.call(request, [buffer])) as ArrayBuffer;
    }).catch((error: unknown) => {
      // What failed may or may not be on disk; nothing after it is written.
      this.ended ??= (error as Error).message;
      throw error;
    });
  }

  truncate(chunks: number): Promise<void> {
    const over = this.over();
    if (over) return over;
    if (!Number.isSafeInteger(chunks) || chunks < 0 || chunks > this.count)
      return this.fail(`cannot keep ${chunks} chunk(s): the store holds ${this.count}`);
    this.count = chunks;
    return this.enqueue(async () => {
      await this.store.call({
        op: 'truncate',
        key: this.key,
        dataBytes: bytesOf(this.info, chunks),
        record: keepRecord(chunks, Date.now()),
      });
      if (this.held.length > chunks) this.held = this.held.slice(0, chunks);
    });
  }

  close(): Promise<Blob | null> {
    const over = this.over();
    if (over) return over;
    if (this.count !== this.total) return this.fail(`the file is not whole: ${this.count} of ${this.total} chunks are stored`);
    this.ended = 'the file is finished';
    return this.enqueue(async () => {
      await this.store.call({ op: 'finish', key: this.key, record: doneRecord(Date.now()) });
      this.store.forget(this.key, this);
      return this.store.file(this.key, this.info);
    });
  }

  rekey(info: TransferInfo): Promise<void> {
    const over = this.over();
    if (over) return over;
    this.info = info;
    return this.enqueue(() => this.store.call({ op: 'record', key: this.key, record: infoRecord(info, Date.now()) }).then(() => {}));
  }

  discard(): Promise<void> {
    this.ended = 'the transfer was discarded';
    return this.enqueue(() => this.store.remove(this.key));
  }

  /** A rejection when the sink can take no more calls, else null. */
  private over(): Promise<never> | null {
    return this.ended === null ? null : this.fail(`the sink is closed: ${this.ended}`);
  }

  private fail(message: string): Promise<never> {
    return Promise.reject(new IcebreakerError('transfer-failed', `opfsStore: ${message}`));
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => {});
    return next;
  }
}
