import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createCode } from '@icebreaker/client/pairing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomFile, scratch, sha256OfFile } from '../helpers/files.js';
import { captureLog, type Harness, startHarness } from '../helpers/server.js';
import { CLI } from '../helpers/server-process.js';
import { type Cli, cli, killPeers, waitFor } from './peer-process.js';

/** The link a sender printed ("open this link …" then the link on its own line). */
const linkOf = (sender: Cli): string => /^ {2}(http:\/\/\S+#room=\S+&key=\S+)$/m.exec(sender.stderr())?.[1] ?? '';

/** The safety digits a peer printed as text. */
const digitsOf = (peer: Cli): string[] =>
  [...peer.stderr().matchAll(/safety number (\d{5} \d{5} \d{5} \d{5}) \(/g)].map((m) => m[1] as string);

/** The JSON lines a `--json` peer wrote on stderr. */
const events = (peer: Cli): Array<Record<string, unknown>> =>
  peer
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('icebreaker peer: pairing by link and by code', () => {
  let h: Harness;
  let log: ReturnType<typeof captureLog>;
  let files: Awaited<ReturnType<typeof scratch>>;
  let inbox: string;
  let source: string;
  let digest: string;
  beforeEach(async () => {
    log = captureLog();
    h = await startHarness({ logger: log.logger });
    files = await scratch();
    inbox = join(files.dir, 'inbox');
    await mkdir(inbox);
    source = join(files.dir, 'photo.bin');
    digest = await randomFile(source, 1024 * 1024 + 7);
  });
  afterEach(async () => {
    killPeers();
    await h.close();
    await files.dispose();
  });

  it('by link: the file lands whole, both sides print the same safety number and paired, the secret stays off the server', async () => {
    const sender = cli([h.server.url, '--send', source], 'ignore');
    await waitFor(sender.stderr, /or run: icebreaker peer --receive '/, sender.child);
    const link = linkOf(sender);
    const secret = new URL(link).hash.match(/key=([\w-]+)/)?.[1] ?? '';
    expect(secret).toMatch(/^[\w-]{22}$/);
    // The page is the server's own origin, the room is in the fragment with the secret.
    expect(link.startsWith(`${h.server.url}#room=p-`)).toBe(true);
    expect(sender.stderr()).toContain(`or run: icebreaker peer --receive '${link}'`);
    // The QR code is drawn in block characters under the link.
    expect(sender.stderr()).toMatch(/\n█{20,}\n/);

    const receiver = cli(['--receive', link, '--into', inbox, '--json'], 'ignore');
    expect(await sender.exit, sender.stderr()).toBe(0);
    // A receiver by link leaves on its own once its sender has sent and gone.
    expect(await receiver.exit, receiver.stderr()).toBe(0);
    expect(await readdir(inbox)).toEqual(['photo.bin']);
    expect(await sha256OfFile(join(inbox, 'photo.bin'))).toBe(digest);

    const [senderDigits] = digitsOf(sender);
    expect(senderDigits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(sender.stderr()).toContain('the other side also proved it holds the link');
    const safety = events(receiver).filter((e) => e.event === 'safety');
    expect(safety.length).toBeGreaterThan(0);
    for (const line of safety) {
      expect(line.digits).toBe(senderDigits);
      expect(line.paired).toBe(true);
      expect(line.words).toHaveLength(6);
    }
    // The terminal peer reports the certificate libdatachannel's handshake used: checked against the SDP.
    expect(safety.at(-1)?.checked).toBe('handshake');

    // The secret: on the sender's terminal in the two lines that hand the link over, nowhere else.
    expect(
      sender
        .stderr()
        .split('\n')
        .filter((line) => line.includes(secret)),
    ).toEqual([`  ${link}`, `or run: icebreaker peer --receive '${link}'`]);
    expect(sender.stdout() + receiver.stdout() + receiver.stderr()).not.toContain(secret);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(log.lines)).toContain(new URL(link).hash.match(/room=([\w-]+)/)?.[1]);
    expect(JSON.stringify(log.lines)).not.toContain(secret);
    const metrics = await (await fetch(new URL('/metrics', h.server.url))).text();
    expect(metrics).toContain('icebreaker_');
    expect(metrics).not.toContain(secret);
  });

  it('--receive - reads the link from stdin, so it is never on the command line', async () => {
    const sender = cli([h.server.url, '--send', source], 'ignore');
    await waitFor(sender.stderr, /or run: icebreaker peer --receive '/, sender.child);
    const link = linkOf(sender);
    const receiver = cli(['--receive', '-', '--into', inbox], `${link}\n`);
    expect(receiver.child.spawnargs.join(' ')).not.toContain('key=');
    expect(await sender.exit, sender.stderr()).toBe(0);
    expect(await receiver.exit, receiver.stderr()).toBe(0);
    expect(await sha256OfFile(join(inbox, 'photo.bin'))).toBe(digest);
    expect(digitsOf(receiver)).toEqual(digitsOf(sender));
    // Nothing on stdin, or only a blank line: a usage error, not a wait.
    const empty = cli(['--receive', '-'], '\n');
    expect(await empty.exit).toBe(2);
    expect(empty.stderr()).toContain('stdin held no link or code');
  });

  it('--receive - at a terminal asks for the link, then receives with it', async () => {
    const sender = cli([h.server.url, '--send', source], 'ignore');
    await waitFor(sender.stderr, /or run: icebreaker peer --receive '/, sender.child);
    const link = linkOf(sender);
    // A real terminal (util-linux script(1) gives the peer a pty): a silent cursor would read as a hang.
    const command = [process.execPath, CLI, 'peer', '--receive', '-', '--into', inbox].map((arg) => `'${arg}'`).join(' ');
    const terminal = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    terminal.stdout.on('data', (chunk) => {
      screen += chunk;
    });
    const exit = once(terminal, 'exit').then(([code]) => code as number | null);
    try {
      await waitFor(() => screen, /paste the link \(or type the code\) and press Enter: /, terminal);
      terminal.stdin.write(`${link}\n`);
      expect(await sender.exit, sender.stderr()).toBe(0);
      expect(await exit, screen).toBe(0);
    } finally {
      if (terminal.exitCode === null) terminal.kill('SIGKILL');
    }
    expect(await sha256OfFile(join(inbox, 'photo.bin'))).toBe(digest);
    expect(screen).toContain('saved ');
  });

  it('by code: the file lands whole and both sides print the same safety number, not paired', async () => {
    const sender = cli([h.server.url, '--code', '--send', source], 'ignore');
    await waitFor(sender.stderr, /--receive \d+-[a-z]+-[a-z]+\n/, sender.child);
    const code = /icebreaker peer (\S+) --receive (\d+-[a-z]+-[a-z]+)\n/.exec(sender.stderr());
    expect(code?.[1]).toBe(h.server.url);
    // A person at a browser is told where to type it.
    expect(sender.stderr()).toContain(`or open ${h.server.url} in a browser and type the code under "Join with code"\n`);
    expect(sender.stderr()).toContain(`joined room "c-${code?.[2]}"`);

    const receiver = cli([h.server.url, '--receive', code?.[2] ?? '', '--into', inbox], 'ignore');
    expect(await sender.exit, sender.stderr()).toBe(0);
    expect(await receiver.exit, receiver.stderr()).toBe(0);
    expect(await sha256OfFile(join(inbox, 'photo.bin'))).toBe(digest);
    const [digits] = digitsOf(sender);
    expect(digits).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(digitsOf(receiver)).toEqual([digits]);
    // No secret, so no proof: the number is how the two users check.
    expect(sender.stderr() + receiver.stderr()).not.toContain('proved it holds the link');
    expect(sender.stderr()).toContain('a code carries no secret');
  });

  it('refuses a peer that holds another link to the same room (exit 5, no file); the sender goes on to the holder of its link', async () => {
    const sender = cli([h.server.url, '--send', source], 'ignore');
    await waitFor(sender.stderr, /or run: icebreaker peer --receive '/, sender.child);
    const link = linkOf(sender);
    const secret = new URL(link).hash.match(/key=([\w-]+)/)?.[1] ?? '';
    // Same room, another secret of the right length: what someone who made up a link to the room holds.
    const intruderInbox = join(files.dir, 'intruder');
    await mkdir(intruderInbox);
    const intruder = cli(
      ['--receive', link.replace(secret, `${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`), '--into', intruderInbox, '--json'],
      'ignore',
    );
    expect(await intruder.exit, intruder.stderr()).toBe(5);
    expect(events(intruder)).toContainEqual(expect.objectContaining({ event: 'refused', code: 'tampered' }));
    expect(events(intruder).filter((e) => e.event === 'safety' || e.event === 'saved')).toEqual([]);
    expect(await readdir(intruderInbox)).toEqual([]);
    await waitFor(sender.stderr, / left\n/, sender.child);

    const receiver = cli(['--receive', link, '--into', inbox], 'ignore');
    expect(await sender.exit, sender.stderr()).toBe(0);
    expect(await receiver.exit, receiver.stderr()).toBe(0);
    expect(await sha256OfFile(join(inbox, 'photo.bin'))).toBe(digest);
  });

  it('tells the user in plain words why it refused', async () => {
    const sender = cli([h.server.url, '--send', source], 'ignore');
    await waitFor(sender.stderr, /or run: icebreaker peer --receive '/, sender.child);
    const link = linkOf(sender);
    const secret = new URL(link).hash.match(/key=([\w-]+)/)?.[1] ?? '';
    const intruder = cli(['--receive', link.replace(secret, 'x'.repeat(22)), '--into', inbox], 'ignore');
    expect(await intruder.exit).toBe(5);
    expect(intruder.stderr()).toContain('the signaling path was tampered with, or the other side has another link: refused');
    expect(intruder.stderr()).not.toMatch(/safety number|connected to|saved/);
  });
});

describe('icebreaker peer: bad --receive, --code and --into', () => {
  afterEach(killPeers);
  const code = createCode();
  const link = 'http://127.0.0.1:1/#room=p-abc&key=AAAAAAAAAAAAAAAAAAAAAA';
  it.each([
    [['--receive', 'hello'], /--receive: "hello" is not a link \(http:\/\/host\/#room=…&key=…\) or a code/],
    [['--receive', './inbox'], /to save into a folder, give --room too/],
    [['--receive', 'http://127.0.0.1:1/'], /--receive: a pairing link: expected "#room=…&key=…" after the address/],
    [['--receive', 'http://127.0.0.1:1/#room=p-abc'], /--receive: a pairing link: its key is missing/],
    [['--receive', 'http://127.0.0.1:1/#room=p-abc&key=short'], /--receive: a pairing link: its key is not 22 to 86 base64url characters/],
    [['--receive', 'ftp://127.0.0.1:1/#room=p-abc&key=AAAAAAAAAAAAAAAAAAAAAA'], /--receive: a pairing link: expected an http\(s\) address/],
    [['http://127.0.0.1:1/', '--receive', '7-purple'], /--receive: a code: expected a number from 1 to 99 and two words/],
    [['http://127.0.0.1:1/', '--receive', '100-aardvark-adroitness'], /--receive: a code: expected/],
    [['--receive', code], /--receive: a code names no server: icebreaker peer <url> --receive/],
    [['http://127.0.0.1:1/', '--receive', link], /a link names its server: give no server address/],
    [['--receive', link, '--into', '/no/such/folder'], /--into: no folder at \/no\/such\/folder/],
    [['--receive', link, '--code'], /--code is for the side that sends/],
    [['http://127.0.0.1:1/', '--room', 'r', '--code', '--send', 'x'], /--code makes a room of its own/],
    [['http://127.0.0.1:1/', '--room', 'r', '--into', '.'], /--into goes with --receive LINK/],
    [['http://127.0.0.1:1/', '--code'], /--room is required \(or --send, which makes a link, or --receive LINK\)/],
  ])('exits 2 for %j', async (args, message) => {
    const run = cli(args);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(message);
    // A usage error never repeats the secret of a link it was given.
    expect(run.stderr()).not.toContain('AAAAAAAAAAAAAAAAAAAAAA');
  });
});
