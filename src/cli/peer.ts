import { createWriteStream, openAsBlob, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { initLogger, type LogLevel } from 'node-datachannel';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { safeParse } from 'valibot';
import WebSocket from 'ws';
import { connect, type RemotePeer, type Session, type TransferProgress, type WebSocketConstructor } from '../client/index.js';
import { isIcebreakerError, RoomName } from '../protocol/index.js';

/** Exit codes a script can rely on. */
export const PEER_EXIT = { ok: 0, failed: 1, usage: 2, transfer: 3 } as const;

export const PEER_HELP = `Usage: icebreaker peer <url> --room <room> [options]

Joins a room as a peer from the terminal. Lines typed on stdin go to every connected peer; messages
from peers are printed on stdout as "<peer id>: <text>". Status and progress go to stderr.
A chat ends at the end of stdin; --send ends when its file is sent; --receive runs until Ctrl+C
(or SIGTERM) and needs no stdin (run it with < /dev/null, or in the background).

<url> is the page address (http://host:port/) or the signaling endpoint (ws://host:port/ws).

Options:
  --room <room>         room to join (required)
  --name <name>         display name shown to the other peers
  --token <token>       room token, for a server that requires one (env ICEBREAKER_TOKEN)
  --send <file>         send this file to the first peer that connects, then exit
  --receive <dir>       save files that peers send into this folder, under the name the sender
                        gave (its last path component); a name already taken gets " (1)", " (2)", …
  --help                show this help

Environment: ICEBREAKER_RTC_LOG=Debug (or Verbose, Info, Warning, Error) prints libdatachannel's own
log on stderr, to see why a connection does not come up.

Exit codes: 0 done, 1 could not connect or the connection failed, 2 bad usage,
3 a file transfer failed or was cancelled.
`;

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
  let values: { room?: string; name?: string; token?: string; send?: string; receive?: string; help?: boolean };
  try {
    ({ positionals, values } = parseArgs({
      args: [...argv],
      options: {
        room: { type: 'string' },
        name: { type: 'string' },
        token: { type: 'string' },
        send: { type: 'string' },
        receive: { type: 'string' },
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

  // libdatachannel's own log (Verbose, Debug, Info, Warning, Error, Fatal) on stderr, for diagnosing
  // a connection that does not come up.
  const rtcLog = io.env.ICEBREAKER_RTC_LOG;
  if (rtcLog) initLogger(rtcLog as LogLevel, (level, message) => io.err.write(`[libdatachannel ${level}] ${message}\n`));
  const token = values.token ?? io.env.ICEBREAKER_TOKEN;
  let session: Session;
  try {
    session = await connect(endpoint, {
      room: values.room,
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(token === undefined || token === '' ? {} : { token }),
      RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
  } catch (error) {
    // The library checks --name and --token as the options they become: a bad one is bad usage.
    if (error instanceof TypeError) return usage(error.message.replace(/^options\./, '--'));
    io.err.write(
      `icebreaker peer: could not join: ${isIcebreakerError(error) ? `${error.code}: ${error.message}` : (error as Error).message}\n`,
    );
    return PEER_EXIT.failed;
  }
  io.err.write(`joined room "${session.room}" as ${session.id}; waiting for peers…\n`);

  return new Promise<number>((resolve) => {
    let finished = false;
    let sending = false;
    /** Transfers under way, in either direction: an interrupt cuts them short (exit 3). */
    let transfers = 0;
    const interrupt = (): void => finish(transfers > 0 ? PEER_EXIT.transfer : PEER_EXIT.ok);
    const finish = (code: number): void => {
      // Closing emits `signaling: closed`, which would otherwise report a failure first.
      if (finished) return;
      finished = true;
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
      resolve(code);
      session.close();
    };
    // Ctrl+C is how a receiver (or a chat) is meant to end: leave the room, so the others see `left`.
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
    session.on('open', (remote) => {
      io.err.write(`connected to ${remote.id}\n`);
      // One file, to the first peer that connects (as --help says), however many join after it.
      if (values.send === undefined || sending) return;
      sending = true;
      transfers++;
      void sendFile(remote, values.send, io).then(finish);
    });
    session.on('peer-left', (remote) => io.err.write(`${remote.id} left\n`));
    session.on('message', (remote, data) => {
      const text = typeof data === 'string' ? data : data instanceof ArrayBuffer ? `[${data.byteLength} bytes]` : JSON.stringify(data);
      io.out.write(`${remote.id}: ${text}\n`);
    });
    session.on('transfer', (remote, transfer) => {
      if (values.receive === undefined) {
        transfer.cancel('this peer does not accept files (no --receive)');
        io.err.write(`${remote.id} offered "${transfer.info.name}": refused, no --receive folder\n`);
        return;
      }
      let target: { path: string; fd: number };
      try {
        target = createFree(values.receive, transfer.info.name);
      } catch (error) {
        transfer.cancel('the receiver cannot save it');
        io.err.write(`${remote.id} offered "${transfer.info.name}": refused, ${(error as Error).message}\n`);
        return;
      }
      const { path, fd } = target;
      transfer.accept(Writable.toWeb(createWriteStream(path, { fd })) as WritableStream<Uint8Array>);
      const bar = progressBar(io.err, `receiving ${basename(path)}`);
      transfer.on('progress', bar);
      transfers++;
      transfer.done
        .then(
          () => io.err.write(`\nsaved ${path} (${transfer.info.size} bytes, SHA-256 verified)\n`),
          (error: unknown) => io.err.write(`\nreceiving ${transfer.info.name} failed: ${(error as Error).message}\n`),
        )
        .finally(() => transfers--);
    });
    session.on('error', (error) => io.err.write(`icebreaker peer: ${error.code}: ${error.message}\n`));
    session.on('signaling', (state) => {
      if (state === 'closed') finish(PEER_EXIT.failed);
      else io.err.write(`signaling ${state}\n`);
    });

    const lines = createInterface({ input: io.stdin, terminal: false });
    lines.on('line', (line) => {
      for (const remote of session.peers.values()) if (remote.channelState === 'open') void remote.send(line).catch(() => {});
    });
    // End of input ends a chat; a --send session ends when its transfer does, and a --receive one
    // when it is interrupted: a receiver's stdin is often /dev/null (a background job, a service).
    lines.on('close', () => {
      if (values.send === undefined && values.receive === undefined) finish(PEER_EXIT.ok);
    });
  });
}

async function sendFile(remote: RemotePeer, path: string, io: Io): Promise<number> {
  const blob = await openAsBlob(path);
  const transfer = remote.sendFile(blob, { name: basename(path), onProgress: progressBar(io.err, `sending ${basename(path)}`) });
  try {
    const { sha256 } = await transfer.done;
    io.err.write(`\nsent ${basename(path)} (${blob.size} bytes, SHA-256 ${sha256})\n`);
    return PEER_EXIT.ok;
  } catch (error) {
    io.err.write(`\nsending ${basename(path)} failed: ${(error as Error).message}\n`);
    return PEER_EXIT.transfer;
  }
}

/** Most file systems take names of up to 255 bytes; this leaves room for " (123)". */
const MAX_NAME_BYTES = 240;

/**
 * The name a received file is saved under: the last path component of the sender's name (either
 * separator: the name comes from another system, or from someone hostile, so `../../etc/passwd`
 * is `passwd`), control characters as `_`, `file` for a name of dots or nothing, cut to
 * {@link MAX_NAME_BYTES} bytes keeping the extension.
 */
function safeFileName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces.
  let safe = (name.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '_');
  if (/^\.*$/.test(safe)) safe = 'file';
  const ext = extname(safe).length <= 16 ? extname(safe) : '';
  let stem = [...safe.slice(0, safe.length - ext.length)];
  while (stem.length > 1 && Buffer.byteLength(stem.join('') + ext) > MAX_NAME_BYTES) stem = stem.slice(0, -1);
  return stem.join('') + ext;
}

/**
 * Creates the file a transfer is saved into: `dir/<safe name>`, or, when that name is taken,
 * "a (1).txt", "a (2).txt", … — never over an existing file. Created here with O_EXCL (`wx`), so two
 * files of one name arriving at once cannot both pick the same path. Synchronous because a sink must
 * be given in the turn of the `transfer` event.
 */
function createFree(dir: string, name: string): { path: string; fd: number } {
  const safe = safeFileName(name);
  const ext = extname(safe);
  const stem = safe.slice(0, safe.length - ext.length);
  for (let n = 0; n < 10_000; n++) {
    const path = join(dir, n === 0 ? safe : `${stem} (${n})${ext}`);
    try {
      return { path, fd: openSync(path, 'wx') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`every name like ${safe} is taken in ${dir}`);
}

/** Draws progress on a terminal in place, or as a line per quarter when stderr is not a terminal. */
function progressBar(err: Io['err'], label: string): (p: TransferProgress) => void {
  let lastQuarter = -1;
  return ({ bytes, total, rate }) => {
    const fraction = total === 0 ? 1 : bytes / total;
    const mib = (n: number) => (n / 1048576).toFixed(1);
    const text = `${label} ${(fraction * 100).toFixed(0).padStart(3)}% ${mib(bytes)}/${mib(total)} MiB ${mib(rate)} MiB/s`;
    if (err.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      err.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter !== lastQuarter) {
      lastQuarter = quarter;
      err.write(`${text}\n`);
    }
  };
}
