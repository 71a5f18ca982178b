import type { PartialTransfer, TransferStore } from '@icebreaker/client';
import { el } from './dom.js';
import { bytes, duration, percent } from './format.js';

/**
 * The unfinished files an earlier visit left in the disk store. The library asks every peer that
 * connects to resume them, by id (the sender's tab must still be open), and a sender that picks the
 * same file again is matched by name, size and chunk hashes; Resume asks the connected peers again
 * (one that said it had no such transfer may have had the file picked again since); Discard deletes one. A partial leaves
 * the list when its transfer starts again (`resuming`).
 */
export class PartialsView {
  private readonly items = new Map<string, HTMLLIElement>();

  constructor(
    private readonly root: HTMLElement,
    private readonly store: TransferStore,
    /** Asks the connected peers again; false when no peer is connected yet. */
    private readonly resume: () => boolean,
  ) {}

  /** Lists what the store holds now. */
  async load(): Promise<void> {
    let partials: readonly PartialTransfer[];
    try {
      partials = await this.store.list();
    } catch (error) {
      this.root.hidden = false;
      this.root.replaceChildren(el('p', { class: 'error' }, `The file store cannot be read: ${(error as Error).message}`));
      return;
    }
    const list = el('ul', { class: 'partial-list' });
    for (const partial of partials) {
      const item = this.item(partial);
      this.items.set(partial.info.id, item);
      list.append(item);
    }
    this.root.replaceChildren(
      el('h3', {}, 'Unfinished files from an earlier visit'),
      el(
        'p',
        { class: 'hint' },
        'Each is kept on disk with the SHA-256 of every chunk stored. The page asks each peer that connects to resume it, ' +
          'from the first chunk not stored; if the sender reloaded its tab, it resumes when the sender picks the same file again.',
      ),
      list,
    );
    this.root.hidden = partials.length === 0;
  }

  /** Transfer `id` (or the same file under a new id) started again: it is no longer only a partial. */
  resuming(id: string, name: string, size: number): void {
    for (const [key, item] of this.items) {
      if (key !== id && (item.dataset.name !== name || item.dataset.size !== String(size))) continue;
      item.remove();
      this.items.delete(key);
    }
    if (this.items.size === 0) this.root.hidden = true;
  }

  private item(partial: PartialTransfer): HTMLLIElement {
    const { info } = partial;
    const discard = el('button', { type: 'button', class: 'discard' }, 'Discard');
    const resume = el('button', { type: 'button', class: 'resume' }, 'Resume');
    resume.addEventListener('click', () => {
      resume.textContent = this.resume() ? 'Asked the peers again' : 'No peer connected yet';
    });
    const age = duration((Date.now() - partial.updatedAt) / 1000);
    const item = el(
      'li',
      { class: 'partial', 'data-id': info.id, 'data-name': info.name, 'data-size': String(info.size) },
      el('span', { class: 'partial-name' }, info.path ?? info.name),
      el(
        'span',
        { class: 'partial-status' },
        `${bytes(partial.bytes)} of ${bytes(info.size)} (${percent(partial.bytes, info.size)} %, ${partial.chunks} chunks) · last written ${age} ago`,
      ),
      resume,
      discard,
    );
    discard.addEventListener('click', async () => {
      discard.disabled = true;
      try {
        await this.store.discard(info.id);
        item.remove();
        this.items.delete(info.id);
        if (this.items.size === 0) this.root.hidden = true;
      } catch (error) {
        discard.disabled = false;
        discard.textContent = `Not discarded: ${(error as Error).message}`;
      }
    });
    return item;
  }
}
