import type { BatchItem } from '@icebreaker/client';

/**
 * The files of a drop, folders walked: each file of a dropped folder gets its path in it
 * (`holiday/day 1/a.jpg`), so the receiver sees the folder as it was. Entries are taken during the
 * drop event itself (the browser empties `dataTransfer` once the event returns), then read.
 */
export async function droppedItems(data: DataTransfer): Promise<BatchItem[]> {
  const entries = Array.from(data.items, (item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null));
  // No entries API (an old browser): the plain files, without folders.
  if (entries.every((entry) => entry === null)) return Array.from(data.files, (file) => ({ file }));
  const items: BatchItem[] = [];
  for (const entry of entries) if (entry) await walk(entry, items);
  return items;
}

/** The files picked in an `<input type=file>`, with their paths when it picks a folder (`webkitdirectory`). */
export function pickedItems(files: FileList): BatchItem[] {
  return Array.from(files, (file) => (file.webkitRelativePath ? { file, path: file.webkitRelativePath } : { file }));
}

async function walk(entry: FileSystemEntry, into: BatchItem[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    // A top-level file keeps its plain name; a file in a folder, its path (fullPath starts with '/').
    const path = entry.fullPath.replace(/^\//, '');
    into.push(path.includes('/') ? { file, path } : { file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries gives a folder's entries a batch at a time (100 in Chromium) until an empty batch.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, into);
  }
}
