import type { CandidateSummary, Diagnosis, PathCheck } from '@icebreaker/client';
import { printable } from './printable.js';

/**
 * The doctor's report as lines for a terminal: one section per question the doctor answers, then
 * the verdict. What came from the network (URLs, error texts, addresses) is made printable.
 */
export function doctorReport(d: Diagnosis, target: string): string {
  const lines: string[] = [`Icebreaker doctor: ${target}`, ''];
  if (d.signaling) {
    lines.push(
      d.signaling.ok
        ? `Signaling    answered; it hands out ${count(d.servers.length, 'ICE server URL')}`
        : `Signaling    no answer: ${d.signaling.error ?? ''}`,
    );
  }
  lines.push('ICE servers');
  if (d.servers.length === 0) lines.push('  (none)');
  for (const s of d.servers) {
    const mark = s.answered ? '✓' : '✗';
    const what = s.kind === 'turn' ? 'relay' : 'srflx';
    const got = s.candidates.filter((c) => c.type === what).map(candidate);
    const errors = s.errors.map((e) => `${e.code} ${e.text}`.trim()).join('; ');
    const detail = s.answered
      ? `${s.kind === 'turn' ? 'allocated' : 'answered'} in ${s.ms} ms: ${got.join(', ')}`
      : `${s.kind === 'turn' ? 'no relay candidate' : 'no answer'}${errors ? ` (${errors})` : s.timedOut ? ' (timed out)' : ''}`;
    lines.push(`  ${mark} ${s.url}  ${detail}`);
  }
  lines.push(`Candidates   ${d.candidateTypes.join(', ') || 'none'}`);
  lines.push(
    `UDP          ${d.udpBlocked ? 'seems blocked: nothing came back over UDP' : d.servers.length === 0 ? 'not tested (no server)' : 'gets through'}`,
  );
  lines.push(`NAT          ${d.nat.text}`);
  lines.push('Paths');
  for (const c of d.checks) lines.push(`  ${c.connected ? '✓' : '✗'} ${c.policy === 'relay' ? 'relay only' : 'any path  '}  ${path(c)}`);
  lines.push('', `Verdict: ${d.verdict}`);
  return `${lines.map(printable).join('\n')}\n`;
}

function path(c: PathCheck): string {
  if (!c.connected) return `no connection: ${c.reason ?? ''}`;
  const pair = c.pair ? `${candidate(c.pair.local)} ↔ ${candidate(c.pair.remote)}` : 'pair unknown';
  const rtt = c.rttMs === undefined ? '' : `, round trip ${c.rttMs} ms${c.rttSource === 'echo' ? ' (data-channel echo)' : ''}`;
  return `connected in ${c.ms} ms: ${pair}${rtt}`;
}

function candidate(c: CandidateSummary): string {
  const address = c.address.includes(':') ? `[${c.address}]` : c.address;
  return `${c.type} ${c.protocol} ${address}:${c.port}${c.relayProtocol ? ` (to TURN over ${c.relayProtocol})` : ''}`;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
