import { describe, expect, it } from 'vitest';
import { randomFile } from '../helpers/files.js';
import { cli, cliSuite, waitFor } from './peer-process.js';

/** The lines a `--receive` terminal printed from the peer `id`, in order. */
function linesFrom(stdout: string, id: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`${id}: `))
    .map((line) => line.slice(id.length + 2));
}

describe('icebreaker peer: input before a peer connects, and --wait', () => {
  const t = cliSuite();

  /** A `--receive` terminal already in `room`, as in the tester's report; returns it and its peer id. */
  async function receiver(room: string) {
    const terminal = cli([t.h.server.url, '--room', room, '--receive', t.files.dir], 'ignore');
    await waitFor(terminal.stderr, /joined room/, terminal.child);
    const id = /as (\S+);/.exec(terminal.stderr())?.[1] ?? '';
    return { terminal, id };
  }

  it('(echo early; …; echo late) | icebreaker peer: the line read before the channel opened arrives first, then the later one', async () => {
    const rx = await receiver('early-late');
    const chat = cli([t.h.server.url, '--room', 'early-late']);
    // Written at once: the terminal reads it while its connection to the receiver is still coming up.
    chat.child.stdin?.write('early\n');
    await waitFor(chat.stderr, /joined room "early-late" as (\S+);/, chat.child);
    const id = /as (\S+);/.exec(chat.stderr())?.[1] ?? '';
    await waitFor(rx.terminal.stdout, new RegExp(`${id}: early\\n`), rx.terminal.child);
    chat.child.stdin?.end('late\n');
    expect(await chat.exit).toBe(0);
    await waitFor(rx.terminal.stdout, new RegExp(`${id}: late\\n`), rx.terminal.child);
    expect(linesFrom(rx.terminal.stdout(), id)).toEqual(['early', 'late']);
    expect(chat.stderr()).toContain('no peer connected: lines wait until one connects');
  });

  it('echo hi | icebreaker peer: waits for the connection, sends the line, leaves and exits 0', async () => {
    const rx = await receiver('echo-hi');
    const chat = cli([t.h.server.url, '--room', 'echo-hi'], 'hi\n');
    expect(await chat.exit).toBe(0);
    const id = /as (\S+);/.exec(chat.stderr())?.[1] ?? '';
    await waitFor(rx.terminal.stdout, new RegExp(`${id}: hi\\n`), rx.terminal.child);
    await waitFor(rx.terminal.stderr, new RegExp(`${id} left`), rx.terminal.child);
    expect(linesFrom(rx.terminal.stdout(), id)).toEqual(['hi']);
  });

  it('keeps 1,000 lines for a peer that comes after the end of input, sends them in order, and names the lines it dropped', async () => {
    const input = Array.from({ length: 1005 }, (_, i) => `line ${i + 1}`).join('\n');
    const chat = cli([t.h.server.url, '--room', 'backlog'], `${input}\n`);
    await waitFor(chat.stderr, /end of input: 1000 lines waiting for a peer \(up to 10m, --wait\)/, chat.child);
    expect(chat.stderr()).toMatch(/1000 lines or 1 MiB already wait for a peer: lines from here on are dropped/);
    const rx = await receiver('backlog');
    expect(await chat.exit).toBe(0);
    const id = /as (\S+);/.exec(chat.stderr())?.[1] ?? '';
    await waitFor(rx.terminal.stdout, new RegExp(`${id}: line 1000\n`), rx.terminal.child);
    expect(linesFrom(rx.terminal.stdout(), id)).toEqual(Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`));
    expect(chat.stderr()).toContain('dropped 5 lines of input (lines 1001–1005, 50 bytes)');
  });

  it('gives up with exit 4 when no peer connects within --wait after the end of input', async () => {
    const chat = cli([t.h.server.url, '--room', 'nobody', '--wait', '1s'], 'anyone there?\n');
    expect(await chat.exit).toBe(4);
    expect(chat.stderr()).toContain('no peer connected within 1s: 1 line was not sent');
  });

  it('gives up on --send with exit 4 when no peer connects within --wait', async () => {
    const source = `${t.files.dir}/unsent.bin`;
    await randomFile(source, 1024);
    const sender = cli([t.h.server.url, '--room', 'nobody', '--send', source, '--wait', '1500ms'], 'ignore');
    expect(await sender.exit).toBe(4);
    expect(sender.stderr()).toContain('no peer connected within 1500ms: "unsent.bin" was not sent');
  });

  it('documents --wait, its default and exit code 4 in --help', async () => {
    const help = cli(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toMatch(/--wait <duration>[\s\S]*default 10m/);
    expect(help.stdout()).toContain('4 no peer connected within --wait');
  });
});
