import type { CandidateSummary, DiagnoseOptions, Diagnosis, PathCheck, ServerReport } from './diagnosis.js';
import { describeIceUrl, type Gathered, gather } from './gather.js';
import { checkPath } from './loopback.js';
import { SignalingClient, type WebSocketConstructor } from './signaling-client.js';
import { checks } from './validate.js';
import { findings, natHint, verdictText } from './verdict.js';

const TIMEOUT = { min: 500, max: 60_000, default: 5000 } as const;
const KEYS = ['iceServers', 'signalingUrl', 'room', 'token', 'RTCPeerConnection', 'WebSocket', 'timeoutMs', 'iceTransportPolicy'];

/**
 * The connectivity doctor: checks each ICE server on its own (a STUN binding gives a server-reflexive
 * candidate, a TURN allocation a relay candidate; `icecandidateerror` codes say why not, where the
 * stack reports them), which candidate types this machine gathers, whether UDP seems blocked, a NAT
 * hint, then connects two local connections through the servers (relay-only too when a TURN server
 * answered, to prove TURN end to end) and reads the selected pair and its round-trip time from
 * `getStats`. It ends with a plain-language verdict and what to do.
 *
 * A server that does not answer is a finding, never an exception; each phase takes at most
 * `timeoutMs`. Misuse (an unknown option, a value of the wrong kind) throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * const report = await diagnose({ signalingUrl: 'wss://signal.example.org/ws' });
 * console.log(report.verdict); // "Works, with a warning: no TURN server configured: …"
 * ```
 */
export async function diagnose(options: DiagnoseOptions): Promise<Diagnosis> {
  validateDiagnose(options);
  const timeoutMs = options.timeoutMs ?? TIMEOUT.default;
  const policy = options.iceTransportPolicy ?? 'all';
  const Pc = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;

  let iceServers = options.iceServers;
  let signaling: Diagnosis['signaling'];
  if (options.signalingUrl !== undefined) {
    const Socket = options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor);
    const fetched = await fetchIceServers(options.signalingUrl, { WebSocket: Socket, room: options.room, token: options.token, timeoutMs });
    signaling = { url: options.signalingUrl, ...('error' in fetched ? { ok: false, error: fetched.error } : { ok: true }) };
    if (iceServers === undefined && 'servers' in fetched) iceServers = fetched.servers;
  }
  const servers = iceServers ?? [];

  // Each URL alone, so that whatever comes back (or fails) is known to be that server's doing.
  const urls = servers.flatMap((server) => [server.urls].flat().map((url) => ({ url, server })));
  const [baseline, ...gathered] = await Promise.all([
    gather(Pc, null, timeoutMs),
    // A copy each: some stacks rewrite the configuration they are given (node-datachannel turns urls into an array).
    ...urls.map(({ url, server }) => gather(Pc, { ...server, urls: url }, timeoutMs)),
  ]);
  const reports = urls.map(({ url }, i) => report(url, gathered[i] as Gathered));
  const host = (baseline as Gathered).candidates.filter((c) => c.type === 'host');
  const portsKept = gathered.some((g) => {
    const ports = new Set(g.candidates.filter((c) => c.type === 'host').map((c) => c.port));
    return g.candidates.some((c) => c.type === 'srflx' && ports.has(c.port));
  });

  // A server that sent anything back (a candidate, or a STUN error response: codes below 700, RFC 8489
  // §14.8) was reached; 700 and up are the stack's own "no answer" (W3C webrtc §4.8.2).
  const overUdp = reports.filter((r) => r.transport === 'udp');
  const reached = (r: ServerReport) => r.candidates.length > 0 || r.errors.some((e) => e.code >= 300 && e.code < 700);
  const udpBlocked = overUdp.length > 0 && !overUdp.some(reached);

  // Two local connections: any path (on one machine, host candidates alone connect: this proves the
  // stack, not the network) and, when a TURN server allocated, a relay-only one that proves TURN.
  const relayAnswered = reports.some((r) => r.kind === 'turn' && r.answered);
  const checksToRun: RTCIceTransportPolicy[] = policy === 'relay' ? ['relay'] : relayAnswered ? ['all', 'relay'] : ['all'];
  const pathChecks: PathCheck[] = await Promise.all(
    checksToRun.map((p) =>
      p === 'relay' && !relayAnswered
        ? { policy: p, connected: false, reason: 'no relay candidate to connect with', ms: 0 }
        : checkPath(
            Pc,
            servers.map((server) => ({ ...server })),
            p,
            timeoutMs,
          ),
    ),
  );

  const list = findings({ ...(signaling ? { signaling } : {}), servers: reports, checks: pathChecks, policy, udpBlocked, timeoutMs });
  const types = [...new Set([...host, ...reports.flatMap((r) => r.candidates)].map((c) => `${c.type}/${c.protocol}`))];
  return {
    ...(signaling ? { signaling } : {}),
    servers: reports,
    host,
    candidateTypes: types,
    udpBlocked,
    nat: natHint(host, reports, portsKept),
    checks: pathChecks,
    pathExists: pathChecks.some((c) => c.connected),
    findings: list,
    code: list[0]?.code ?? 'ok',
    verdict: verdictText(list),
  };
}

/**
 * The ICE servers an Icebreaker signaling server hands its peers: joins a throwaway room, reads the
 * `welcome`, and leaves. Resolves with an error text instead of rejecting.
 */
export async function fetchIceServers(
  url: string,
  options: { WebSocket: WebSocketConstructor; room?: string | undefined; token?: string | undefined; timeoutMs: number },
): Promise<{ servers: RTCIceServer[] } | { error: string }> {
  const { WebSocket: Socket, token, timeoutMs } = options;
  let client: SignalingClient | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const room =
      options.room ?? `doctor-${[...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    client = await Promise.race([SignalingClient.open(url, { WebSocket: Socket }), timeout]);
    const welcome = await Promise.race([client.join(token === undefined ? { room } : { room, token }), timeout]);
    client.leave();
    return { servers: welcome.iceServers as RTCIceServer[] };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { error: e.code ? `${e.code}: ${e.message}` : e.message };
  } finally {
    clearTimeout(timer);
    if (client?.isOpen) client.close();
  }
}

function report(url: string, g: Gathered): ServerReport {
  const { kind, transport } = describeIceUrl(url);
  const candidates: CandidateSummary[] = g.candidates.filter((c) => (kind === 'turn' ? c.type === 'relay' : c.type === 'srflx'));
  const answered = candidates.length > 0;
  return {
    url,
    kind,
    transport,
    answered,
    candidates: kind === 'turn' ? [...candidates, ...g.candidates.filter((c) => c.type === 'srflx')] : candidates,
    errors: g.errors,
    timedOut: g.timedOut,
    ms: g.ms,
  };
}

/** Every option of `diagnose`, checked where it enters (a `TypeError` naming the field). */
function validateDiagnose(options: unknown): void {
  const o = checks.record('options', options, KEYS);
  if (o.iceServers === undefined && o.signalingUrl === undefined)
    throw new TypeError('options: expected iceServers, signalingUrl or both, got neither');
  if (o.iceServers !== undefined) checks.iceServers('options.iceServers', o.iceServers);
  if (o.signalingUrl !== undefined) {
    try {
      checks.url(o.signalingUrl);
    } catch (error) {
      throw new TypeError(`options.signalingUrl${(error as Error).message.replace(/^url/, '')}`);
    }
    checks.implementation('options.WebSocket', o.WebSocket, 'WebSocket', ' such as the ws package');
  } else if (o.WebSocket !== undefined) checks.implementation('options.WebSocket', o.WebSocket, 'WebSocket');
  if (o.room !== undefined) checks.room('options.room', o.room);
  if (o.token !== undefined) checks.token('options.token', o.token);
  checks.implementation('options.RTCPeerConnection', o.RTCPeerConnection, 'RTCPeerConnection');
  if (o.timeoutMs !== undefined) checks.whole('options.timeoutMs', o.timeoutMs, TIMEOUT.min, TIMEOUT.max);
  if (o.iceTransportPolicy !== undefined && o.iceTransportPolicy !== 'all' && o.iceTransportPolicy !== 'relay')
    checks.fail('options.iceTransportPolicy', '"all" or "relay"', o.iceTransportPolicy);
}
