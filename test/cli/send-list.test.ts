import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filesToSend } from '../../packages/cli/src/send-list.js';
import { scratch } from '../helpers/files.js';

describe('filesToSend: what --send <path>… sends', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeEach(async () => {
    files = await scratch();
  });
  afterEach(() => files.dispose());

  it('sends a file alone and a folder whole, each file with its path from the folder name down, links left out', async () => {
    const tree = join(files.dir, 'photos');
    await mkdir(join(tree, '2024', 'empty'), { recursive: true });
    await writeFile(join(tree, 'b.jpg'), 'bb');
    await writeFile(join(tree, '2024', 'a.jpg'), 'a');
    await writeFile(join(tree, 'zero'), '');
    await symlink('/', join(tree, 'root-link'));
    await writeFile(join(files.dir, 'notes.txt'), 'notes');
    const { files: list, skipped } = await filesToSend([join(files.dir, 'notes.txt'), tree]);
    expect(list).toEqual([
      { file: join(files.dir, 'notes.txt'), name: 'notes.txt', size: 5 },
      { file: join(tree, '2024', 'a.jpg'), name: 'a.jpg', path: 'photos/2024/a.jpg', size: 1 },
      { file: join(tree, 'b.jpg'), name: 'b.jpg', path: 'photos/b.jpg', size: 2 },
      { file: join(tree, 'zero'), name: 'zero', path: 'photos/zero', size: 0 },
    ]);
    expect(skipped).toEqual([`${join(tree, 'root-link')} (a link)`]);
  });

  it('refuses a path that is not there, naming --send', async () => {
    await expect(filesToSend([join(files.dir, 'nope')])).rejects.toThrow(
      new TypeError(`--send: no file or folder at ${join(files.dir, 'nope')}`),
    );
  });
});
