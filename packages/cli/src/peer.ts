import { createWriteStream, openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { connect, type PathCandidate, type PathInfo, type RemotePeer, type Room, type WebSocketConstructor } from '@icebreaker/client';
import { isIcebreakerError, RoomName } from '@icebreaker/protocol';
import { initLogger, type LogLevel } from 'node-datachannel';
import { safeParse } from 'valibot';
import WebSocket from 'ws';
import { NodeRTCPeerConnection as RTCPeerConnection } from './node-rtc.js';
import { type DroppedLines, PENDING_LIMITS, PendingLines } from './pending-lines.js';
import { printable } from './printable.js';
import { progressBar } from './progress-bar.js';
import { createFree } from './received-file.js';
import { durationText, parseDuration } from './setting-text.js';

/** Exit codes a script can rely on. */
export const PEER_EXIT = { ok: 0, failed: 1, usage: 2, transfer: 3, noPeer: 4 } as const;

/**
 * How long something to deliver (a --send file, chat lines left at the end of input) waits for a
 * peer by default: long enough to open a link on another machine, short enough that a forgotten
 * script does not wait for ever.
 */
const DEFAULT_WAIT = '10m';
const MAX_WAIT_MS = 7 * 86_400_000;

export const PEER_HELP = `Usage: icebreaker peer <url> --room <room> [options]

Joins a room as a peer from the terminal. Lines typed on stdin go to every connected peer; messages
from peers are printed on stdout as "<peer id>: <text>". Status and progress go to stderr. What peers
chose (messages, names, file names) is printed with control and bidirectional characters escaped
(\\x1b, \\u202e): no peer can recolour, retitle or reorder your terminal.
Lines read before a peer is connected wait for one, and go to it first, in order (at most ${PENDING_LIMITS.lines}
lines or ${PENDING_LIMITS.bytes / 1048576} MiB; stderr names the lines dropped beyond). A chat ends at the end of stdin once
its lines are sent: lines still waiting then wait up to --wait for a peer. --send ends when its file is
sent; --receive runs until Ctrl+C (or SIGTERM) and needs no stdin (run it with < /dev/null, or in the
background).

<url> is the page address (http://host:port/) or the signaling endpoint (ws://host:port/ws).

Options:
  --room <room>         room to join (required)
  --name <name>         display name shown to the other peers
  --token <token>       room token, for a server that requires one (env ICEBREAKER_TOKEN)
  --send <file>         send this file to the first peer that connects, then exit
  --receive <dir>       save files that peers send into this folder, under the name the sender
                        gave (its last path component); a name already taken gets " (1)", " (2)", …
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
3 a file transfer failed or was cancelled, 4 no peer connected within --wait.
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
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The signaling endpoint for a page or WebSocket address. */
export function signalingUrl(address: string): string {
  const url = URL.parse(address);
  if (url === null) throw new TypeError(`url: "${address.slice(0, 200)}" is not an http(s) or ws(s) address`);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = '/ws';
  } else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`url: "${address}" is not an http(s) or ws(s) address`);
  }
  url.search = '';
  return url.href;
}

/** Runs `icebreaker peer` and resolves with its exit code. */
export async function peer(argv: readonly string[], io: Io): Promise<number> {
  let positionals: string[];
  let values: {
    room?: string;
    name?: string;
    token?: string;
    send?: string;
    receive?: string;
    wait?: string;
    'ice-policy'?: string;
    relay?: string;
    help?: boolean;
  };
  try {
    ({ positionals, values } = parseArgs({
      args: [...argv],
      options: {
        room: { type: 'string' },
        name: { type: 'string' },
        token: { type: 'string' },
        send: { type: 'string' },
        receive: { type: 'string' },
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
  const [address, ...extra] = positionals;
  if (address === undefined || extra.length > 0) return usage('give exactly one server address');
  if (values.room === undefined || !safeParse(RoomName, values.room).success)
    return usage('--room is required: letters, digits and - _ . ~, up to 64');
  let endpoint: string;
  try {
    endpoint = signalingUrl(address);
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.send !== undefined && !(await stat(values.send).catch(() => null))?.isFile())
    return usage(`--send: no file at ${values.send}`);
  if (values.receive !== undefined && !(await stat(values.receive).catch(() => null))?.isDirectory())
    return usage(`--receive: no folder at ${values.receive}`);
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
      room: values.room,
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(token === undefined || token === '' ? {} : { token }),
      rtcConfiguration: { iceTransportPolicy: policy },
      relay,
      RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
  } catch (error) {
    // The library checks --name and --token as the options they become: a bad one is bad usage.
    if (error instanceof TypeError) return usage(error.message.replace(/^options\./, '--'));
    const advice = isIcebreakerError(error) ? authAdvice(error.code, values.room) : undefined;
    const reason = isIcebreakerError(error) ? `${error.code}: ${advice ?? error.message}` : (error as Error).message;
    io.err.write(`icebreaker peer: could not join: ${printable(reason)}\n`);
    return PEER_EXIT.failed;
  }
  io.err.write(`joined room "${room.name}" as ${printable(room.peerId)}; waiting for peers…\n`);

  return new Promise<number>((resolve) => {
    let finished = false;
    let sending = false;
    /** Transfers under way, in either direction: an interrupt cuts them short (exit 3). */
    let transfers = 0;
    let waitTimer: ReturnType<typeof setTimeout> | undefined;
    /** Chat lines read while no peer's channel was open: sent, in order, to the first that opens. */
    const pending = new PendingLines();
    /** Set once the user has been told that the queue is full, until it empties. */
    let toldFull = false;
    const interrupt = (): void => {
      if (pending.size > 0) io.err.write(`icebreaker peer: interrupted; ${lineCount(pending.size)} never sent: no peer connected\n`);
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
      if (!inputEnded || values.send !== undefined || values.receive !== undefined || pending.size > 0) return;
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
      // One file, to the first peer that connects (as --help says), however many join after it.
      if (values.send === undefined || sending) return;
      sending = true;
      transfers++;
      void sendFile(remote, values.send, io).then(finish);
    });
    room.on('peer-left', (remote) => io.err.write(`${who(remote)} left\n`));
    room.on('path', (remote, info) => io.err.write(`path to ${who(remote)}: ${pathText(info)}\n`));
    room.on('message', (remote, data) => {
      const text = typeof data === 'string' ? data : data instanceof ArrayBuffer ? `[${data.byteLength} bytes]` : JSON.stringify(data);
      io.out.write(`${printable(remote.id)}: ${printable(text)}\n`);
    });
    room.on('transfer', (remote, transfer) => {
      const offered = printable(transfer.info.name);
      if (values.receive === undefined) {
        transfer.cancel('this peer does not accept files (no --receive)');
        io.err.write(`${who(remote)} offered "${offered}": refused, no --receive folder\n`);
        return;
      }
      let target: { path: string; fd: number };
      try {
        target = createFree(values.receive, transfer.info.name);
      } catch (error) {
        transfer.cancel('the receiver cannot save it');
        io.err.write(`${who(remote)} offered "${offered}": refused, ${printable((error as Error).message)}\n`);
        return;
      }
      const { path, fd } = target;
      transfer.accept(Writable.toWeb(createWriteStream(path, { fd })) as WritableStream<Uint8Array>);
      const bar = progressBar(io.err, `receiving ${printable(basename(path))}`);
      transfer.on('progress', bar);
      transfers++;
      transfer.done
        .then(
          () => io.err.write(`\nsaved ${printable(path)} (${transfer.info.size} bytes, SHA-256 verified)\n`),
          (error: unknown) => io.err.write(`\nreceiving "${offered}" failed: ${printable((error as Error).message)}\n`),
        )
        .finally(() => transfers--);
    });
    room.on('error', (error) => io.err.write(`icebreaker peer: ${error.code}: ${printable(error.message)}\n`));
    room.on('signaling', (state) => {
      if (state === 'closed') finish(PEER_EXIT.failed);
      else io.err.write(`signaling ${state}\n`);
    });
    const file = values.send;
    if (file !== undefined) awaitPeer(() => `"${printable(basename(file))}" was`);

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
      if (values.send !== undefined || values.receive !== undefined) return;
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

async function sendFile(remote: RemotePeer, path: string, io: Io): Promise<number> {
  const blob = await openAsBlob(path);
  const transfer = remote.sendFile(blob, { name: basename(path), onProgress: progressBar(io.err, `sending ${basename(path)}`) });
  try {
    const { root } = await transfer.done;
    io.err.write(`\nsent ${basename(path)} (${blob.size} bytes, every chunk checked; root ${root})\n`);
    return PEER_EXIT.ok;
  } catch (error) {
    io.err.write(`\nsending ${basename(path)} failed: ${(error as Error).message}\n`);
    return PEER_EXIT.transfer;
  }
}
