import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  connect,
  type OutgoingTransfer,
  type PathCandidate,
  type PathInfo,
  type RemotePeer,
  type Room,
  type WebSocketConstructor,
} from '@icebreaker/client';
import { isIcebreakerError } from '@icebreaker/protocol';
import { initLogger, type LogLevel } from 'node-datachannel';
import WebSocket from 'ws';
import { combinedProgress, type ProgressOutput } from './combined-progress.js';
import { type DiskStore, diskStore } from './disk-store.js';
import { fileSource } from './file-source.js';
import { firstLine } from './first-line.js';
import { IncomingGroups } from './incoming-groups.js';
import { inviteBanner } from './invite-banner.js';
import { type Meeting, meeting, pageOf } from './meeting.js';
import { NodeRTCPeerConnection as RTCPeerConnection } from './node-rtc.js';
import { PARTIAL_FLAGS, PARTIAL_FLAGS_HELP, partialBounds } from './partial-flags.js';
import { type DroppedLines, PENDING_LIMITS, PendingLines } from './pending-lines.js';
import { printable } from './printable.js';
import { reportSafety } from './safety-line.js';
import { type FileToSend, filesToSend } from './send-list.js';
import { durationText, parseDuration } from './setting-text.js';

/** Exit codes a script can rely on. */
export const PEER_EXIT = { ok: 0, failed: 1, usage: 2, transfer: 3, noPeer: 4, refused: 5 } as const;

/**
 * The errors that end a session with exit 5, and what the user is told: the other side is not who
 * the link (or the SDP) says, so nothing is sent to it or taken from it.
 */
const REFUSALS: Readonly<Record<string, string>> = {
  tampered: 'the signaling path was tampered with, or the other side has another link: refused',
  'fingerprint-mismatch':
    'the DTLS handshake used another certificate than the one the other side announced: someone may sit in the middle: refused',
};

/**
 * How long something to deliver (a --send file, chat lines left at the end of input) waits for a
 * peer by default: long enough to open a link on another machine, short enough that a forgotten
 * script does not wait for ever.
 */
const DEFAULT_WAIT = '10m';
const MAX_WAIT_MS = 7 * 86_400_000;

export const PEER_HELP = `Usage: icebreaker peer <url> --room <room> [options] [--send <path>…]
       icebreaker peer <url> [--code] --send <path>…      make a link (or a code) for the other side
       icebreaker peer --receive '<link>' [--into <dir>]   receive with a link
       icebreaker peer <url> --receive <code> [--into <dir>]

Joins a room as a peer from the terminal. Lines typed on stdin go to every connected peer; messages
from peers are printed on stdout as "<peer id>: <text>". Status and progress go to stderr. What peers
chose (messages, names, file names) is printed with control and bidirectional characters escaped
(\\x1b, \\u202e): no peer can recolour, retitle or reorder your terminal.
Lines read before a peer is connected wait for one, and go to it first, in order (at most ${PENDING_LIMITS.lines}
lines or ${PENDING_LIMITS.bytes / 1048576} MiB; stderr names the lines dropped beyond). A chat ends at the end of stdin once
its lines are sent: lines still waiting then wait up to --wait for a peer. --send ends when its files
are sent; --receive <dir> runs until Ctrl+C (or SIGTERM) and needs no stdin (run it with < /dev/null,
or in the background); --receive with a link or a code ends once its sender has sent and left.

<url> is the page address (http://host:port/) or the signaling endpoint (ws://host:port/ws).

Pairing: --send without --room makes a link, printed on stderr with its QR code and the command for
the other side. The link's part after # holds a random room and a secret of 128 bits: browsers and
this command never send it to any server. With it each side proves to the other that it holds the
link, so a server (or anyone on the signaling path) that puts itself in the middle is refused (exit 5).
--code makes a short code (7-tiger-hurricane) instead, to type: it carries no secret, so compare the
safety numbers. Each peer's safety number (20 digits and 6 words, made from both sides' DTLS
certificates) is printed as it is known: both sides see the same one unless someone sits in the middle.

Options:
  --room <room>         room to join (required, except with a link or a code)
  --code                with --send and no --room: make a short code instead of a link
  --name <name>         display name shown to the other peers
  --token <token>       room token, for a server that requires one (env ICEBREAKER_TOKEN)
  --send <path>…        send these files and folders to the first peer that connects, then exit:
                        a folder is sent whole, each file with its path in the folder. One line
                        of progress for all (bytes, rate, time left, files done). If the receiver
                        restarts, the transfer resumes where its disk left off
  --receive <dir>       save files that peers send into this folder, under the name the sender
                        gave; a name already taken gets " (1)", " (2)", …; the files of a folder
                        go into its folders under <dir> (never outside). Unfinished files stay
                        beside their destination (.icebreaker-part, .icebreaker-manifest) and
                        resume when this command runs again (see "icebreaker transfers").
                        Without --room: a link (icebreaker peer --receive 'http://…#room=…&key=…')
                        or a code (icebreaker peer <url> --receive 7-tiger-hurricane) to meet the
                        sender with; the files go into --into. "--receive -" reads the link from
                        stdin's first line (paste it at the prompt): a command line is readable by
                        every user of the machine
  --into <dir>          with --receive LINK or CODE: the folder to save into (default: this one)
${PARTIAL_FLAGS_HELP}
  --json                progress and file events on stderr as JSON lines, for scripts
  --wait <duration>     how long the file of --send, or chat lines left at the end of stdin, wait
                        for a peer to connect: 30s, 10m, 1h; 0 for no limit (default ${DEFAULT_WAIT}).
                        Not used by --receive alone, which waits until interrupted
  --ice-policy <policy> all (default): any candidate; relay: TURN candidates only (hides this
                        machine's addresses from the peer; with no TURN server, ICE cannot connect)
  --relay <duration>    how long ICE may take to connect, or stay down, before the data goes through
                        the signaling server instead (end-to-end encrypted): 4s by default; 0 relays
                        at once and moves to the direct path when ICE connects; off: never relay
  --help                show this help

Environment: ICEBREAKER_RTC_LOG=Debug (or Verbose, Info, Warning, Error) prints libdatachannel's own
log on stderr, to see why a connection does not come up.

The path to each peer is printed on stderr as it changes: direct, turn (through a TURN server) or
relay (through the signaling server), with why it fell back.

Exit codes: 0 done, 1 could not connect or the connection failed, 2 bad usage,
3 a file transfer failed or was cancelled, 4 no peer connected within --wait, 5 refused: the other
side could not prove it holds the link (tampered), or its DTLS certificate was not the announced one.
`;

/**
 * What a terminal user does about a refused room token: the server's own messages speak of the
 * protocol's `join`, which a CLI user never sees.
 */
function authAdvice(code: string, room: string): string | undefined {
  const mint = `icebreaker token --room ${room} --secret <the server's --auth-secret> mints one for development`;
  switch (code) {
    case 'auth-required':
      return `this server admits only peers with a room token: pass it with --token <room token> (or ICEBREAKER_TOKEN); ${mint}`;
    case 'auth-invalid':
      return `the server refused the room token given with --token (or ICEBREAKER_TOKEN): it is malformed, or was not signed with the server's --auth-secret; ${mint}`;
    case 'auth-expired':
      return `the room token given with --token (or ICEBREAKER_TOKEN) has expired: get a fresh one; ${mint}`;
    case 'auth-wrong-room':
      return `the room token given with --token (or ICEBREAKER_TOKEN) is for another room: get one for room "${room}"; ${mint}`;
    default:
      return undefined;
  }
}

interface Io {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
}

export { signalingUrl } from './signaling-url.js';

/** Runs `icebreaker peer` and resolves with its exit code. */
export async function peer(argv: readonly string[], io: Io): Promise<number> {
  let positionals: string[];
  let values: {
    room?: string;
    name?: string;
    token?: string;
    send?: string[];
    receive?: string;
    into?: string;
    code?: boolean;
    wait?: string;
    'ice-policy'?: string;
    relay?: string;
    json?: boolean;
    'partial-max-age'?: string;
    'partial-max-bytes'?: string;
    help?: boolean;
  };
  try {
    ({ positionals, values } = parseArgs({
      args: [...argv],
      options: {
        room: { type: 'string' },
        name: { type: 'string' },
        token: { type: 'string' },
        send: { type: 'string', multiple: true },
        receive: { type: 'string' },
        into: { type: 'string' },
        code: { type: 'boolean' },
        json: { type: 'boolean' },
        ...PARTIAL_FLAGS,
        wait: { type: 'string' },
        'ice-policy': { type: 'string' },
        relay: { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    io.err.write(`icebreaker peer: ${(error as Error).message}\n`);
    return PEER_EXIT.usage;
  }
  if (values.help) {
    io.out.write(PEER_HELP);
    return PEER_EXIT.ok;
  }
  const usage = (message: string): number => {
    io.err.write(`icebreaker peer: ${message}\nRun "icebreaker peer --help" for the options.\n`);
    return PEER_EXIT.usage;
  };
  // Paths after the address are more to send: `--send *.jpg` as the shell expands it.
  const [address, ...extra] = positionals;
  if (extra.length > 0 && values.send === undefined) return usage('give exactly one server address');
  let where: Meeting;
  try {
    // `--receive -`: the link (or code) from the first line of stdin, not the command line.
    const fromStdin = values.receive === '-' && values.room === undefined;
    // At a terminal, say what it waits for: a silent cursor reads as a hang.
    if (fromStdin && io.stdin.isTTY) io.err.write('paste the link (or type the code) and press Enter: ');
    const receive = fromStdin ? await firstLine(io.stdin) : values.receive;
    if (receive === '') throw new TypeError('--receive -: stdin held no link or code');
    where = meeting({
      address,
      room: values.room,
      receive,
      into: values.into,
      code: values.code === true,
      sending: values.send !== undefined,
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { endpoint, inbox } = where;
  let toSend: readonly FileToSend[] | undefined;
  if (values.send !== undefined) {
    try {
      const list = await filesToSend([...values.send, ...extra]);
      for (const skipped of list.skipped) io.err.write(`not sending ${printable(skipped)}\n`);
      if (list.files.length === 0) return usage('--send: no files to send in what was given');
      toSend = list.files;
    } catch (error) {
      return usage((error as Error).message);
    }
  }
  if (inbox !== undefined && !(await stat(inbox).catch(() => null))?.isDirectory())
    return usage(`${values.into === undefined ? '--receive' : '--into'}: no folder at ${printable(inbox)}`);
  let bounds: ReturnType<typeof partialBounds>;
  try {
    bounds = partialBounds(values);
  } catch (error) {
    return usage((error as Error).message);
  }
  const json = values.json === true;
  /** A file event: a status line, or a JSON line with --json. */
  const event = (text: string, fields: Record<string, unknown>): void => {
    io.err.write(json ? `${JSON.stringify(fields)}\n` : `${text}\n`);
  };
  /** Where each received file was saved, by transfer id, until its transfer reports done. */
  const savedAt = new Map<string, string>();
  let store: DiskStore | undefined;
  if (inbox !== undefined) {
    store = diskStore(inbox, {
      ...bounds,
      onSaved: (info, path) => savedAt.set(info.id, path),
      onDropped: ({ manifest, reason, error }) =>
        event(`deleted the unfinished ${printable(manifest)}: ${reason === 'unreadable' ? printable(error?.message ?? '') : reason}`, {
          event: 'dropped',
          manifest,
          reason,
        }),
    });
    const partials = await store.list();
    if (partials.length > 0)
      io.err.write(
        `${partials.length} unfinished ${partials.length === 1 ? 'file' : 'files'} in ${printable(inbox)}: resumed when the sender connects\n`,
      );
  }
  let waitMs: number;
  try {
    waitMs = parseDuration(values.wait ?? DEFAULT_WAIT, '--wait', 0, MAX_WAIT_MS);
  } catch (error) {
    return usage((error as Error).message);
  }
  const waitText = durationText(waitMs);
  const policy = values['ice-policy'] ?? 'all';
  if (policy !== 'all' && policy !== 'relay') return usage(`--ice-policy: "${printable(policy.slice(0, 64))}" is not all or relay`);
  let relay: { afterMs: number } | false;
  try {
    relay = values.relay === 'off' ? false : { afterMs: parseDuration(values.relay ?? '4s', '--relay', 0, 600_000) };
  } catch (error) {
    return usage(`${(error as Error).message} (or off)`);
  }

  // libdatachannel's own log (Verbose, Debug, Info, Warning, Error, Fatal) on stderr, for diagnosing
  // a connection that does not come up.
  const rtcLog = io.env.ICEBREAKER_RTC_LOG;
  if (rtcLog) initLogger(rtcLog as LogLevel, (level, message) => io.err.write(`[libdatachannel ${level}] ${message}\n`));
  const token = values.token ?? io.env.ICEBREAKER_TOKEN;
  let room: Room;
  try {
    room = await connect(endpoint, {
      room: where.room,
      ...(where.secret === undefined ? {} : { secret: where.secret }),
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(token === undefined || token === '' ? {} : { token }),
      rtcConfiguration: { iceTransportPolicy: policy },
      ...(store === undefined ? {} : { transfers: { store } }),
      relay,
      RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
  } catch (error) {
    // The library checks --name and --token as the options they become: a bad one is bad usage.
    if (error instanceof TypeError) return usage(error.message.replace(/^options\./, '--'));
    const advice = isIcebreakerError(error) ? authAdvice(error.code, where.room) : undefined;
    const reason = isIcebreakerError(error) ? `${error.code}: ${advice ?? error.message}` : (error as Error).message;
    io.err.write(`icebreaker peer: could not join: ${printable(reason)}\n`);
    return PEER_EXIT.failed;
  }
  io.err.write(`joined room "${room.name}" as ${printable(room.peerId)}; waiting for peers…\n`);
  if (where.made !== undefined) {
    // The link (and its secret) goes to the user, as text even with --json: a JSON line is what
    // scripts keep and log, and the secret must stay out of logs. The JSON line says which room.
    io.err.write(inviteBanner(where.made, pageOf(endpoint)));
    if (json)
      io.err.write(`${JSON.stringify({ event: 'invite', room: room.name, ...('code' in where.made ? { code: where.made.code } : {}) })}\n`);
  }

  return new Promise<number>((resolve) => {
    let finished = false;
    let sending = false;
    /** Transfers under way, in either direction: an interrupt cuts them short (exit 3). */
    let transfers = 0;
    /** Files saved: a receiver by link or code leaves after its sender, once it has some. */
    let saved = 0;
    const oneShot = inbox !== undefined && values.room === undefined;
    let waitTimer: ReturnType<typeof setTimeout> | undefined;
    /** Chat lines read while no peer's channel was open: sent, in order, to the first that opens. */
    const pending = new PendingLines();
    /** Set once the user has been told that the queue is full, until it empties. */
    let toldFull = false;
    const interrupt = (): void => {
      if (pending.size > 0) io.err.write(`icebreaker peer: interrupted; ${lineCount(pending.size)} never sent: no peer connected\n`);
      if (store !== undefined && transfers > 0)
        io.err.write(
          `icebreaker peer: interrupted; the unfinished files stay in ${printable(inbox ?? '')} and resume when this runs again\n`,
        );
      finish(transfers > 0 ? PEER_EXIT.transfer : PEER_EXIT.ok);
    };
    const finish = (code: number): void => {
      // Closing emits `signaling: closed`, which would otherwise report a failure first.
      if (finished) return;
      finished = true;
      clearTimeout(waitTimer);
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
      resolve(code);
      room.close();
    };
    /**
     * Gives up, exit 4, unless a peer connects within --wait (`0`: no limit): `what` is what
     * was waiting for it, said in the message.
     */
    const awaitPeer = (what: () => string): void => {
      if (waitMs === 0 || waitTimer !== undefined) return;
      waitTimer = setTimeout(() => {
        io.err.write(`icebreaker peer: no peer connected within ${waitText}: ${what()} not sent (--wait 0 waits without limit)\n`);
        reportDropped(pending.take().dropped);
        finish(PEER_EXIT.noPeer);
      }, waitMs);
    };
    // Ctrl+C is how a receiver (or a chat) is meant to end: leave the room, so the others see `left`.
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt);

    /** Sends under way: a chat leaves only once its last line is on the channel. */
    const inflight = new Set<Promise<void>>();
    let inputEnded = false;
    const openPeers = (): RemotePeer[] => [...room.peers.values()].filter((remote) => remote.channelState === 'open');
    const deliver = (remote: RemotePeer, line: string): void => {
      const sent = remote.send(line).catch((error: unknown) => {
        io.err.write(`icebreaker peer: a line was not sent to ${printable(remote.id)}: ${printable((error as Error).message)}\n`);
      });
      inflight.add(sent);
      void sent.finally(() => inflight.delete(sent));
    };
    const reportDropped = (dropped: DroppedLines | null): void => {
      if (!dropped) return;
      const which = dropped.count === 1 ? `line ${dropped.first}` : `lines ${dropped.first}–${dropped.last}`;
      io.err.write(
        `icebreaker peer: dropped ${dropped.count} ${dropped.count === 1 ? 'line' : 'lines'} of input (${which}, ${dropped.bytes} bytes): ` +
          `at most ${PENDING_LIMITS.lines} lines or ${PENDING_LIMITS.bytes / 1048576} MiB wait for a peer\n`,
      );
    };
    /** Ends a chat whose input is over once nothing waits: every line sent and out, then leave. */
    const endChatWhenSent = (): void => {
      if (!inputEnded || toSend !== undefined || inbox !== undefined || pending.size > 0) return;
      void Promise.allSettled([...inflight])
        .then(() => Promise.all(openPeers().map((remote) => remote.flush())))
        .then(() => finish(PEER_EXIT.ok));
    };

    room.on('open', (remote) => {
      io.err.write(`connected to ${who(remote)}\n`);
      clearTimeout(waitTimer);
      waitTimer = undefined;
      // Lines typed while no one was there go first, in order, to the peer that came.
      const { lines: queued, dropped } = pending.take();
      toldFull = false;
      if (queued.length > 0) io.err.write(`sending the ${lineCount(queued.length)} typed before a peer connected\n`);
      for (const line of queued) deliver(remote, line);
      reportDropped(dropped);
      endChatWhenSent();
      // The files go to the first peer that connects (as --help says), however many join after it; a
      // receiver that restarts comes back as another peer, and resumes them by id.
      if (toSend === undefined || sending) return;
      sending = true;
      transfers++;
      void sendFiles(remote, toSend, { err: io.err, json }, event).then(finish);
    });
    room.on('peer-left', (remote) => {
      io.err.write(`${who(remote)} left\n`);
      // A receiver that met its sender by link or code came for what that sender sends: once it is
      // saved and the sender is gone, it is done (a --receive folder with --room waits for the next).
      if (oneShot && saved > 0 && transfers === 0) finish(PEER_EXIT.ok);
    });
    room.on('path', (remote, info) => io.err.write(`path to ${who(remote)}: ${pathText(info)}\n`));
    room.on('message', (remote, data) => {
      const text = typeof data === 'string' ? data : data instanceof ArrayBuffer ? `[${data.byteLength} bytes]` : JSON.stringify(data);
      io.out.write(`${printable(remote.id)}: ${printable(text)}\n`);
    });
    const groups = new IncomingGroups((key, p) => {
      let report = reporters.get(key);
      if (!report) {
        report = combinedProgress({ err: io.err, json }, 'receiving');
        reporters.set(key, report);
      }
      report(p);
      if (p.filesDone === p.files) reporters.delete(key);
    });
    const reporters = new Map<string, ReturnType<typeof combinedProgress>>();
    room.on('transfer', (remote, transfer) => {
      const { info } = transfer;
      const offered = printable(info.path ?? info.name);
      if (store === undefined) {
        transfer.cancel('this peer does not accept files (no --receive)');
        io.err.write(`${who(remote)} offered "${offered}": refused, no --receive folder\n`);
        return;
      }
      // The store takes the file: a new partial, or the one a restart left, which `resumed` reports.
      transfer.on('resumed', ({ at, chunk, reason }) =>
        event(`resuming "${offered}" at ${at} of ${info.size} bytes (chunk ${chunk}): ${printable(reason)}`, {
          event: 'resumed',
          id: info.id,
          at,
          chunk,
          reason,
        }),
      );
      groups.add(remote.id, transfer);
      transfers++;
      transfer.done
        .then(
          () => {
            const path = savedAt.get(info.id) ?? '';
            savedAt.delete(info.id);
            saved++;
            event(`saved ${printable(path)} (${info.size} bytes, SHA-256 of every chunk verified)`, {
              event: 'saved',
              id: info.id,
              path,
              size: info.size,
            });
          },
          (error: unknown) =>
            event(`receiving "${offered}" failed: ${printable((error as Error).message)}`, {
              event: 'failed',
              id: info.id,
              name: info.name,
              error: (error as Error).message,
            }),
        )
        .finally(() => {
          transfers--;
          if (oneShot && saved > 0 && transfers === 0 && !room.peers.has(remote.id)) finish(PEER_EXIT.ok);
        });
    });
    reportSafety(room, {
      json,
      line: (text) => io.err.write(`${text}\n`),
      event: (fields) => event('', fields),
      name: who,
    });
    room.on('error', (error, remote) => {
      const refusal = REFUSALS[error.code];
      if (refusal === undefined) {
        io.err.write(`icebreaker peer: ${error.code}: ${printable(error.message)}\n`);
        return;
      }
      event(`icebreaker peer: ${remote === undefined ? '' : `${who(remote)}: `}${refusal}`, {
        event: 'refused',
        code: error.code,
        ...(remote === undefined ? {} : { peer: remote.id }),
      });
      finish(PEER_EXIT.refused);
    });
    room.on('signaling', (state) => {
      if (state === 'closed') finish(PEER_EXIT.failed);
      else io.err.write(`signaling ${state}\n`);
    });
    if (toSend !== undefined) {
      const count = toSend.length;
      awaitPeer(() => (count === 1 ? `"${printable(toSend[0]?.name ?? '')}" was` : `${count} files were`));
    }

    const lines = createInterface({ input: io.stdin, terminal: false });
    lines.on('line', (line) => {
      const open = openPeers();
      if (open.length > 0) {
        pending.skip();
        for (const remote of open) deliver(remote, line);
        return;
      }
      if (pending.size === 0) io.err.write('no peer connected: lines wait until one connects\n');
      if (pending.push(line) || toldFull) return;
      toldFull = true;
      io.err.write(
        `icebreaker peer: ${PENDING_LIMITS.lines} lines or ${PENDING_LIMITS.bytes / 1048576} MiB already wait for a peer: ` +
          'lines from here on are dropped until one connects\n',
      );
    });
    // End of input ends a chat once its lines are sent; a --send session ends when its transfer does,
    // and a --receive one when it is interrupted: a receiver's stdin is often /dev/null (a background
    // job, a service).
    lines.on('close', () => {
      inputEnded = true;
      if (toSend !== undefined || inbox !== undefined) return;
      if (pending.size > 0) {
        const count = lineCount(pending.size);
        io.err.write(`end of input: ${count} waiting for a peer${waitMs === 0 ? '' : ` (up to ${waitText}, --wait)`}…\n`);
        awaitPeer(() => `${count} ${pending.size === 1 ? 'was' : 'were'}`);
      }
      endChatWhenSent();
    });
  });
}

/** A path as a status line says it: `relay (why)`, `direct (host udp 10.0.0.2:5000 ↔ srflx udp …, 1.2 ms)`. */
function pathText(info: PathInfo): string {
  const end = (c: PathCandidate) =>
    `${c.type} ${c.relayProtocol ? `${c.protocol}/${c.relayProtocol}` : c.protocol}${c.address === undefined ? '' : ` ${c.address}:${c.port ?? '?'}`}`;
  const details = [
    ...(info.pair
      ? [`${end(info.pair.local)} ↔ ${end(info.pair.remote)}${info.pair.rttMs === undefined ? '' : `, ${info.pair.rttMs} ms`}`]
      : []),
    ...(info.reason === undefined ? [] : [info.reason]),
  ];
  return `${info.path}${details.length > 0 ? ` (${printable(details.join('; '))})` : ''}`;
}

const lineCount = (n: number): string => `${n} ${n === 1 ? 'line' : 'lines'}`;

/** Names a peer for a status line: its id, and the display name it chose, escaped. */
function who(remote: RemotePeer): string {
  return remote.name === undefined ? printable(remote.id) : `${printable(remote.id)} "${printable(remote.name)}"`;
}

type EventOut = (text: string, fields: Record<string, unknown>) => void;

/**
 * Sends the files of `--send` to `remote` as one batch (one progress line for all) and resolves with
 * the exit code. A receiver that drops (a kill, a restart) interrupts the batch without failing it:
 * the library waits for it to come back and ask to resume, and this waits with it.
 */
async function sendFiles(remote: RemotePeer, files: readonly FileToSend[], out: ProgressOutput, event: EventOut): Promise<number> {
  const batch = remote.sendFiles(
    files.map(({ file, size, name, path }) => ({ file: fileSource(file, size, name), ...(path === undefined ? {} : { path }) })),
  );
  batch.on('progress', combinedProgress(out, 'sending'));
  const reports: Promise<void>[] = [];
  const follow = (transfer: OutgoingTransfer): void => {
    // The file's own SHA-256, for the user to compare with `sha256sum` on the other side: hashed
    // beside the transfer (native, from the page cache), never on its path.
    const source = files[batch.transfers.indexOf(transfer)];
    const digest = source ? sha256OfFile(source.file) : Promise.resolve(null);
    digest.catch(() => {});
    transfer.on('resumed', ({ at, chunk, reason }) =>
      event(
        `the receiver resumed "${printable(transfer.info.path ?? transfer.info.name)}" at ${at} bytes (chunk ${chunk}): ${printable(reason)}`,
        {
          event: 'resumed',
          id: transfer.info.id,
          at,
          chunk,
          reason,
        },
      ),
    );
    const report = transfer.done.then(
      async ({ root }) => {
        const sha256 = await digest.catch(() => null);
        const hash = sha256 === null ? `root ${root}` : `SHA-256 ${sha256}`;
        event(`sent ${printable(transfer.info.path ?? transfer.info.name)} (${transfer.info.size} bytes, ${hash})`, {
          event: 'sent',
          id: transfer.info.id,
          name: transfer.info.name,
          ...(transfer.info.path === undefined ? {} : { path: transfer.info.path }),
          size: transfer.info.size,
          root,
          ...(sha256 === null ? {} : { sha256 }),
        });
      },
      () => {},
    );
    reports.push(report);
  };
  // The first files start as the batch is made, before a listener can hear of them.
  for (const transfer of batch.transfers) if (transfer) follow(transfer);
  batch.on('transfer', follow);
  try {
    await batch.done;
    await Promise.all(reports);
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    event(`sent ${files.length} ${files.length === 1 ? 'file' : 'files'} (${bytes} bytes), each verified by the receiver`, {
      event: 'done',
      files: files.length,
      bytes,
    });
    return PEER_EXIT.ok;
  } catch (error) {
    event(`sending failed: ${printable((error as Error).message)}`, { event: 'failed', error: (error as Error).message });
    return PEER_EXIT.transfer;
  }
}

/** The SHA-256 of the file at `path`, streamed (a file of any size, in bounded memory). */
async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
