import { IcebreakerError, type TransferInfo } from '@icebreaker/protocol';

/**
 * Where a received file's chunks go: in order, each once it has checked against its hash. A sink
 * that keeps what it stored (on disk, in the Origin Private File System) lets a transfer resume
 * after a restart or a reload, from the first chunk it does not hold.
 */
export interface TransferSink {
  /** The hashes of the chunks this sink already holds from an earlier attempt, in order (empty for a new file). */
  readonly stored: readonly string[];
  /** Stores chunk `index` (always the next one: `stored` chunks plus those written since) and its hash. */
  write(index: number, bytes: Uint8Array<ArrayBuffer>, hash: string): Promise<void>;
  /** Keeps only the first `chunks` chunks: the sender's file differs after them (0: it is another file). */
  truncate(chunks: number): Promise<void>;
  /** Every chunk is in: finish the file. Resolves with it when the sink holds it as a `Blob` (memory, OPFS), else `null`. */
  close(): Promise<Blob | null>;
  /** The transfer ended without the file (cancelled, failed, given up): delete what was stored. */
  discard(): Promise<void>;
  /**
   * The sender picked the same file again (after a reload) and the transfer goes on under a new id:
   * a sink that keeps partials across restarts records it, so that a later resume asks for that id.
   */
  rekey?(info: TransferInfo): Promise<void>;
}

/** An unfinished transfer a {@link TransferStore} holds: what a receiver asks its peers to resume. */
export interface PartialTransfer {
  readonly info: TransferInfo;
  /** Chunks stored, and the bytes they make. */
  readonly chunks: number;
  readonly bytes: number;
  /** When a chunk was last stored (ms since the epoch). */
  readonly updatedAt: number;
}

/**
 * Keeps partial files between attempts, so that a transfer resumes after the receiving process
 * restarts or its tab reloads. Give one to `connect(url, { transfers: { store } })`: every incoming
 * file then goes to it (unless `accept` names another sink), and the room asks each peer that
 * connects to resume the store's unfinished transfers. A store bounds what it keeps (age, bytes).
 */
export interface TransferStore {
  /**
   * A sink for the file `info` names: the partial of the same id; else one of the same name, size
   * and chunk size (the sender picked the same file again after a reload: the proof exchanged at the
   * start checks that the chunks match), re-keyed to the new id; else a new one.
   */
  open(info: TransferInfo): Promise<TransferSink>;
  /** The unfinished transfers it holds, after dropping those past its bounds. */
  list(): Promise<readonly PartialTransfer[]>;
  /** Deletes the partial of transfer `id`, if there is one. */
  discard(id: string): Promise<void>;
}

/** A sink that collects the file in memory and resolves it as a `Blob`: the default, for small files. */
export function memorySink(type = ''): TransferSink {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  return {
    stored: [],
    write: async (index, bytes) => {
      chunks[index] = bytes;
    },
    truncate: async (count) => {
      chunks.length = Math.min(chunks.length, count);
    },
    close: async () => new Blob(chunks, { type }),
    discard: async () => {
      chunks.length = 0;
    },
  };
}

/**
 * A sink over a `WritableStream` (a file opened for writing in Node, a File System Access writable):
 * chunks are written in order as they check. It cannot take back what it wrote, so a resume keeps
 * working while the transfer object lives (the chunks stay in order), but a sender whose file
 * changed under it fails the transfer.
 */
export function streamSink(stream: WritableStream<Uint8Array>): TransferSink {
  let writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  let written = 0;
  return {
    stored: [],
    write: async (index, bytes) => {
      writer ??= stream.getWriter();
      await writer.write(bytes);
      written = index + 1;
    },
    truncate: async (count) => {
      if (count < written)
        throw new IcebreakerError(
          'transfer-failed',
          `the sender's file changed after chunk ${count}, and this sink cannot take back what it wrote`,
        );
    },
    close: async () => {
      writer ??= stream.getWriter();
      await writer.close();
      return null;
    },
    discard: async () => {
      writer ??= stream.getWriter();
      await writer.abort('the transfer did not complete').catch(() => {});
    },
  };
}

/** Whether `value` is a {@link TransferSink} rather than a `WritableStream`. */
export function isTransferSink(value: unknown): value is TransferSink {
  return typeof value === 'object' && value !== null && 'truncate' in value && 'stored' in value;
}
