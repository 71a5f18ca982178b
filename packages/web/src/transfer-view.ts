import type { IncomingTransfer, OutgoingTransfer, TransferProgress, TransferResumed, TransferState } from '@icebreaker/client';
import { el } from './dom.js';
import { bytes, rate } from './format.js';
import { IN_MEMORY_BELOW_BYTES } from './page-store.js';

/** Either direction of a transfer, as the page lists it. */
export type AnyTransfer = IncomingTransfer | OutgoingTransfer;

/** What a transfer's state means to the person watching it. */
const STATE_TEXT: Partial<Record<TransferState, string>> = {
  waiting: 'starting…',
  interrupted: 'interrupted: the connection dropped. It picks up where it stopped when the other side is back (within 10 min)',
};

/** The line that says where a transfer picked up again, and why. */
export function resumedNote(resumed: TransferResumed): string {
  return `Resumed at ${bytes(resumed.at)} (chunk ${resumed.chunk}): ${resumed.reason}.`;
}

/**
 * One transfer in the list. `compact` (a file of a batch, whose progress the batch shows): no bar of
 * its own. The item's `data-state` follows the transfer (`done`, `failed`, …), for the eye and the tests.
 */
export function transferItem(direction: 'in' | 'out', transfer: AnyTransfer, compact = false): HTMLLIElement {
  const { name, size, path } = transfer.info;
  const label = path ?? name;
  const bar = compact ? null : el('progress', { max: String(size || 1), value: '0' });
  const status = el('span', { class: 'transfer-status' }, STATE_TEXT.waiting);
  const cancel = el('button', { type: 'button', class: 'cancel' }, 'Cancel');
  const resumed = el('p', { class: 'transfer-resumed', hidden: true });
  const item = el(
    'li',
    { class: `transfer transfer-${direction}${compact ? ' transfer-compact' : ''}`, 'data-name': label, 'data-state': transfer.state },
    el('span', { class: 'transfer-name' }, `${direction === 'in' ? '⬇' : '⬆'} ${label}`),
    bar,
    status,
    cancel,
    resumed,
  );
  cancel.addEventListener('click', () => transfer.cancel());
  transfer.on('progress', ({ bytes: moved, total, rate: speed }: TransferProgress) => {
    if (bar) bar.value = moved;
    status.textContent = `${bytes(moved)} / ${bytes(total)} · ${rate(speed)}`;
  });
  transfer.on('state', (state) => {
    if (!transfer.finished) item.dataset.state = state;
    const text = STATE_TEXT[state];
    if (text && !transfer.finished) status.textContent = text;
  });
  transfer.on('resumed', (event) => {
    resumed.hidden = false;
    resumed.textContent = resumedNote(event);
  });
  const done: Promise<unknown> = transfer.done;
  done.then(
    (result) => {
      if (bar) bar.value = size;
      cancel.remove();
      item.dataset.state = 'done';
      status.textContent = direction === 'in' ? 'received, every chunk checked with SHA-256' : 'sent, SHA-256 checked by the receiver';
      if (result instanceof Blob) item.append(saveControls(result, label));
    },
    (error: Error) => {
      cancel.remove();
      item.dataset.state = 'failed';
      status.textContent = error.message;
    },
  );
  return item;
}

/** The picker of the File System Access API (Chromium), where the browser has it. */
type SavePicker = (options: { suggestedName: string }) => Promise<FileSystemFileHandle>;

/**
 * How to keep a received file: a link that downloads it, and where the browser has the File System
 * Access API a "Save as…" that streams it into a file the user picks. A file received into the disk
 * store is a `File` backed by that disk file: neither way loads it whole into memory.
 */
export function saveControls(file: Blob, path: string): HTMLElement {
  // A download's name cannot hold folders: the path's parts are joined, so no file of a folder is lost.
  const name = path.replaceAll('/', '_');
  const link = el('a', { href: URL.createObjectURL(file), download: name, class: 'download' }, 'Save');
  const where =
    file.size < IN_MEMORY_BELOW_BYTES
      ? `in memory (files under ${bytes(IN_MEMORY_BELOW_BYTES)} are not written to disk)`
      : "on this browser's private disk (OPFS), kept 24 hours";
  const controls = el('span', { class: 'save' }, link);
  const picker = () => (globalThis as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  if (picker()) {
    const saveAs = el('button', { type: 'button', class: 'save-as' }, 'Save as…');
    saveAs.addEventListener('click', async () => {
      try {
        const handle = await (picker() as SavePicker)({ suggestedName: name });
        saveAs.disabled = true;
        saveAs.textContent = 'Saving…';
        // Streamed a slice at a time from the store's disk file into the one the user picked.
        await file.stream().pipeTo(await handle.createWritable());
        saveAs.textContent = `Saved as ${handle.name}`;
        saveAs.dataset.saved = handle.name;
      } catch (error) {
        saveAs.disabled = false;
        saveAs.textContent = (error as Error).name === 'AbortError' ? 'Save as…' : `Not saved: ${(error as Error).message}`;
      }
    });
    controls.append(' ', saveAs);
  }
  controls.append(el('span', { class: 'hint' }, ` — held ${where}`));
  return controls;
}
