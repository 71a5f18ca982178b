import type { TransferStore } from '@icebreaker/client';
import { opfsStore } from '@icebreaker/client/opfs';
import type { TransferInfo } from '@icebreaker/protocol';

/**
 * Files under this size are received into memory rather than the disk store: there is nothing worth
 * resuming, and no file to clean up afterwards.
 */
export const IN_MEMORY_BELOW_BYTES = 1024 * 1024;

/** The page's file store: the OPFS store, and what the page adds to it. */
export interface PageStore extends TransferStore {
  /**
   * The next `open` of transfer `id` continues the partial of `previous`: the sender's tab reloaded
   * and its user picked the same file again (a new id, the same name, size and chunk size). The
   * proof exchanged at the start still checks that the chunks held are the sender's.
   */
  carryOver(id: string, previous: TransferInfo): void;
}

/**
 * The OPFS store the page receives into, or `null` where the browser has no Origin Private File
 * System (files then go to memory and resume only while the tab lives).
 *
 * Why `carryOver`: the library leaves an interrupted transfer waiting for a resume by its id, and its
 * sink stays the store's live writer of that partial, so the store will not hand the partial to a new
 * transfer of the same file. When the sender's tab reloads, that id is gone with it; the page gives the
 * old transfer up and opens the old partial for the new one (its manifest keeps the old id).
 */
export function pageStore(): PageStore | null {
  if (typeof navigator.storage?.getDirectory !== 'function') return null;
  const inner = opfsStore();
  const carried = new Map<string, TransferInfo>();
  return {
    open: (info) => {
      const previous = carried.get(info.id);
      carried.delete(info.id);
      return inner.open(previous ?? info);
    },
    list: () => inner.list(),
    discard: (id) => inner.discard(id),
    carryOver: (id, previous) => {
      carried.set(id, previous);
    },
  };
}
