import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Cli, cli, cliSuite, waitFor } from './peer-process.js';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Reads as "all" once the receiver has said `saved` for `count` files. */
const saved = (peer: Cli, count: number) => () => ((peer.stderr().match(/^saved /gm)?.length ?? 0) >= count ? 'all' : '');

// A received file named like the receiver's own bookkeeping (`x.icebreaker-manifest`, `x.icebreaker-part`)
// was saved under that name; the next `--receive` in the folder took it for a partial, found it
// unreadable, and deleted it with its "part": a peer could make the receiver delete files it had
// received (or a user lose the files of a folder that held such names) just by sending them.
describe('icebreaker peer --receive: files named like its partials', () => {
  const t = cliSuite();

  it('saves them under another name, and a restarted receiver keeps them', async () => {
    const src = join(t.files.dir, 'd');
    await mkdir(src);
    const contents: Record<string, string> = {
      'notes.icebreaker-manifest': 'not a manifest, a file of mine',
      'notes.icebreaker-part': 'the bytes of another file of mine',
      'a.icebreaker-manifest.tmp': 'a temporary-looking name',
    };
    for (const [name, text] of Object.entries(contents)) await writeFile(join(src, name), text);
    const inbox = join(t.files.dir, 'inbox');
    await mkdir(inbox);

    const receiver = cli([t.h.server.url, '--room', 'reserved', '--receive', inbox], 'ignore');
    await waitFor(receiver.stderr, /joined room/, receiver.child);
    const sender = cli([t.h.server.url, '--room', 'reserved', '--send', src], 'ignore');
    expect(await sender.exit, sender.stderr()).toBe(0);
    await waitFor(saved(receiver, 3), /all/, receiver.child);
    receiver.child.kill('SIGTERM');
    await receiver.exit;

    // A receiver started again in the folder scans it for partials (as `transfers list` does).
    const again = cli([t.h.server.url, '--room', 'reserved-2', '--receive', inbox], 'ignore');
    await waitFor(again.stderr, /joined room/, again.child);
    again.child.kill('SIGTERM');
    await again.exit;
    expect(again.stderr()).not.toMatch(/deleted/);

    const names = (await readdir(join(inbox, 'd'))).sort();
    expect(names).toEqual(['a.icebreaker-manifest.tmp_', 'notes.icebreaker-manifest_', 'notes.icebreaker-part_']);
    for (const [name, text] of Object.entries(contents)) expect(sha256(await readFile(join(inbox, 'd', `${name}_`)))).toBe(sha256(text));
  });
});
