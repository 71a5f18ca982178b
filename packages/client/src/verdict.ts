import type { CandidateSummary, Finding, NatHint, PathCheck, ServerReport, Severity } from './diagnosis.js';

/** What the verdict is drawn from. */
export interface Evidence {
  readonly signaling?: { readonly url: string; readonly ok: boolean; readonly error?: string };
  readonly servers: readonly ServerReport[];
  readonly checks: readonly PathCheck[];
  readonly policy: RTCIceTransportPolicy;
  readonly udpBlocked: boolean;
  readonly timeoutMs: number;
}

const TURN_ADVICE = 'set `--turn-url`/`--turn-secret` on the signaling server (a coturn with `use-auth-secret`)';
const RANK: Readonly<Record<Severity, number>> = { fail: 0, warn: 1, ok: 2 };

/**
 * The doctor's conclusions, worst first, each a plain sentence that says what to do. A finding
 * names the server it is about; codes are stable (the CLI's `--json` carries them).
 */
export function findings(e: Evidence): Finding[] {
  const out: Finding[] = [];
  const seconds = `${e.timeoutMs / 1000} s`;
  if (e.signaling && !e.signaling.ok) {
    out.push({
      code: 'signaling-unreachable',
      severity: 'fail',
      text: `could not get the ICE servers from ${e.signaling.url} (${e.signaling.error ?? 'no answer'}): check the address, or give the ICE servers yourself (--ice-servers)`,
    });
  }
  const turn = e.servers.filter((s) => s.kind === 'turn');
  for (const server of e.servers) {
    if (server.answered) continue;
    const error = server.errors.find((x) => x.code === 401 || x.code === 403 || x.code === 437 || x.code === 441) ?? server.errors[0];
    const why = error ? ` (${error.code}${error.text ? ` ${error.text}` : ''})` : '';
    if (server.kind === 'stun') {
      out.push({
        code: 'stun-no-answer',
        severity: 'warn',
        text: `the STUN server ${server.url} did not answer within ${seconds}${why}: check its address and port; peers cannot learn their public address from it`,
      });
    } else if (error?.code === 401) {
      out.push({
        code: 'turn-credential-refused',
        severity: 'fail',
        text: `the TURN server ${server.url} refused the credential (401): check that --turn-secret matches coturn's static-auth-secret (and that both clocks are right: the credential carries its expiry)`,
      });
    } else if (error || server.timedOut) {
      out.push({
        code: 'turn-unreachable',
        severity: 'fail',
        text: `the TURN server ${server.url} did not answer within ${seconds}${why}: check its address, port and transport, and that a firewall lets them through`,
      });
    } else {
      // A stack that reports no icecandidateerror (libdatachannel) says nothing about why.
      out.push({
        code: 'turn-no-relay',
        severity: 'fail',
        text: `the TURN server ${server.url} gave no relay candidate, and this WebRTC stack does not say why: either it refused the credential (check --turn-secret against coturn's static-auth-secret) or it cannot be reached`,
      });
    }
  }
  if (e.udpBlocked) {
    out.push({
      code: 'udp-blocked',
      severity: 'warn',
      text: 'UDP seems blocked: no STUN server answered and no TURN server relayed over UDP. TURN over TCP/TLS (turns:your.host:443?transport=tcp) is the way through such firewalls',
    });
  }
  if (e.servers.length === 0) {
    out.push({
      code: 'no-ice-servers',
      severity: 'warn',
      text: `no ICE server configured: peers only know their local addresses, which works on one network, and no TURN server: two peers behind different NATs will not connect directly; ${TURN_ADVICE}, or the relay will carry your data`,
    });
  } else if (turn.length === 0) {
    out.push({
      code: 'no-turn',
      severity: 'warn',
      text: `no TURN server configured: two peers behind different NATs (or one behind a symmetric NAT) will not connect directly; ${TURN_ADVICE}, or the relay will carry your data`,
    });
  }
  const relayed = e.checks.find((c) => c.policy === 'relay' && c.connected);
  const connected = e.checks.find((c) => c.connected);
  if (!connected) {
    const noRelay = e.policy === 'relay' && !turn.some((s) => s.answered);
    out.push({
      code: 'no-path',
      severity: 'fail',
      text: noRelay
        ? `no path: only relayed paths were allowed and no TURN server gave a relay candidate; ${TURN_ADVICE}, or allow direct paths`
        : `no path: two test connections through these servers did not connect (${e.checks[0]?.reason ?? 'not tried'})`,
    });
  } else if (relayed) {
    const answered = turn.filter((s) => s.answered).map((s) => s.url);
    out.push({
      code: 'turn-ok',
      severity: 'ok',
      text: `TURN works end to end: two test connections exchanged data relayed through ${answered.join(', ') || 'TURN'}${rtt(relayed)}`,
    });
  }
  if (out.length === 0) {
    out.push({ code: 'ok', severity: 'ok', text: `every ICE server answered and a path exists${rtt(connected)}` });
  }
  return out.sort((x, y) => RANK[x.severity] - RANK[y.severity]);
}

/** The verdict in a few sentences: the failures and warnings, or what works. */
export function verdictText(list: readonly Finding[]): string {
  const worst = list[0]?.severity ?? 'ok';
  const shown = list.filter((f) => f.severity === worst);
  const head = worst === 'ok' ? 'OK' : worst === 'warn' ? `Works, with ${shown.length === 1 ? 'a warning' : 'warnings'}` : 'Problem';
  const sentences = shown.map((f, i) => (i === 0 ? f.text : f.text.charAt(0).toUpperCase() + f.text.slice(1)));
  return `${head}: ${sentences.join('. ')}.`;
}

/**
 * A guess at the NAT from where STUN saw this machine, beside its own addresses. `portsKept`: some
 * server-reflexive candidate has the port of a host candidate of the same connection.
 */
export function natHint(host: readonly CandidateSummary[], servers: readonly ServerReport[], portsKept: boolean): NatHint {
  const srflx = servers.flatMap((s) => s.candidates.filter((c) => c.type === 'srflx'));
  if (srflx.length === 0) return { kind: 'unknown', text: 'no STUN server answered, so the address the internet sees is unknown' };
  const own = new Set(host.map((c) => c.address));
  const seen = [...new Set(srflx.map((c) => c.address))];
  if (seen.some((address) => own.has(address)))
    return { kind: 'none', text: `no NAT: STUN sees ${seen.join(', ')}, an address of this machine (direct paths should work)` };
  const ports = new Set(srflx.map((c) => c.port));
  return {
    kind: 'nat',
    text:
      `behind a NAT: STUN sees ${seen.join(', ')} while this machine's addresses are ${[...own].join(', ') || 'hidden'}` +
      (portsKept ? '; the NAT keeps ports, as friendly NATs do (direct paths usually work)' : '') +
      (!portsKept && ports.size > 1
        ? '; it maps each destination to another port (a symmetric NAT?): direct paths will often fail without TURN'
        : ''),
  };
}

function rtt(check: PathCheck | undefined): string {
  return check?.rttMs === undefined ? '' : ` (round trip ${check.rttMs} ms)`;
}
