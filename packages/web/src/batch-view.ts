import type { BatchProgress, IncomingTransfer, TransferBatch } from '@icebreaker/client';
import type { TransferGroup } from '@icebreaker/protocol';
import { el } from './dom.js';
import { bytes, counted, duration, percent, rate } from './format.js';
import { transferItem } from './transfer-view.js';

const PROGRESS_INTERVAL_MS = 100;

/**
 * Several files sent together (a multiple pick, a folder), shown as ONE progress: bytes, rate, time
 * left and files done, with the files listed under it. The item's data attributes carry the same
 * figures (`data-bytes`, `data-total`, `data-files`, `data-files-done`, `data-state`).
 */
class BatchView {
  readonly element: HTMLLIElement;
  private readonly bar = el('progress', { max: '100', value: '0' });
  private readonly status = el('span', { class: 'batch-status' }, 'starting…');
  private readonly files = el('ul', { class: 'batch-files' });

  constructor(direction: 'in' | 'out', files: number, total: number) {
    const title = `${direction === 'in' ? '⬇' : '⬆'} ${counted(files, 'file')}, ${bytes(total)}`;
    this.element = el(
      'li',
      { class: `batch batch-${direction}`, 'data-state': 'running', 'data-files': String(files), 'data-total': String(total) },
      el('span', { class: 'batch-name' }, title),
      this.bar,
      this.status,
      this.files,
    );
  }

  add(row: HTMLLIElement): void {
    this.files.append(row);
  }

  update(progress: BatchProgress): void {
    const done = percent(progress.bytes, progress.total);
    this.bar.value = done;
    Object.assign(this.element.dataset, {
      bytes: String(progress.bytes),
      filesDone: String(progress.filesDone),
      percent: String(done),
    });
    this.status.textContent =
      `${done} % · ${bytes(progress.bytes)} / ${bytes(progress.total)} · ${progress.filesDone} of ${counted(progress.files, 'file')} · ` +
      `${rate(progress.rate)} · ${duration(progress.etaSeconds)} left`;
  }

  finish(state: 'done' | 'failed', text: string): void {
    this.element.dataset.state = state;
    this.status.textContent = `${this.status.textContent?.replace(/ · [^·]* left$/, '')} — ${text}`;
  }
}

/** The sender's side of a batch of `files` files: the library's combined progress. */
export function outgoingBatchItem(batch: TransferBatch, files: number): HTMLLIElement {
  const view = new BatchView('out', files, batch.total);
  batch.on('transfer', (transfer) => view.add(transferItem('out', transfer, true)));
  for (const transfer of batch.transfers) if (transfer) view.add(transferItem('out', transfer, true));
  batch.on('progress', (progress) => view.update(progress));
  batch.done.then(
    () => view.finish('done', 'every file sent and checked by the receiver'),
    (error: Error) => view.finish('failed', error.message),
  );
  return view.element;
}

/**
 * The receiver's side: the files of one `group` arrive as transfers of their own, and the page adds
 * them up against the group's announced files and bytes. Files finished before this page loaded (a
 * reload in the middle of a folder) are not known here, so the sum starts from the files it sees.
 */
export class IncomingBatch {
  readonly element: HTMLLIElement;
  private readonly view: BatchView;
  private readonly transfers: IncomingTransfer[] = [];
  private readonly started = Date.now();
  private startBytes: number | null = null;
  private lastAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly group: TransferGroup) {
    this.view = new BatchView('in', group.files, group.bytes);
    this.element = this.view.element;
  }

  add(transfer: IncomingTransfer): void {
    this.transfers.push(transfer);
    this.view.add(transferItem('in', transfer, true));
    this.startBytes ??= transfer.resumedFrom;
    transfer.on('progress', () => this.refresh());
    transfer.on('state', () => this.refresh(true));
    transfer.done.then(
      () => this.refresh(true),
      () => this.refresh(true),
    );
    this.refresh(true);
  }

  /** Recomputes the sum, at most every 100 ms unless `now` (a file finished: its count must show). */
  private refresh(now = false): void {
    const wait = this.lastAt + PROGRESS_INTERVAL_MS - Date.now();
    if (!now && wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.refresh(true);
      }, wait);
      return;
    }
    this.lastAt = Date.now();
    let moved = 0;
    let filesDone = 0;
    let failed: string | null = null;
    for (const transfer of this.transfers) {
      if (transfer.state === 'done') {
        moved += transfer.info.size;
        filesDone++;
      } else moved += transfer.transferred;
      if (transfer.state === 'failed' || transfer.state === 'cancelled')
        failed = `${transfer.info.path ?? transfer.info.name}: ${transfer.state}`;
    }
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const speed = Math.max(0, moved - (this.startBytes ?? 0)) / seconds;
    this.view.update({
      bytes: moved,
      total: this.group.bytes,
      rate: speed,
      etaSeconds: speed > 0 ? (this.group.bytes - moved) / speed : null,
      files: this.group.files,
      filesDone,
    });
    if (filesDone === this.group.files) this.view.finish('done', 'every file received and checked');
    else if (failed && this.transfers.every((transfer) => transfer.finished)) this.view.finish('failed', failed);
  }
}
