import { IcebreakerError } from '@icebreaker/protocol';
import { Emitter } from './emitter.js';
import type { FileSource, OutgoingTransfer, SendFileOptions } from './outgoing-transfer.js';

/** One file of a {@link TransferBatch}: the file, and for a file of a folder its path in it. */
export interface BatchItem {
  readonly file: FileSource;
  /** '/'-separated, the file's name last (`photos/2026/a.jpg`); the receiver recreates the folders. */
  readonly path?: string;
  /** The name sent; defaults to the path's last part, else the file's own name. */
  readonly name?: string;
}

/** Combined progress of a batch: bytes, the mean rate, the time left at that rate, and files done. */
export interface BatchProgress {
  readonly bytes: number;
  readonly total: number;
  readonly rate: number;
  /** Seconds left at the mean rate; `null` until something has moved. */
  readonly etaSeconds: number | null;
  readonly files: number;
  readonly filesDone: number;
}

/** The events of a {@link TransferBatch}. */
export interface BatchEvents {
  progress: [progress: BatchProgress];
  /** One of its files started: its own transfer, with its own events. */
  transfer: [transfer: OutgoingTransfer];
}

/** Options of {@link RemotePeer.sendFiles}. */
export interface SendFilesOptions {
  readonly onProgress?: (progress: BatchProgress) => void;
  /** Aborting it cancels every file not yet done. */
  readonly signal?: AbortSignal;
}

/** Files sent at once: a few at a time, so that small files do not wait on each other's round trips. */
const CONCURRENT = 3;
const PROGRESS_INTERVAL_MS = 100;

/**
 * Several files sent together (a multiple pick, a folder), with one progress. Each file is a transfer
 * of its own (it resumes on its own); their headers carry the batch's `group` (id, file count, total
 * bytes) so the receiver shows one progress too. `done` resolves once every file is through, and
 * rejects with the first failure (the other files still run to their end).
 */
export class TransferBatch extends Emitter<BatchEvents> {
  readonly done: Promise<void>;
  /** The transfers started so far, in the order of the items. */
  readonly transfers: OutgoingTransfer[] = [];
  readonly total: number;
  private readonly controller = new AbortController();
  private readonly startedAt = Date.now();
  private lastProgressAt = 0;
  private filesDone = 0;

  constructor(
    private readonly items: readonly BatchItem[],
    start: (item: BatchItem, options: SendFileOptions & { group: { id: string; files: number; bytes: number } }) => OutgoingTransfer,
    options: SendFilesOptions,
  ) {
    super();
    this.total = items.reduce((sum, item) => sum + item.file.size, 0);
    if (options.onProgress) this.on('progress', options.onProgress);
    options.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    const group = { id: Math.random().toString(36).slice(2, 14), files: items.length, bytes: this.total };
    const queue = [...items.keys()];
    const worker = async (): Promise<void> => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        if (this.controller.signal.aborted) throw new IcebreakerError('transfer-cancelled', 'the batch was cancelled');
        const item = items[index] as BatchItem;
        const transfer = start(item, {
          ...(item.name === undefined ? {} : { name: item.name }),
          ...(item.path === undefined ? {} : { path: item.path }),
          onProgress: () => this.progress(),
          signal: this.controller.signal,
          group,
        });
        this.transfers[index] = transfer;
        this.emit('transfer', transfer);
        try {
          await transfer.done;
        } finally {
          this.filesDone++;
          this.progress(true);
        }
      }
    };
    this.done = Promise.allSettled(Array.from({ length: Math.min(CONCURRENT, items.length) }, worker)).then((results) => {
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    });
    this.done.catch(() => {});
  }

  /** Cancels every file not yet done. */
  cancel(): void {
    this.controller.abort();
  }

  /** Bytes moved by every file so far. */
  get bytes(): number {
    let bytes = 0;
    for (const [index, transfer] of this.transfers.entries())
      if (transfer) bytes += transfer.state === 'done' ? (this.items[index] as BatchItem).file.size : transfer.transferred;
    return bytes;
  }

  private progress(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    const bytes = this.bytes;
    const rate = bytes / Math.max((now - this.startedAt) / 1000, 0.001);
    this.emit('progress', {
      bytes,
      total: this.total,
      rate,
      etaSeconds: rate > 0 ? (this.total - bytes) / rate : null,
      files: this.items.length,
      filesDone: this.filesDone,
    });
  }
}
