import type { TransferStore } from '@icebreaker/client';
import { opfsStore } from '@icebreaker/client/opfs';

/**
 * Files under this size are received into memory rather than the disk store: there is nothing worth
 * resuming, and no file to clean up afterwards.
 */
export const IN_MEMORY_BELOW_BYTES = 1024 * 1024;

/**
 * The store the page receives into: the Origin Private File System, written as chunks check, so any
 * size fits and a transfer resumes after the tab reloads. `null` where the browser has no OPFS: files
 * then go to memory and resume only while the tab lives.
 */
export function pageStore(): TransferStore | null {
  return typeof navigator.storage?.getDirectory === 'function' ? opfsStore() : null;
}
