import { byId, el } from './dom.js';
import type { PathInfo, Teaching } from './teaching.js';

type Stats = RTCStats & Record<string, unknown>;

/** One candidate pair as the view shows it. */
interface PairRow {
  readonly id: string;
  readonly local: string;
  readonly remote: string;
  readonly relayed: boolean;
  readonly state: string;
  readonly nominated: boolean;
  readonly selected: boolean;
  readonly rttMs: number | undefined;
}

/** How often the pairs are read again: ICE checks change their states with no event to say so. */
const REFRESH_MS = 1000;

/**
 * The candidate-pair view: every pair ICE forms from a local and a remote candidate, with its check
 * state, the nominated and selected pair highlighted and its round-trip time, read from `getStats`
 * once a second and at every change of the lesson, in both modes. Above it, the path the connection
 * took (direct or through TURN, from the selected pair, or as the library reports it with its reason).
 */
export function mountPairs(lesson: Teaching): void {
  const body = byId('pairs').querySelector('tbody') as HTMLTableSectionElement;
  const pathLine = byId('path');
  let reading = false;

  const refresh = async (): Promise<void> => {
    const pc = lesson.peerConnection;
    if (reading || !pc || pc.connectionState === 'closed') return;
    reading = true;
    try {
      const rows = readPairs([...(await pc.getStats()).values()] as Stats[]);
      render(body, rows);
      showPath(
        pathLine,
        lesson.path,
        rows.find((r) => r.selected),
      );
    } catch {
      // A connection closed between the check and the read has no stats to show: the next change redraws.
    } finally {
      reading = false;
    }
  };
  render(body, []);
  showPath(pathLine, lesson.path, undefined);
  lesson.on('change', () => void refresh());
  setInterval(() => void refresh(), REFRESH_MS);
}

/** The pairs of a stats report, the selected one first. */
export function readPairs(stats: readonly Stats[]): PairRow[] {
  const byId = new Map(stats.map((s) => [s.id, s]));
  const selectedIds = new Set(
    stats.filter((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string').map((s) => s.selectedCandidatePairId),
  );
  const rows = stats
    .filter((s) => s.type === 'candidate-pair')
    .map((pair) => {
      const local = byId.get(pair.localCandidateId as string);
      const remote = byId.get(pair.remoteCandidateId as string);
      const rtt = pair.currentRoundTripTime;
      return {
        id: pair.id,
        local: describe(local),
        remote: describe(remote),
        relayed: local?.candidateType === 'relay' || remote?.candidateType === 'relay',
        state: String(pair.state ?? '?'),
        nominated: pair.nominated === true,
        // Without a transport entry (older stacks), the nominated pair that succeeded is the one in use.
        selected: selectedIds.size > 0 ? selectedIds.has(pair.id) : pair.nominated === true && pair.state === 'succeeded',
        rttMs: typeof rtt === 'number' ? Math.round(rtt * 10_000) / 10 : undefined,
      };
    });
  return rows.sort((a, b) => Number(b.selected) - Number(a.selected));
}

function describe(candidate: Stats | undefined): string {
  if (!candidate) return '?';
  const address = String(candidate.address ?? candidate.ip ?? '?');
  const relay = typeof candidate.relayProtocol === 'string' ? ` via TURN/${candidate.relayProtocol}` : '';
  return `${String(candidate.candidateType ?? '?')} ${String(candidate.protocol ?? '')} ${address}:${String(candidate.port ?? '?')}${relay}`;
}

function render(body: HTMLTableSectionElement, rows: readonly PairRow[]): void {
  const signature = JSON.stringify(rows);
  if (body.dataset.signature === signature) return;
  body.dataset.signature = signature;
  if (rows.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '5', class: 'empty' }, 'None yet: pairs form once both sides have candidates.')));
    return;
  }
  body.replaceChildren(
    ...rows.map((row) =>
      el(
        'tr',
        {
          class: row.selected ? 'pair-selected' : row.nominated ? 'pair-nominated' : undefined,
          'data-state': row.state,
          'data-selected': row.selected ? 'true' : undefined,
        },
        el('td', { class: 'addr' }, row.local),
        el('td', { class: 'addr' }, row.remote),
        el('td', {}, row.state),
        el('td', {}, row.selected ? 'selected' : row.nominated ? 'nominated' : ''),
        el('td', {}, row.rttMs === undefined ? '—' : `${row.rttMs} ms`),
      ),
    ),
  );
}

/** The rung of the ladder the connection stands on, and the library's reason when it fell back. */
function showPath(line: HTMLElement, reported: PathInfo | null, selected: PairRow | undefined): void {
  const path = reported?.path ?? (selected ? (selected.relayed ? 'turn' : 'direct') : null);
  const words: Readonly<Record<string, string>> = {
    connecting: 'still looking for a path',
    direct: 'direct, peer to peer (no server carries the data)',
    turn: 'through a TURN server, which relays the encrypted packets',
    relay: 'relayed by the signaling server over its WebSocket, end-to-end encrypted',
  };
  const text = path === null ? 'No path yet.' : `Path: ${words[path] ?? path}${reported?.reason ? `. Why: ${reported.reason}` : ''}.`;
  if (line.textContent === text) return;
  line.textContent = text;
  if (path === null) delete line.dataset.path;
  else line.dataset.path = path;
  for (const rung of document.querySelectorAll<HTMLElement>('#ladder [data-rung]')) {
    if (rung.dataset.rung === path) rung.setAttribute('aria-current', 'true');
    else rung.removeAttribute('aria-current');
  }
}
