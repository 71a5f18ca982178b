import { parseArgs } from 'node:util';
import { type DiagnoseOptions, type Diagnosis, diagnose, type WebSocketConstructor } from '@icebreaker/client';
import { turnCredentials } from '@icebreaker/server';
import WebSocket from 'ws';
import { doctorReport } from './doctor-report.js';
import { NodeRTCPeerConnection } from './node-rtc.js';
import { signalingUrl } from './peer.js';
import { parseDuration, readSettingText } from './setting-text.js';

/** Exit codes a script can rely on. */
export const DOCTOR_EXIT = { path: 0, noPath: 1, usage: 2 } as const;

/** How long the TURN credential minted from --turn-secret lives: the doctor's own run, with room to spare. */
const CREDENTIAL_TTL_MS = 600_000;

/** The text of `icebreaker doctor --help`. */
export const DOCTOR_HELP = `Usage: icebreaker doctor [url] [options]

Checks connectivity: asks each ICE server on its own whether it answers (a STUN binding, a TURN
allocation, with the error code when the WebRTC stack gives one), lists the candidate types this
machine gathers, says whether UDP seems blocked and gives a NAT hint, then connects two local test
connections through the servers (relay-only too when a TURN server answered) and shows the selected
candidate pair and its round-trip time. Ends with a verdict and what to do.

[url] is the page address (http://host:port/) or the signaling endpoint (ws://host:port/ws): the
doctor joins a throwaway room there to read the ICE servers (and TURN credentials) the server hands
its peers, then leaves. --ice-servers and --turn-url replace that list.

Options:
  --ice-servers <list>  ICE servers to check: comma-separated URLs, a JSON array of RTCIceServer,
                        or none
  --turn-url <url>      a TURN URL to check (repeat the flag for more), with a credential minted
                        from --turn-secret as the server would mint it
  --turn-secret <text>  coturn's static-auth-secret (as the server's --turn-secret)
  --room <room>         room to join to read the ICE servers (default: a fresh doctor-… room);
                        for a room token, which admits one room
  --token <token>       room token for --room, for a server that requires one (env ICEBREAKER_TOKEN)
  --relay-only          test only paths through TURN (iceTransportPolicy "relay")
  --timeout <duration>  how long each phase may take: 5s, 10s (default 5s)
  --json                print the report as JSON (verdict codes in "code" and "findings")
  --help                show this help

Exit codes: 0 a path exists, 1 no path (or the signaling server did not answer), 2 bad usage.
`;

interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Runs `icebreaker doctor` and resolves with its exit code. */
export async function doctor(argv: readonly string[], io: Io): Promise<number> {
  const usage = (message: string): number => {
    io.err.write(`icebreaker doctor: ${message}\nRun "icebreaker doctor --help" for the options.\n`);
    return DOCTOR_EXIT.usage;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usage((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) {
    io.out.write(DOCTOR_HELP);
    return DOCTOR_EXIT.path;
  }
  const [address, ...extra] = positionals;
  if (extra.length > 0) return usage('give at most one server address');
  const turnUrls = values['turn-url'] ?? [];
  if (address === undefined && values['ice-servers'] === undefined && turnUrls.length === 0)
    return usage('give a server address, --ice-servers or --turn-url');
  if (turnUrls.length > 0 && values['turn-secret'] === undefined) return usage('--turn-url needs --turn-secret');
  if (values['turn-secret'] !== undefined && turnUrls.length === 0) return usage('--turn-secret needs --turn-url');

  let options: DiagnoseOptions;
  try {
    const iceServers: RTCIceServer[] = [];
    if (values['ice-servers'] !== undefined) {
      const read = readSettingText('ice-servers', values['ice-servers'], false);
      if (!Array.isArray(read)) throw new TypeError('--ice-servers: expected comma-separated URLs, a JSON array of RTCIceServer, or none');
      iceServers.push(...(read as RTCIceServer[]));
    }
    if (turnUrls.length > 0) iceServers.push(turnCredentials(turnUrls, values['turn-secret'] as string, CREDENTIAL_TTL_MS, 'doctor'));
    const token = values.token ?? io.env.ICEBREAKER_TOKEN;
    const overridden = values['ice-servers'] !== undefined || turnUrls.length > 0;
    options = {
      ...(address === undefined ? {} : { signalingUrl: signalingUrl(address), WebSocket: WebSocket as unknown as WebSocketConstructor }),
      ...(overridden ? { iceServers } : {}),
      ...(values.room === undefined ? {} : { room: values.room }),
      ...(token === undefined || token === '' ? {} : { token }),
      ...(values['relay-only'] ? { iceTransportPolicy: 'relay' as const } : {}),
      timeoutMs: parseDuration(values.timeout ?? '5s', '--timeout', 500, 60_000),
      RTCPeerConnection: NodeRTCPeerConnection,
    };
  } catch (error) {
    return usage(
      (error as Error).message.replace(/^(urls|secret):/, (_, field: string) => `--turn-${field === 'urls' ? 'url' : 'secret'}:`),
    );
  }

  let report: Diagnosis;
  try {
    report = await diagnose(options);
  } catch (error) {
    // diagnose throws only for misuse: a value it refuses, named as the option it became.
    if (error instanceof TypeError)
      return usage(error.message.replace(/^options\.iceServers/, '--ice-servers').replace(/^options\./, '--'));
    throw error;
  }
  io.out.write(
    values.json ? `${JSON.stringify(report, null, 2)}\n` : doctorReport(report, options.signalingUrl ?? 'the ICE servers given'),
  );
  return report.pathExists && report.signaling?.ok !== false ? DOCTOR_EXIT.path : DOCTOR_EXIT.noPath;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      'ice-servers': { type: 'string' },
      'turn-url': { type: 'string', multiple: true },
      'turn-secret': { type: 'string' },
      room: { type: 'string' },
      token: { type: 'string' },
      'relay-only': { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
}
