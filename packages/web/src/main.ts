import { diagnose, SignalingClient } from '@icebreaker/client';
import { isIcebreakerError, RoomName } from '@icebreaker/protocol';
import { safeParse } from 'valibot';
import { AutoLesson } from './auto-lesson.js';
import { mountDoctor } from './doctor-view.js';
import { byId, el } from './dom.js';
import { mountExtras } from './extras-view.js';
import { mountInvite } from './invite-view.js';
import { Lesson } from './lesson.js';
import { type Pairing, takePairing } from './pairing-address.js';
import { mountPairs } from './pairs-view.js';
import { mountSafety } from './safety-view.js';
import type { Mode } from './teaching.js';
import { mountView } from './view.js';

/**
 * Reads room and mode from the address, filling in what is missing so the address can be shared. A
 * pairing (link or code) names the room, and runs in automatic mode: the library proves the link.
 */
function readAddress(pairing: Pairing | null): { room: string; mode: Mode; token: string | null } {
  const params = new URLSearchParams(location.search);
  // A room token (servers with --auth-secret) is this visitor's own: it leaves the address bar at
  // once, so that the shared link, the history and the Referer never carry it.
  const token = params.get('token');
  params.delete('token');
  const asked = pairing?.room ?? params.get('room');
  const room = asked !== null && safeParse(RoomName, asked).success ? asked : `room-${Math.random().toString(36).slice(2, 8)}`;
  const mode: Mode = pairing !== null || params.get('mode') === 'auto' ? 'auto' : 'steps';
  params.set('room', room);
  params.set('mode', mode);
  // history.state keeps the pairing (see pairing-address.ts).
  history.replaceState(history.state, '', `?${params}`);
  return { room, mode, token };
}

function setMode(mode: Mode): void {
  const params = new URLSearchParams(location.search);
  params.set('mode', mode);
  history.replaceState(history.state, '', `?${params}`);
}

function fail(message: string, action?: Node): void {
  byId('session').replaceChildren(el('p', { class: 'error', role: 'alert', id: 'fatal' }, message), action ?? '');
}

async function main(): Promise<void> {
  // First of all, before any request or log: the link's secret leaves the address bar.
  const { pairing, problem } = takePairing();
  const { room, mode, token } = readAddress(pairing);
  mountInvite(pairing, problem);
  const endpoint = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let signaling: SignalingClient;
  try {
    signaling = await SignalingClient.open(endpoint);
  } catch {
    return fail(`Could not reach the signaling server at ${endpoint}. Is it running?`);
  }
  let welcome: Awaited<ReturnType<SignalingClient['join']>>;
  try {
    welcome = await signaling.join(token === null ? { room } : { room, token });
  } catch (error) {
    if (isIcebreakerError(error) && error.code === 'room-full') {
      return fail(`Room "${room}" already has its two peers.`, el('a', { href: `?mode=${mode}`, id: 'new-room' }, 'Start a new room'));
    }
    if (isIcebreakerError(error) && error.code.startsWith('auth-')) {
      return fail(
        `This server admits only peers with a room token (${error.code}): open the page with ?room=${room}&token=… ` +
          `(a developer mints one with "icebreaker token --room ${room}").`,
      );
    }
    return fail(`Could not join room "${room}": ${(error as Error).message}`);
  }
  // Automatic mode runs on the Icebreaker library; step-by-step mode on the bare WebRTC API.
  // `?ice=relay`: TURN candidates only (automatic mode), to watch the ladder fall back to the relay.
  const policy = new URLSearchParams(location.search).get('ice') === 'relay' ? 'relay' : 'all';
  const lesson =
    mode === 'auto'
      ? new AutoLesson(endpoint, signaling, welcome, policy, pairing?.kind === 'link' ? pairing.secret : undefined)
      : new Lesson(signaling, welcome, mode);
  // Leaving says so at once; otherwise the server would keep this peer's place for a resume.
  addEventListener('pagehide', () => {
    if (lesson instanceof AutoLesson) lesson.leave();
    else if (signaling.isOpen) signaling.leave();
  });
  const nextPeer =
    pairing?.kind === 'link'
      ? 'the next peer to open the invite link'
      : pairing?.kind === 'code'
        ? 'the next peer to type the code'
        : undefined;
  mountView(
    lesson,
    welcome,
    (next) => {
      setMode(next);
      // Before the first step, a mode is a choice of engine; after it, the lesson finishes by itself.
      if (!lesson.started && next === 'auto') location.reload();
      else lesson.setMode(next);
    },
    nextPeer,
  );
  if (lesson instanceof AutoLesson) {
    mountExtras(lesson);
    mountSafety(lesson, pairing);
  }
  mountPairs(lesson);
  mountDoctor(lesson);
  lesson.start();
  // Exposed for the browser tests and for curious learners in the console.
  (globalThis as { icebreaker?: unknown }).icebreaker = { lesson, signaling, diagnose };
}

void main();
