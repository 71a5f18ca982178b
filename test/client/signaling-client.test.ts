import { Emitter, SignalingClient, type WebSocketConstructor } from '@icebreaker/client';
import { IcebreakerError } from '@icebreaker/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness } from '../helpers/server.js';

// Node 20 has no global WebSocket: the library takes one, as it would in any Node app.
const options = { WebSocket: WebSocket as unknown as WebSocketConstructor };

describe('SignalingClient against a real server', () => {
  let h: Harness;
  const clients: SignalingClient[] = [];
  const open = async () => {
    const client = await SignalingClient.open(h.server.signalingUrl, options);
    clients.push(client);
    return client;
  };
  beforeEach(async () => {
    h = await startHarness({ iceServers: [{ urls: 'stun:stun.example.org' }] });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await h.close();
  });

  it('joins, learns of the other peer, and exchanges signals', async () => {
    const a = await open();
    const welcomeA = await a.join({ room: 'r', name: 'Ada' });
    expect(welcomeA).toMatchObject({ room: 'r', peers: [], iceServers: [{ urls: 'stun:stun.example.org' }] });
    expect(a.session?.peerId).toBe(welcomeA.peerId);

    const b = await open();
    const joined = a.next('peer-joined');
    const welcomeB = await b.join({ room: 'r' });
    expect(welcomeB.peers).toEqual([{ id: welcomeA.peerId, name: 'Ada' }]);
    expect((await joined)[0]).toEqual({ id: welcomeB.peerId });

    const received = b.next('signal');
    a.signal({ kind: 'end-of-candidates' }, welcomeB.peerId);
    expect(await received).toEqual([welcomeA.peerId, { kind: 'end-of-candidates' }, undefined]);

    const left = a.next('peer-left');
    b.leave();
    expect(await left).toEqual([welcomeB.peerId, 'left']);
  });

  it('rejects join with the server’s error code', async () => {
    await (await open()).join({ room: 'full' });
    await (await open()).join({ room: 'full' });
    const third = await open();
    const error = await third.join({ room: 'full' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IcebreakerError);
    expect((error as IcebreakerError).code).toBe('room-full');
  });

  it('reports an error answering a signal with the request id it answers', async () => {
    const a = await open();
    await a.join({ room: 'solo' });
    const errored = a.next('error');
    const id = a.signal({ kind: 'end-of-candidates' }, 'nobody');
    const [error, re] = await errored;
    expect(error.code).toBe('unknown-peer');
    expect(re).toBe(id);
  });

  it('rejects a pending join when the connection closes, and opening an unreachable server', async () => {
    const a = await open();
    const pending = a.join({ room: 'r' });
    a.close();
    // The welcome may win the race with the close; either way the promise settles, never hangs.
    const outcome = await pending.then(
      () => 'welcome',
      (e: IcebreakerError) => e.code,
    );
    expect(['welcome', 'connection-closed']).toContain(outcome);

    const port = h.server.port;
    await h.close();
    const failure = await SignalingClient.open(`ws://127.0.0.1:${port}/ws`, options).catch((e: unknown) => e);
    expect((failure as IcebreakerError).code).toBe('connection-closed');
    h = await startHarness();
  });
});

describe('Emitter', () => {
  it('keeps calling listeners after one throws, and removes a listener with the returned function', () => {
    class Bell extends Emitter<{ ring: [times: number] }> {
      ring(times: number) {
        this.emit('ring', times);
      }
    }
    const bell = new Bell();
    const heard: number[] = [];
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    bell.on('ring', () => {
      throw new Error('bad listener');
    });
    const off = bell.on('ring', (times) => heard.push(times));
    bell.ring(2);
    off();
    bell.ring(3);
    expect(heard).toEqual([2]);
    expect(quiet).toHaveBeenCalledTimes(2);
    quiet.mockRestore();
  });
});
