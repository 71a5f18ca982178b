import type { WelcomeMessage } from '@icebreaker/protocol';
import { byId, el } from './dom.js';
import { annotateSdp } from './sdp-notes.js';
import { STAGES, STEPS, type Step } from './steps.js';
import type { CandidateRow, LiveStates, Mode, StepOutput, StepStatus, Teaching, TimelineEntry } from './teaching.js';
import { renderTrust } from './trust-step-view.js';

const ROLE_NAME = { caller: 'PEER1', callee: 'PEER2' } as const;

const STATE_LABELS: ReadonlyArray<readonly [keyof LiveStates, string]> = [
  ['signalingState', 'pc.signalingState'],
  ['iceGatheringState', 'pc.iceGatheringState'],
  ['iceConnectionState', 'pc.iceConnectionState'],
  ['connectionState', 'pc.connectionState'],
  ['channelState', 'channel.readyState'],
];

/** How a live state value is coloured: settled and working, still in progress, or broken. */
const TONES: Readonly<Record<string, 'ok' | 'busy' | 'bad'>> = {
  stable: 'ok',
  complete: 'ok',
  connected: 'ok',
  completed: 'ok',
  open: 'ok',
  new: 'busy',
  gathering: 'busy',
  checking: 'busy',
  connecting: 'busy',
  'have-local-offer': 'busy',
  'have-remote-offer': 'busy',
  disconnected: 'bad',
  failed: 'bad',
  closing: 'bad',
  closed: 'bad',
};

/** The parts of one rendered step that change. */
interface StepView {
  readonly item: HTMLLIElement;
  readonly status: HTMLElement;
  readonly button: HTMLButtonElement | null;
  readonly output: HTMLElement;
  shown: StepOutput | string | undefined;
}

/**
 * Renders a lesson into the page's skeleton. Everything is built once; a change only updates
 * attributes and the parts that changed, so keyboard focus stays where the learner left it.
 * `nextPeer` says who may connect once the peer left: in a room of an invite link, only a holder of
 * the link (the bare address is refused), so the banner must not invite anyone to open the address.
 */
export function mountView(
  lesson: Teaching,
  welcome: WelcomeMessage,
  onModeChange: (mode: Mode) => void,
  nextPeer = 'the next peer to open this address (or to run icebreaker peer)',
): void {
  const steps = new Map<number, StepView>();
  /** Set when the learner runs a step, so focus may move on to the next one (see update). */
  let focusFollows = false;
  const stages = byId('stages');
  /** The role the steps were drawn for: each side has the buttons of its own steps. */
  let drawnRole = lesson.role;
  const drawSteps = (): void => {
    drawnRole = lesson.role;
    steps.clear();
    stages.replaceChildren();
    for (const stage of STAGES) {
      const list = el('ol', { class: 'steps' });
      for (const s of STEPS.filter((x) => x.stage === stage.n)) {
        const view = renderStep(s, lesson, () => {
          focusFollows = true;
        });
        steps.set(s.n, view);
        list.append(view.item);
      }
      stages.append(
        el('section', { class: 'stage', 'aria-label': `Stage ${stage.n}` }, el('h3', {}, `Stage ${stage.n} · ${stage.title}`), list),
      );
    }
  };
  drawSteps();

  const states = byId('states');
  const stateValues = new Map<keyof LiveStates, HTMLElement>();
  for (const [key, label] of STATE_LABELS) {
    const value = el('dd', { 'data-state': key });
    stateValues.set(key, value);
    states.append(el('div', { class: 'state' }, el('dt', {}, el('code', {}, label)), value));
  }

  const ice = byId<HTMLTextAreaElement>('ice');
  ice.value = lesson.iceServersText;
  ice.addEventListener('input', () => {
    lesson.iceServersText = ice.value;
  });

  const radios = [...document.querySelectorAll<HTMLInputElement>('#mode input[name=mode]')];
  for (const radio of radios) {
    radio.checked = radio.value === lesson.mode;
    radio.addEventListener('change', () => {
      if (radio.checked && (radio.value === 'steps' || radio.value === 'auto')) onModeChange(radio.value);
    });
  }

  const chatInput = byId<HTMLInputElement>('chat-input');
  const chatSend = byId<HTMLButtonElement>('chat-send');
  byId('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    lesson.sendChat(chatInput.value.trim());
    chatInput.value = '';
  });
  lesson.on('chat', (line) => {
    const log = byId('chat-log');
    log.append(
      el(
        'li',
        { class: `chat-${line.from}` },
        el('span', { class: 'who' }, line.from === 'me' ? 'You' : ROLE_NAME[lesson.role === 'caller' ? 'callee' : 'caller']),
        line.text,
      ),
    );
    log.scrollTop = log.scrollHeight;
  });

  const timeline = byId('timeline');
  const addEntry = (entry: TimelineEntry): void => {
    timeline.append(el('li', { class: `t-${entry.kind}` }, el('time', {}, `+${entry.at} ms`), ' ', entry.text));
    timeline.scrollTop = timeline.scrollHeight;
  };
  for (const entry of lesson.timeline) addEntry(entry);
  lesson.on('timeline', addEntry);

  const banner = byId('banner');
  const alertBox = byId('alert');
  let wasConnected = false;

  const update = (): void => {
    const peerName = ROLE_NAME[lesson.role === 'caller' ? 'callee' : 'caller'];
    renderRoom(lesson, welcome, peerName);
    // A tab in automatic mode becomes PEER1 when a newcomer follows a peer that left.
    if (lesson.role !== drawnRole) drawSteps();

    let next: number | undefined;
    for (const [n, view] of steps) {
      const status = lesson.status(n);
      if (next === undefined && status === 'ready' && view.button) next = n;
      updateStep(view, status, lesson, n);
    }
    for (const [n, view] of steps) {
      if (n === next && lesson.mode === 'steps') view.item.setAttribute('aria-current', 'step');
      else view.item.removeAttribute('aria-current');
    }
    // A button that has just run is disabled, which drops keyboard focus to the page; hand it to the
    // next step to run, so a keyboard user presses Enter again instead of tabbing from the top.
    const active = document.activeElement;
    const focusLost = !active || active === document.body || (active instanceof HTMLButtonElement && active.disabled);
    if (focusFollows && focusLost && next !== undefined && lesson.mode === 'steps') {
      steps.get(next)?.button?.focus();
      focusFollows = false;
    }

    const live = lesson.states();
    for (const [key, element] of stateValues) {
      element.textContent = live[key];
      element.dataset.tone = TONES[live[key]] ?? '';
    }

    ice.disabled = lesson.started;
    for (const radio of radios) {
      radio.checked = radio.value === lesson.mode;
      // Switching to automatic is allowed at any time ("finish for me"); back only before starting.
      radio.disabled = lesson.connected || Boolean(lesson.ended) || (radio.value === 'steps' && lesson.mode === 'auto' && lesson.started);
    }

    renderCandidates(lesson.candidates);

    const canChat = lesson.connected && !lesson.ended && live.channelState === 'open';
    chatInput.disabled = !canChat;
    chatSend.disabled = !canChat;
    chatInput.placeholder = canChat ? `Message ${peerName}` : 'Available once the channel opens';

    alertBox.hidden = lesson.problem === null;
    if (alertBox.textContent !== lesson.problem) alertBox.textContent = lesson.problem;

    if (lesson.ended) {
      banner.hidden = false;
      banner.className = 'banner banner-ended';
      banner.replaceChildren(el('span', {}, lesson.ended), ' ', el('button', { type: 'button', id: 'restart' }, 'Start over'));
      byId('restart').addEventListener('click', () => location.reload());
    } else if (lesson.remoteLeft && lesson.mode === 'auto') {
      banner.hidden = false;
      banner.className = 'banner banner-left';
      banner.replaceChildren(el('strong', {}, `${peerName} left.`), ` This tab stays in the room: ${nextPeer} connects to it.`);
      wasConnected = false;
    } else if (lesson.connected) {
      banner.hidden = false;
      banner.className = 'banner banner-connected';
      banner.replaceChildren(
        el('strong', {}, 'Connected!'),
        ` The data channel to ${peerName} is open: messages now go browser to browser.`,
      );
      if (!wasConnected) {
        wasConnected = true;
        const active = document.activeElement;
        if (!active || active === document.body || (active instanceof HTMLButtonElement && active.disabled)) chatInput.focus();
      }
    } else {
      banner.hidden = true;
    }
  };

  lesson.on('change', update);
  update();
}

function renderStep(s: Step, lesson: Teaching, onRun: () => void): StepView {
  const actorName = s.actor === 'caller' || s.actor === 'callee' ? ROLE_NAME[s.actor] : s.actor === 'server' ? 'Server' : 'Both';
  const status = el('span', { class: 'status' });
  const button =
    s.action && s.actor === lesson.role
      ? el('button', { type: 'button', class: 'action', 'data-action': String(s.n) }, el('code', {}, s.action))
      : null;
  button?.addEventListener('click', () => {
    onRun();
    void lesson.run(s.n);
  });
  const output = el('div', { class: 'output', 'aria-live': 'polite' });
  const item = el(
    'li',
    { class: 'step', id: `step-${s.n}`, 'data-step': String(s.n), 'data-actor': s.actor },
    el(
      'div',
      { class: 'step-head' },
      el('span', { class: 'step-n', 'aria-hidden': 'true' }, String(s.n)),
      el('h4', {}, el('span', { class: 'sr-only' }, `Step ${s.n}: `), s.title),
      el('span', { class: `actor actor-${s.actor}` }, actorName),
      status,
    ),
    el('p', { class: 'explain' }, s.explain),
    button,
    output,
  );
  return { item, status, button, output, shown: undefined };
}

const STATUS_TEXT: Readonly<Record<StepStatus, string>> = {
  waiting: 'waiting',
  ready: 'your turn',
  running: 'running…',
  done: 'done ✓',
  failed: 'failed — try again',
  elsewhere: 'other tab',
};

function updateStep(view: StepView, status: StepStatus, lesson: Teaching, n: number): void {
  view.item.dataset.status = status;
  view.status.textContent = status === 'ready' && lesson.mode === 'auto' ? 'next' : STATUS_TEXT[status];
  if (view.button) view.button.disabled = status !== 'ready' || lesson.mode !== 'steps';
  const shown = lesson.failure(n) ?? lesson.output(n);
  if (shown === view.shown) return;
  view.shown = shown;
  if (typeof shown === 'string') view.output.replaceChildren(el('p', { class: 'error', role: 'alert' }, shown));
  else view.output.replaceChildren(...(shown ? renderOutput(shown, lesson) : []));
}

function renderOutput(output: StepOutput, lesson: Teaching): Node[] {
  const intro = el('p', {}, output.text);
  switch (output.kind) {
    case 'text':
      return [intro];
    case 'json':
      return [intro, el('pre', { class: 'json' }, JSON.stringify(output.value, null, 2))];
    case 'trust':
      return [intro, ...renderTrust(output.notes, lesson.role)];
    case 'sdp': {
      const sections = annotateSdp(output.sdp);
      const lineCount = sections.reduce((n, s) => n + s.lines.length, 0);
      return [
        intro,
        el(
          'details',
          { class: 'sdp', open: true },
          el('summary', {}, `SDP, ${lineCount} lines (the data-channel section is highlighted)`),
          ...sections.map((section) =>
            el(
              'div',
              { class: section.dataChannel ? 'sdp-section sdp-datachannel' : 'sdp-section' },
              el('div', { class: 'sdp-title' }, section.title),
              el(
                'ol',
                { class: 'sdp-lines' },
                ...section.lines.map((line) =>
                  el('li', {}, el('code', {}, line.text), line.note ? el('span', { class: 'note' }, line.note) : null),
                ),
              ),
            ),
          ),
        ),
      ];
    }
  }
}

function renderRoom(lesson: Teaching, welcome: WelcomeMessage, peerName: string): void {
  const session = byId('session');
  const me = ROLE_NAME[lesson.role];
  const other = lesson.remotePeer
    ? `${peerName} ${lesson.remoteLeft ? 'left' : 'is here'} (${lesson.remotePeer})`
    : `${peerName} has not joined yet`;
  const link = location.href;
  // Waiting for a peer: none came yet, or (automatic mode) the last one left and the tab stays. A
  // paired tab's address is no invitation (the secret is not in it): its invite card shows the link.
  const waiting = !lesson.paired && (!lesson.remotePeer || (lesson.remoteLeft && !lesson.ended));
  session.replaceChildren(
    el(
      'p',
      {},
      'Room ',
      el('code', { id: 'room-name' }, welcome.room),
      ' · You are ',
      el('strong', { id: 'role', class: `role role-${lesson.role}`, 'data-role': me }, `${me} (${lesson.role})`),
      ' · ',
      el('span', { id: 'peer-presence' }, other),
    ),
    !waiting
      ? ''
      : el(
          'p',
          { class: 'invite' },
          el(
            'label',
            { for: 'invite-link' },
            `Invite ${lesson.remoteLeft ? 'another peer' : peerName}: open this address in another tab or browser`,
          ),
          el('input', { id: 'invite-link', readonly: true, value: link }),
        ),
  );
}

function renderCandidates(rows: readonly CandidateRow[]): void {
  const body = byId('candidates').querySelector('tbody');
  const sig = rows.map((r) => `${r.side[0]}${r.state[0]}`).join('');
  if (!body || body.dataset.signature === sig) return;
  body.dataset.signature = sig;
  if (rows.length === 0) {
    body.replaceChildren(
      el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'None yet: they appear after a local description is set.')),
    );
    return;
  }
  body.replaceChildren(
    ...rows.map((row) => {
      const p = row.parsed;
      const mdns = p?.address.endsWith('.local') ?? false;
      const address = p ? (mdns ? `${p.address.slice(0, 8)}….local` : p.address) : '?';
      return el(
        'tr',
        { 'data-side': row.side, 'data-type': p?.type ?? 'unknown' },
        el('td', {}, row.side === 'local' ? 'this tab' : 'other tab'),
        el('td', {}, el('span', { class: `ctype ctype-${p?.type ?? 'unknown'}` }, p?.type ?? '?')),
        el('td', {}, p?.protocol ?? '?'),
        el('td', { class: 'addr' }, address, mdns ? el('span', { class: 'addr-note' }, 'hidden by mDNS') : null),
        el('td', {}, p ? String(p.port) : '?'),
        el('td', {}, row.state),
      );
    }),
  );
}
