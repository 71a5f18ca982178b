import type { IcebreakerError, RemotePeer, Room } from '@icebreaker/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIBDATACHANNEL, messages, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, startHarness } from '../helpers/server.js';

/** ICE cannot connect (relay-only, no TURN): the data goes through the signaling server. */
const NO_PATH = {
  ...LIBDATACHANNEL,
  rtcConfiguration: { iceTransportPolicy: 'relay' as const },
  relay: { afterMs: 200 },
  reconnect: { initialDelayMs: 50, maxDelayMs: 100 },
};

/** The `ws` WebSocket, keeping each socket it opens so that a test can cut one. */
const opened: WebSocket[] = [];
class KeptWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    opened.push(this);
  }
}

describe('the signaling connection drops in the middle of a relayed transfer', () => {
  let h: Harness;
  const sessions: Room[] = [];
  beforeEach(async () => {
    h = await startHarness({ resumeGraceMs: 10_000 });
  });
  afterEach(async () => {
    for (const session of sessions.splice(0)) session.close();
    await h.close();
  });

  it('the receiver, whose incoming relay frames the server refused meanwhile, says relay-failed instead of hanging; both make a new peer connection, the transfer resumes on it and completes whole, and they talk again', async () => {
    const a = await nodePeer(h.server.signalingUrl, 'drop', NO_PATH);
    // B comes back after a second and a half: long enough for the server to refuse A's whole credit window.
    const b = await nodePeer(h.server.signalingUrl, 'drop', {
      ...NO_PATH,
      WebSocket: KeptWebSocket as never,
      reconnect: { initialDelayMs: 3000, maxDelayMs: 3000 },
    });
    const socketOfB = opened.at(-1) as WebSocket;
    sessions.push(a, b);
    const reopened = (session: Room) =>
      new Promise<RemotePeer>((resolve) => session.on('open', (peer) => peer.generation > 0 && resolve(peer)));
    const next = Promise.all([reopened(a), reopened(b)]);
    const [toB, toA] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    expect([toB.path, toA.path]).toEqual(['relay', 'relay']);
    const errorsAtB: string[] = [];
    b.on('error', (error: IcebreakerError) => errorsAtB.push(error.code));
    const states: string[] = [];
    const received = new Promise<Blob | null>((resolve, reject) =>
      b.on('transfer', (_peer, transfer) => {
        transfer.on('state', (state) => states.push(state));
        transfer.done.then(resolve, reject);
      }),
    );
    let cut = false;
    const sent = toB.sendFile(new Blob([new Uint8Array(20 * 1024 * 1024)]), {
      onProgress: ({ bytes }) => {
        if (cut || bytes < 2 * 1024 * 1024) return;
        cut = true;
        socketOfB.terminate();
      },
    });
    sent.done.catch(() => {});
    // Before issue 11's fix, A's credit was spent on refused frames, nothing more came, and B waited
    // forever; now its relay fails at once (the transfer is interrupted, not lost).
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (!errorsAtB.includes('relay-failed')) return;
        clearInterval(check);
        resolve();
      }, 20);
    });
    expect(toA.channelState).toBe('closed');
    // B resumes its id on the server, unharmed.
    await new Promise<void>((resolve) => (b.signalingState === 'open' ? resolve() : b.on('signaling', (s) => s === 'open' && resolve())));
    expect(b.peerId).toBe(toB.id);
    // Both stay in the room: a new peer connection between the same two peers (on the relay again,
    // ICE having no path), and messages flow both ways on it.
    const [toBAgain, toAAgain] = await next;
    expect([toBAgain.id, toAAgain.id]).toEqual([b.peerId, a.peerId]);
    expect([toBAgain.path, toAAgain.path]).toEqual(['relay', 'relay']);
    const [atB, atA] = [messages(b, 1), messages(a, 1)];
    await toBAgain.send('again, to B');
    await toAAgain.send('again, to A');
    expect([await atB, await atA]).toEqual([['again, to B'], ['again, to A']]);
    // The file, cut by the relay's failure, went on over the new connection from where B was: whole.
    const [blob] = await Promise.all([received, sent.done]);
    expect(blob?.size).toBe(20 * 1024 * 1024);
    expect(new Uint8Array(await (blob as Blob).arrayBuffer()).every((byte) => byte === 0)).toBe(true);
    expect(states).toContain('interrupted');
    expect(states.at(-1)).toBe('done');
  }, 60_000);
});
