import { type Diagnosis, diagnose } from '@icebreaker/client';
import { IceServer } from '@icebreaker/protocol';
import * as v from 'valibot';
import { byId, el } from './dom.js';
import type { Teaching } from './teaching.js';

/** Long enough for a distant STUN server, short enough that a learner waits for it. */
const TIMEOUT_MS = 5000;

/**
 * The doctor panel: "Check connectivity" runs the library's `diagnose()` in this browser with the
 * page's ICE servers (the textarea, as the steps use them) and shows what each server did, the
 * candidate types, UDP, the NAT hint, the test connections and the verdict.
 */
export function mountDoctor(lesson: Teaching): void {
  const button = byId<HTMLButtonElement>('doctor-run');
  const out = byId('doctor-report');
  button.addEventListener('click', async () => {
    let iceServers: RTCIceServer[];
    try {
      iceServers = v.parse(v.array(IceServer), JSON.parse(lesson.iceServersText));
    } catch (error) {
      out.replaceChildren(
        el('p', { class: 'error', role: 'alert' }, `The ICE servers are not a JSON list of RTCIceServer: ${(error as Error).message}`),
      );
      return;
    }
    button.disabled = true;
    out.replaceChildren(el('p', { class: 'hint' }, `Checking ${iceServers.length} ICE server${iceServers.length === 1 ? '' : 's'}…`));
    try {
      out.replaceChildren(...render(await diagnose({ iceServers, timeoutMs: TIMEOUT_MS })));
    } catch (error) {
      out.replaceChildren(el('p', { class: 'error', role: 'alert' }, `The check could not run: ${(error as Error).message}`));
    } finally {
      button.disabled = false;
    }
  });
}

function render(d: Diagnosis): Node[] {
  const servers = d.servers.map((s) => {
    const got = s.candidates.filter((c) => c.type === (s.kind === 'turn' ? 'relay' : 'srflx'));
    const errors = s.errors.map((e) => `${e.code} ${e.text}`.trim()).join('; ');
    const detail = s.answered
      ? `${s.kind === 'turn' ? 'allocated a relay' : 'answered'} in ${s.ms} ms (${got.map((c) => `${c.type} ${c.address}:${c.port}`).join(', ')})`
      : `${s.kind === 'turn' ? 'no relay candidate' : 'no answer'}${errors ? `: ${errors}` : ''}`;
    return el(
      'li',
      { 'data-answered': String(s.answered) },
      el('span', { class: 'mark' }, s.answered ? '✓' : '✗'),
      ' ',
      el('code', {}, s.url),
      ` ${detail}`,
    );
  });
  const checks = d.checks.map((c) => {
    const what = c.policy === 'relay' ? 'Relay only' : 'Any path';
    const pair = c.pair ? `${c.pair.local.type} ${c.pair.local.address} ↔ ${c.pair.remote.type} ${c.pair.remote.address}` : '';
    const rtt = c.rttMs === undefined ? '' : `, round trip ${c.rttMs} ms`;
    return el(
      'li',
      { 'data-connected': String(c.connected) },
      `${what}: ${c.connected ? `connected in ${c.ms} ms, ${pair}${rtt}` : `no connection (${c.reason ?? ''})`}`,
    );
  });
  return [
    el('h3', {}, 'ICE servers'),
    servers.length > 0 ? el('ul', { class: 'doctor-list' }, ...servers) : el('p', {}, 'None configured.'),
    el(
      'dl',
      { class: 'doctor-facts' },
      el('dt', {}, 'Candidates'),
      el('dd', {}, d.candidateTypes.join(', ') || 'none'),
      el('dt', {}, 'UDP'),
      el(
        'dd',
        {},
        d.udpBlocked ? 'seems blocked: nothing came back over UDP' : d.servers.length === 0 ? 'not tested (no server)' : 'gets through',
      ),
      el('dt', {}, 'NAT'),
      el('dd', {}, d.nat.text),
    ),
    el('h3', {}, 'Test connections (two in this tab)'),
    el('ul', { class: 'doctor-list' }, ...checks),
    el(
      'p',
      { id: 'doctor-verdict', class: `verdict verdict-${d.findings[0]?.severity ?? 'ok'}`, 'data-code': d.code, role: 'status' },
      d.verdict,
    ),
  ];
}
