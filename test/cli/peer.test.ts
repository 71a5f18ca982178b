import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingTransfer } from '@icebreaker/client';
import { mintRoomToken } from '@icebreaker/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSink, fileSource, randomFile, sha256OfFile } from '../helpers/files.js';
import { messages, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';
import { cli, cliSuite, killPeers, waitFor } from './peer-process.js';

describe('icebreaker peer', () => {
  const t = cliSuite();

  it('chats over stdin and stdout with a library peer, and exits 0 at end of input', async () => {
    const terminal = cli([t.h.server.url, '--room', 'chat']);
    await waitFor(terminal.stderr, /joined room "chat"/, terminal.child);
    const node = await nodePeer(t.h.server.signalingUrl, 'chat');
    t.sessions.push(node);
    const remote = await openPeer(node);
    await waitFor(terminal.stderr, /connected to/, terminal.child);

    await remote.send('hello terminal');
    await waitFor(terminal.stdout, new RegExp(`${node.peerId}: hello terminal`), terminal.child);
    const reply = messages(node, 1);
    terminal.child.stdin?.write('hello library\n');
    expect(await reply).toEqual(['hello library']);

    terminal.child.stdin?.end();
    expect(await terminal.exit).toBe(0);
  });

  it('sends a file with --send and exits 0 once the receiver verified it', async () => {
    const source = join(t.files.dir, 'report.bin');
    const digest = await randomFile(source, 5 * 1024 * 1024 + 3);
    const terminal = cli([t.h.server.signalingUrl, '--room', 'send', '--send', source]);
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const node = await nodePeer(t.h.server.signalingUrl, 'send');
    t.sessions.push(node);
    const target = join(t.files.dir, 'received.bin');
    const arrived = new Promise<unknown>((resolve) =>
      node.on('transfer', (_p, transfer) => {
        expect(transfer.info).toMatchObject({ name: 'report.bin', size: 5 * 1024 * 1024 + 3 });
        transfer.accept(fileSink(target));
        resolve(transfer.done);
      }),
    );
    await arrived;
    expect(await terminal.exit).toBe(0);
    expect(await sha256OfFile(target)).toBe(digest);
    expect(terminal.stderr()).toContain(`SHA-256 ${digest}`);
  });

  it('sends its file once to a peer that joined first (it answers: the order of a browser tab, then the terminal)', async () => {
    // Issue 9, item 10: the answering side's `open` fired twice, and each started a transfer.
    const source = join(t.files.dir, 'once.bin');
    const digest = await randomFile(source, 1024 * 1024 + 5);
    const node = await nodePeer(t.h.server.signalingUrl, 'tab-first');
    t.sessions.push(node);
    const transfers: IncomingTransfer[] = [];
    node.on('transfer', (_p, transfer) => {
      transfer.accept(fileSink(join(t.files.dir, `received-${transfers.length}.bin`)));
      transfers.push(transfer);
    });
    const terminal = cli([t.h.server.signalingUrl, '--room', 'tab-first', '--send', source]);
    const left = node.next('peer-left');
    expect(await terminal.exit).toBe(0);
    await left;
    expect(transfers).toHaveLength(1);
    await transfers[0]?.done;
    expect(await sha256OfFile(join(t.files.dir, 'received-0.bin'))).toBe(digest);
  });

  it('saves files into --receive under their own names, and ends on Ctrl+C', async () => {
    const inbox = join(t.files.dir, 'inbox');
    await mkdir(inbox);
    const source = join(t.files.dir, 'photo.jpg');
    const digest = await randomFile(source, 2 * 1024 * 1024);
    const terminal = cli([t.h.server.url, '--room', 'recv', '--receive', inbox]);
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const node = await nodePeer(t.h.server.signalingUrl, 'recv');
    t.sessions.push(node);
    const remote = await openPeer(node);
    await remote.sendFile(await fileSource(source, 'photo.jpg')).done;
    await waitFor(terminal.stderr, /saved .*photo\.jpg/, terminal.child);
    expect(await readdir(inbox)).toEqual(['photo.jpg']);
    expect(await sha256OfFile(join(inbox, 'photo.jpg'))).toBe(digest);
    const left = node.next('peer-left');
    terminal.child.kill('SIGINT');
    expect(await terminal.exit).toBe(0);
    // It left the room rather than dropping its connection.
    expect((await left)[0].id).toBeDefined();
  });

  it('keeps receiving when stdin is closed (< /dev/null, a background job)', async () => {
    // Issue 9, item 15: the end of stdin ended the session at once, before any file could come.
    const inbox = join(t.files.dir, 'inbox');
    await mkdir(inbox);
    const terminal = cli([t.h.server.url, '--room', 'background', '--receive', inbox], 'ignore');
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const node = await nodePeer(t.h.server.signalingUrl, 'background');
    t.sessions.push(node);
    const remote = await openPeer(node);
    await remote.sendFile(Object.assign(new Blob(['late but welcome']), { name: 'late.txt' })).done;
    await waitFor(terminal.stderr, /saved .*late\.txt/, terminal.child);
    expect(terminal.child.exitCode).toBeNull();
    terminal.child.kill('SIGTERM');
    expect(await terminal.exit).toBe(0);
  });

  it('names received files as the sender did: a clash is numbered, a hostile name stays in the folder', async () => {
    // Issue 9, item 15: the code added a timestamp to every name, where its comment and the README
    // promised the sender's name, numbered on a clash.
    const inbox = join(t.files.dir, 'deep', 'inbox');
    await mkdir(inbox, { recursive: true });
    await writeFile(join(inbox, 'notes.txt'), 'already here');
    const terminal = cli([t.h.server.url, '--room', 'names', '--receive', inbox], 'ignore');
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const node = await nodePeer(t.h.server.signalingUrl, 'names');
    t.sessions.push(node);
    const remote = await openPeer(node);
    const sent: Array<[string, string]> = [
      ['notes.txt', 'new notes'],
      ['notes.txt', 'newer notes'],
      ['../../etc/passwd', 'root:x:0:0'],
      ['..\\..\\boot.ini', 'windows'],
      ['..', 'dots'],
      ['bell\u0007.txt', 'ding'],
      ['photo\u202egpj.exe', 'right-to-left override'],
      ['csi\u009b.txt', 'C1'],
      ['archive.tar.gz', 'gz'],
    ];
    for (const [name, text] of sent) await remote.sendFile(new Blob([text]), { name }).done;
    await waitFor(terminal.stderr, /saved .*archive\.tar\.gz/, terminal.child);
    const saved = Object.fromEntries(
      await Promise.all((await readdir(inbox)).map(async (name) => [name, await readFile(join(inbox, name), 'utf8')] as const)),
    );
    expect(saved).toEqual({
      'notes.txt': 'already here',
      'notes (1).txt': 'new notes',
      'notes (2).txt': 'newer notes',
      passwd: 'root:x:0:0',
      'boot.ini': 'windows',
      file: 'dots',
      'bell_.txt': 'ding',
      'photo_gpj.exe': 'right-to-left override',
      'csi_.txt': 'C1',
      'archive.tar.gz': 'gz',
    });
    expect(await readdir(join(t.files.dir, 'deep'))).toEqual(['inbox']);
    expect(await readdir(t.files.dir)).toEqual(['deep']);
    terminal.child.kill('SIGINT');
    expect(await terminal.exit).toBe(0);
  });

  it.each([
    [['--room', 'r'], /exactly one server address/],
    [['http://127.0.0.1:1/'], /--room is required/],
    [['ftp://x/', '--room', 'r'], /not an http\(s\) or ws\(s\) address/],
    [['http://[', '--room', 'r'], /url: "http:\/\/\[" is not an http\(s\) or ws\(s\) address/],
    [['http://127.0.0.1:1/', '--room', 'r', '--send', '/no/such/file'], /--send: no file/],
    [['http://127.0.0.1:1/', '--room', 'r', '--bogus'], /Unknown option/],
    [['http://127.0.0.1:1/', '--room', 'r', '--name', 'n'.repeat(65)], /--name: expected a display name of 1 to 64 characters/],
    [['http://127.0.0.1:1/', '--room', 'r', '--ice-policy', 'none'], /--ice-policy: "none" is not all or relay/],
    [
      ['http://127.0.0.1:1/', '--room', 'r', '--relay', 'banana'],
      /--relay: "banana" is not valid: expected a duration from 0ms to 10m .*\(or off\)/,
    ],
    [['http://127.0.0.1:1/', '--room', 'r', '--relay', '20m'], /--relay: "20m" is not valid/],
  ])('exits 2 for bad usage %j', async (args, message) => {
    const run = cli(args);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(message);
  });

  it('exits 2 for a --token too long to be one, without echoing it', async () => {
    const run = cli(['http://127.0.0.1:1/', '--room', 'r', '--token', 't'.repeat(4097)]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/--token: expected a room token of 1 to 4096 characters, got a string of 4097 characters/);
    expect(run.stderr()).not.toContain('tttt');
  });

  it('exits 1 when the server cannot be reached', async () => {
    const run = cli(['http://127.0.0.1:9/', '--room', 'r']);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('could not join');
  });
});

describe('icebreaker peer on a server with --auth-secret', () => {
  const secret = 'cli-auth-secret-0123456789abcdefghijkl';
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ authSecret: secret });
  });
  afterEach(async () => {
    killPeers();
    await h.close();
  });

  // Outside tester: the CLI printed the server's "pass `token` in `join`", words of the protocol.
  it.each([
    ['auth-required', async () => [], /auth-required: this server admits only peers with a room token: pass it with --token <room token>/],
    ['auth-invalid', async () => ['--token', 'not-a-token'], /auth-invalid: the server refused the room token given with --token/],
    [
      'auth-expired',
      async () => ['--token', await mintRoomToken(secret, { room: 'guarded', ttlMs: 60_000 }, Date.now() - 3_600_000)],
      /auth-expired: the room token given with --token \(or ICEBREAKER_TOKEN\) has expired: get a fresh one/,
    ],
    [
      'auth-wrong-room',
      async () => ['--token', await mintRoomToken(secret, { room: 'elsewhere', ttlMs: 60_000 })],
      /auth-wrong-room: the room token given with --token \(or ICEBREAKER_TOKEN\) is for another room: get one for room "guarded"/,
    ],
  ])('says what to do about %s in the words of the CLI, and exits 1', async (_code, extra, advice) => {
    const run = cli([h.server.url, '--room', 'guarded', ...(await extra())], 'ignore');
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(advice);
    expect(run.stderr()).toContain('icebreaker token --room guarded --secret');
    expect(run.stderr()).not.toContain('`join`');
  });

  it('joins with a token from icebreaker token', async () => {
    const token = await mintRoomToken(secret, { room: 'guarded', ttlMs: 60_000 });
    const run = cli([h.server.url, '--room', 'guarded', '--token', token]);
    await waitFor(run.stderr, /joined room "guarded"/, run.child);
    run.child.stdin?.end();
    expect(await run.exit).toBe(0);
  });
});
