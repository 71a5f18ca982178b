import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomFile, sha256OfFile } from '../helpers/files.js';
import { nodePeer, openPeer } from '../helpers/peers.js';
import { type Cli, cli, cliSuite, waitFor } from './peer-process.js';

const MiB = 1024 * 1024;

/** Every file under `dir`, as '/'-separated paths. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** Reads as "all" once the receiver has said `saved` for `count` files. */
const saved = (peer: Cli, count: number) => () => ((peer.stderr().match(/^saved /gm)?.length ?? 0) >= count ? 'all' : '');

describe('icebreaker peer --send <folder>… --receive <dir>', () => {
  const t = cliSuite();

  it('sends a folder (nested, an empty file, a hostile name) and a file; the receiver recreates the folder, byte for byte', async () => {
    const src = join(t.files.dir, 'album');
    await mkdir(join(src, 'sub', 'deeper'), { recursive: true });
    await mkdir(join(src, 'empty-folder'));
    const digests: Record<string, string> = {
      'album/a.bin': await randomFile(join(src, 'a.bin'), 3 * MiB + 17),
      'album/sub/deeper/b.bin': await randomFile(join(src, 'sub', 'deeper', 'b.bin'), 2 * MiB),
      'album/sub/c.bin': await randomFile(join(src, 'sub', 'c.bin'), 1000),
      'notes.bin': await randomFile(join(t.files.dir, 'notes.bin'), MiB + 1),
    };
    await writeFile(join(src, 'empty.txt'), '');
    await writeFile(join(src, 'sub', 'evil\u001b[31m\u202e.txt'), 'hostile name');
    const inbox = join(t.files.dir, 'inbox');
    await mkdir(inbox);

    const receiver = cli([t.h.server.url, '--room', 'folder', '--receive', inbox], 'ignore');
    await waitFor(receiver.stderr, /joined room/, receiver.child);
    const sender = cli([t.h.server.url, '--room', 'folder', '--send', src, join(t.files.dir, 'notes.bin')], 'ignore');
    expect(await sender.exit, `${sender.stderr()}\n--- receiver:\n${receiver.stderr()}`).toBe(0);
    await waitFor(saved(receiver, 6), /all/, receiver.child);

    expect(await tree(inbox)).toEqual(
      ['album/a.bin', 'album/empty.txt', 'album/sub/c.bin', 'album/sub/deeper/b.bin', 'album/sub/evil_[31m_.txt', 'notes.bin'].sort(),
    );
    for (const [path, digest] of Object.entries(digests)) expect(await sha256OfFile(join(inbox, path)), path).toBe(digest);
    expect(await sha256OfFile(join(inbox, 'album', 'empty.txt'))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // One combined line for all six files, on both sides; the hostile name escaped on the terminal.
    expect(sender.stderr()).toMatch(/sending 100% 6\.0\/6\.0 MiB .* left, 6\/6 files/);
    expect(receiver.stderr()).toMatch(/receiving 100% 6\.0\/6\.0 MiB .* left, 6\/6 files/);
    expect(sender.stderr()).toContain('sent album/sub/evil\\x1b[31m\\u202e.txt');
    expect(receiver.stderr()).not.toContain('\u001b');
    receiver.child.kill('SIGINT');
    expect(await receiver.exit).toBe(0);
  });

  it('keeps paths a peer chose inside the receiving folder', async () => {
    const inbox = join(t.files.dir, 'inbox');
    await mkdir(inbox);
    const receiver = cli([t.h.server.url, '--room', 'hostile', '--receive', inbox], 'ignore');
    await waitFor(receiver.stderr, /joined room/, receiver.child);
    const node = await nodePeer(t.h.server.signalingUrl, 'hostile');
    t.sessions.push(node);
    const remote = await openPeer(node);
    for (const path of ['../../../etc/passwd', '/abs/x.txt', '..\\..\\win.ini', 'ok/./../../y.txt'])
      await remote.sendFile(new Blob([path]), { name: path.split(/[/\\]/).pop() as string, path }).done;
    await waitFor(saved(receiver, 4), /all/, receiver.child);
    expect(await tree(inbox)).toEqual(['abs/x.txt', 'etc/passwd', 'ok/y.txt', 'win.ini']);
    expect(await readdir(t.files.dir)).toEqual(['inbox']);
  });

  it('prints progress and file events as JSON lines with --json', async () => {
    const inbox = join(t.files.dir, 'inbox');
    await mkdir(inbox);
    const source = join(t.files.dir, 'one.bin');
    await randomFile(source, MiB);
    const receiver = cli([t.h.server.url, '--room', 'json', '--receive', inbox, '--json'], 'ignore');
    await waitFor(receiver.stderr, /joined room/, receiver.child);
    const sender = cli([t.h.server.url, '--room', 'json', '--send', source, '--json'], 'ignore');
    expect(await sender.exit).toBe(0);
    await waitFor(receiver.stderr, /"event":"saved"/, receiver.child);
    const events = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events(sender.stderr()).at(-1)).toEqual({ event: 'done', files: 1, bytes: MiB });
    expect(events(receiver.stderr()).find((e) => e.event === 'saved')).toMatchObject({ path: join(inbox, 'one.bin'), size: MiB });
    expect(
      events(receiver.stderr())
        .filter((e) => e.event === 'progress')
        .at(-1),
    ).toMatchObject({ bytes: MiB, total: MiB, files: 1, filesDone: 1 });
  });

  it.each([
    [['--send', '/no/such/path'], /--send: no file or folder at \/no\/such\/path/],
    [['--receive', '/tmp', '--partial-max-age', 'forever'], /--partial-max-age: "forever" is not valid/],
    [['--receive', '/tmp', '--partial-max-bytes', '3 apples'], /--partial-max-bytes: "3 apples" is not valid/],
    [['extra-positional'], /exactly one server address/],
  ])('exits 2 for bad usage %j', async (args, message) => {
    const run = cli(['http://127.0.0.1:1/', '--room', 'r', ...args]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(message);
  });
});
