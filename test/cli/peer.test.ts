import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/client/index.js';
import { fileSink, fileSource, randomFile, scratch, sha256OfFile } from '../helpers/files.js';
import { messages, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
function cli(args: string[]): Cli {
  const child = spawn(process.execPath, [CLI, 'peer', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c) => {
    out += c;
  });
  child.stderr?.on('data', (c) => {
    err += c;
  });
  return { child, stdout: () => out, stderr: () => err, exit: once(child, 'exit').then(([code]) => code as number | null) };
}

async function waitFor(read: () => string, pattern: RegExp, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!pattern.test(read())) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('icebreaker peer', () => {
  let h: Harness;
  let files: Awaited<ReturnType<typeof scratch>>;
  const sessions: Session[] = [];
  beforeEach(async () => {
    h = await startHarness();
    files = await scratch();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const s of sessions.splice(0)) s.close();
    await h.close();
    await files.dispose();
  });

  it('chats over stdin and stdout with a library peer, and exits 0 at end of input', async () => {
    const terminal = cli([h.server.url, '--room', 'chat']);
    await waitFor(terminal.stderr, /joined room "chat"/, terminal.child);
    const node = await nodePeer(h.server.signalingUrl, 'chat');
    sessions.push(node);
    const remote = await openPeer(node);
    await waitFor(terminal.stderr, /connected to/, terminal.child);

    await remote.send('hello terminal');
    await waitFor(terminal.stdout, new RegExp(`${node.id}: hello terminal`), terminal.child);
    const reply = messages(node, 1);
    terminal.child.stdin?.write('hello library\n');
    expect(await reply).toEqual(['hello library']);

    terminal.child.stdin?.end();
    expect(await terminal.exit).toBe(0);
  });

  it('sends a file with --send and exits 0 once the receiver verified it', async () => {
    const source = join(files.dir, 'report.bin');
    const digest = await randomFile(source, 5 * 1024 * 1024 + 3);
    const terminal = cli([h.server.signalingUrl, '--room', 'send', '--send', source]);
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const node = await nodePeer(h.server.signalingUrl, 'send');
    sessions.push(node);
    const target = join(files.dir, 'received.bin');
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

  it('saves files into --receive and reports them', async () => {
    const inbox = join(files.dir, 'inbox');
    await import('node:fs/promises').then((fs) => fs.mkdir(inbox));
    const source = join(files.dir, 'photo.jpg');
    const digest = await randomFile(source, 2 * 1024 * 1024);
    const terminal = cli([h.server.url, '--room', 'recv', '--receive', inbox]);
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const node = await nodePeer(h.server.signalingUrl, 'recv');
    sessions.push(node);
    const remote = await openPeer(node);
    await remote.sendFile(await fileSource(source, 'photo.jpg')).done;
    await waitFor(terminal.stderr, /saved .*photo.*\.jpg/, terminal.child);
    const [saved] = await readdir(inbox);
    expect(saved).toMatch(/^photo-.*\.jpg$/);
    expect(await sha256OfFile(join(inbox, saved as string))).toBe(digest);
    terminal.child.stdin?.end();
    expect(await terminal.exit).toBe(0);
  });

  it.each([
    [['--room', 'r'], /exactly one server address/],
    [['http://127.0.0.1:1/'], /--room is required/],
    [['ftp://x/', '--room', 'r'], /not an http\(s\) or ws\(s\) address/],
    [['http://127.0.0.1:1/', '--room', 'r', '--send', '/no/such/file'], /--send: no file/],
    [['http://127.0.0.1:1/', '--room', 'r', '--bogus'], /Unknown option/],
  ])('exits 2 for bad usage %j', async (args, message) => {
    const run = cli(args);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(message);
  });

  it('exits 1 when the server cannot be reached', async () => {
    const run = cli(['http://127.0.0.1:9/', '--room', 'r']);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('could not join');
  });
});
