import type { TransferInfo } from '@icebreaker/protocol';
import type { CombinedProgress } from './combined-progress.js';

/** What {@link IncomingGroups} reads of an incoming transfer. */
export interface IncomingLike {
  readonly info: TransferInfo;
  on(event: 'progress', listener: (p: { bytes: number; total: number; rate: number }) => void): unknown;
  readonly done: Promise<unknown>;
}

interface Group {
  readonly files: number;
  readonly total: number;
  filesDone: number;
  /** Each file's latest bytes and rate, by transfer id. */
  readonly each: Map<string, { bytes: number; rate: number; done: boolean }>;
}

/**
 * Adds up the progress of the files a peer sends together (their heads carry the same `group`), so
 * the receiver shows one line for a folder as the sender does: bytes and files of the whole group, the
 * rate of the files under way, and the time left at that rate. A file sent alone is a group of one.
 * The group is whatever the sender said it is (a peer's numbers): bytes are capped at the total.
 */
export class IncomingGroups {
  readonly #groups = new Map<string, Group>();
  readonly #report: (key: string, p: CombinedProgress) => void;

  /** `report` gets each group's progress under a key naming the group (the sender's peer id and the group id). */
  constructor(report: (key: string, p: CombinedProgress) => void) {
    this.#report = report;
  }

  /** Follows `transfer`, from peer `from`, until it ends. */
  add(from: string, transfer: IncomingLike): void {
    const { info } = transfer;
    const key = `${from}/${info.group?.id ?? info.id}`;
    let group = this.#groups.get(key);
    if (!group) {
      group = { files: info.group?.files ?? 1, total: info.group?.bytes ?? info.size, filesDone: 0, each: new Map() };
      this.#groups.set(key, group);
    }
    const mine = group;
    const update = (bytes: number, rate: number, done: boolean) => {
      const before = mine.each.get(info.id);
      if (before?.done) return;
      mine.each.set(info.id, { bytes, rate, done });
      if (done) mine.filesDone++;
      this.#emit(key, mine);
    };
    transfer.on('progress', ({ bytes, rate }) => update(bytes, rate, false));
    transfer.done.then(
      () => update(info.size, 0, true),
      // A file that failed is not done; it no longer adds a rate either.
      () => update(mine.each.get(info.id)?.bytes ?? 0, 0, false),
    );
  }

  #emit(key: string, group: Group): void {
    let bytes = 0;
    let rate = 0;
    for (const file of group.each.values()) {
      bytes += file.bytes;
      rate += file.rate;
    }
    bytes = Math.min(bytes, group.total);
    const finished = group.filesDone >= group.files;
    if (finished) this.#groups.delete(key);
    this.#report(key, {
      bytes: finished ? group.total : bytes,
      total: group.total,
      rate,
      etaSeconds: rate > 0 ? (group.total - bytes) / rate : null,
      files: group.files,
      filesDone: Math.min(group.filesDone, group.files),
    });
  }
}
