import { type ConnectOptions, connect, type RemotePeer, Room, SignalingClient, type WebSocketConstructor } from '@icebreaker/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_WEBRTC, nodePeer, openPeer } from '../helpers/peers.js';
import { type Harness, metric, startHarness } from '../helpers/server.js';

// Issue 9, item 13: options were taken as given; `frameBytes: 0` made sendFile spin forever. Every
// option of every public entry point is checked where it enters, with a TypeError naming the field
// and what it accepts.
describe('client options', () => {
  let h: Harness;
  const sessions: Room[] = [];
  const clients: SignalingClient[] = [];
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    for (const c of clients.splice(0)) c.close();
    await h.close();
  });

  const base = (): ConnectOptions => ({ room: 'checked', ...NODE_WEBRTC, iceServers: [] });
  const bad = (options: object): ConnectOptions => options as ConnectOptions;

  it.each([
    ['frameBytes', { frameBytes: 0 }, 'options.frameBytes: expected a whole number from 1024 to 262144, got 0'],
    ['frameBytes', { frameBytes: 1023 }, 'options.frameBytes: expected a whole number from 1024 to 262144, got 1023'],
    ['frameBytes', { frameBytes: 262_145 }, 'options.frameBytes: expected a whole number from 1024 to 262144, got 262145'],
    ['frameBytes', { frameBytes: 4096.5 }, 'options.frameBytes: expected a whole number from 1024 to 262144, got 4096.5'],
    ['frameBytes', { frameBytes: '65536' }, 'options.frameBytes: expected a whole number from 1024 to 262144, got "65536"'],
    ['retransmitMs', { retransmitMs: 0 }, 'options.retransmitMs: expected a whole number from 50 to 60000, got 0'],
    [
      'retransmitMs',
      { retransmitMs: Number.POSITIVE_INFINITY },
      'options.retransmitMs: expected a whole number from 50 to 60000, got Infinity',
    ],
    [
      'disconnectedRestartMs',
      { disconnectedRestartMs: -1 },
      'options.disconnectedRestartMs: expected a whole number from 0 to 600000, got -1',
    ],
    [
      'disconnectedRestartMs',
      { disconnectedRestartMs: Number.NaN },
      'options.disconnectedRestartMs: expected a whole number from 0 to 600000, got NaN',
    ],
    ['reconnect', { reconnect: true }, 'options.reconnect: expected false or an object, got true'],
    [
      'reconnect',
      { reconnect: { initialDelayMs: 0 } },
      'options.reconnect.initialDelayMs: expected a whole number from 10 to 60000, got 0',
    ],
    ['reconnect', { reconnect: { maxDelayMs: 100 } }, 'options.reconnect.maxDelayMs: expected a whole number from 250 to 600000, got 100'],
    [
      'reconnect',
      { reconnect: { initialDelayMs: 1000, maxDelayMs: 500 } },
      'options.reconnect.maxDelayMs: expected a whole number from 1000 to 600000, got 500',
    ],
    [
      'reconnect',
      { reconnect: { maxDelayMs: 600_001 } },
      'options.reconnect.maxDelayMs: expected a whole number from 250 to 600000, got 600001',
    ],
    [
      'reconnect',
      { reconnect: { initialDelay: 100 } },
      'options.reconnect.initialDelay: not an option here (known: initialDelayMs, maxDelayMs)',
    ],
    ['peerReconnect', { peerReconnect: true }, 'options.peerReconnect: expected false or an object, got true'],
    [
      'peerReconnect',
      { peerReconnect: { initialDelayMs: 5 } },
      'options.peerReconnect.initialDelayMs: expected a whole number from 10 to 60000, got 5',
    ],
    [
      'peerReconnect',
      { peerReconnect: { maxDelayMs: 500 } },
      'options.peerReconnect.maxDelayMs: expected a whole number from 1000 to 600000, got 500',
    ],
    [
      'peerReconnect',
      { peerReconnect: { initialDelayMs: 100, maxDelayMs: 600_001 } },
      'options.peerReconnect.maxDelayMs: expected a whole number from 100 to 600000, got 600001',
    ],
    [
      'peerReconnect',
      { peerReconnect: { delayMs: 100 } },
      'options.peerReconnect.delayMs: not an option here (known: initialDelayMs, maxDelayMs)',
    ],
    ['room', { room: undefined }, 'options.room: expected 1 to 64 letters, digits or - _ . ~, got undefined'],
    ['room', { room: '' }, 'options.room: expected 1 to 64 letters, digits or - _ . ~, got ""'],
    ['room', { room: 'two words' }, 'options.room: expected 1 to 64 letters, digits or - _ . ~, got "two words"'],
    ['room', { room: 'x'.repeat(65) }, 'options.room: expected 1 to 64 letters, digits or - _ . ~, got "xxxx'],
    ['room', { room: 7 }, 'options.room: expected 1 to 64 letters, digits or - _ . ~, got 7'],
    ['name', { name: '' }, 'options.name: expected a display name of 1 to 64 characters, got ""'],
    ['name', { name: 'n'.repeat(65) }, 'options.name: expected a display name of 1 to 64 characters, got "nnnn'],
    ['name', { name: 42 }, 'options.name: expected a display name of 1 to 64 characters, got 42'],
    ['token', { token: '' }, 'options.token: expected a room token of 1 to 4096 characters, got a string of 0 characters'],
    ['token', { token: 's'.repeat(4097) }, 'options.token: expected a room token of 1 to 4096 characters, got a string of 4097 characters'],
    ['token', { token: 5 }, 'options.token: expected a room token of 1 to 4096 characters, got 5'],
    ['iceServers', { iceServers: 'stun:stun.example.org' }, 'options.iceServers: expected an array of RTCIceServer, got "stun:'],
    ['iceServers', { iceServers: [null] }, 'options.iceServers[0]: expected an RTCIceServer object, got null'],
    [
      'iceServers',
      { iceServers: [{}] },
      'options.iceServers[0].urls: expected a stun:, stuns:, turn: or turns: URL, or a non-empty array of them, got undefined',
    ],
    ['iceServers', { iceServers: [{ urls: [] }] }, 'options.iceServers[0].urls: expected a stun:, stuns:, turn: or turns: URL'],
    ['iceServers', { iceServers: [{ urls: 'https://stun.example.org' }] }, 'options.iceServers[0].urls: expected a stun:'],
    ['iceServers', { iceServers: [{ urls: 'stun:a', username: 5 }] }, 'options.iceServers[0].username: expected a string, got 5'],
    [
      'iceServers',
      { iceServers: [{ urls: 'stun:a' }, { urls: 'turn:b' }] },
      'options.iceServers[1].username: expected a string with a turn: or turns: URL, got none',
    ],
    [
      'iceServers',
      { iceServers: [{ urls: ['turn:b'], username: 'u' }] },
      'options.iceServers[0].credential: expected a string with a turn: or turns: URL, got none',
    ],
    ['rtcConfiguration', { rtcConfiguration: 'relay' }, 'options.rtcConfiguration: expected an object, got "relay"'],
    [
      'rtcConfiguration',
      { rtcConfiguration: { iceTransportPolicy: 'none' } },
      'options.rtcConfiguration.iceTransportPolicy: expected one of "all", "relay", got "none"',
    ],
    [
      'rtcConfiguration',
      { rtcConfiguration: { bundlePolicy: 'all' } },
      'options.rtcConfiguration.bundlePolicy: expected one of "balanced", "max-bundle", "max-compat"',
    ],
    [
      'rtcConfiguration',
      { rtcConfiguration: { iceCandidatePoolSize: 256 } },
      'options.rtcConfiguration.iceCandidatePoolSize: expected a whole number from 0 to 255, got 256',
    ],
    [
      'rtcConfiguration',
      { rtcConfiguration: { iceServers: [] } },
      'options.rtcConfiguration.iceServers: expected nothing (pass ICE servers as options.iceServers)',
    ],
    [
      'RTCPeerConnection',
      { RTCPeerConnection: undefined },
      'options.RTCPeerConnection: no global RTCPeerConnection here; pass an implementation',
    ],
    ['RTCPeerConnection', { RTCPeerConnection: {} }, 'options.RTCPeerConnection: expected a RTCPeerConnection class, got an object'],
    ['WebSocket', { WebSocket: undefined }, 'options.WebSocket: no global WebSocket here; pass an implementation such as the ws package'],
    ['WebSocket', { WebSocket: 'ws' }, 'options.WebSocket: expected a WebSocket class, got "ws"'],
    ['relay', { relay: true }, 'options.relay: expected false or an object, got true'],
    ['relay', { relay: { afterMs: -1 } }, 'options.relay.afterMs: expected a whole number from 0 to 600000, got -1'],
    ['relay', { relay: { afterMs: 'soon' } }, 'options.relay.afterMs: expected a whole number from 0 to 600000, got "soon"'],
    ['relay', { relay: { after: 100 } }, 'options.relay.after: not an option here'],
    ['transfers', { transfers: 'opfs' }, 'options.transfers: expected an object, got "opfs"'],
    [
      'transfers',
      { transfers: { resumeWithinMs: 999 } },
      'options.transfers.resumeWithinMs: expected a whole number from 1000 to 604800000, got 999',
    ],
    ['transfers', { transfers: { resumeWithinMs: 'long' } }, 'options.transfers.resumeWithinMs: expected a whole number from 1000'],
    ['transfers', { transfers: { store: {} } }, 'options.transfers.store.open: expected a function, got undefined'],
    ['transfers', { transfers: { store: { open() {}, list() {} } } }, 'options.transfers.store.discard: expected a function'],
    ['transfers', { transfers: { keep: true } }, 'options.transfers.keep: not an option here (known: store, resumeWithinMs)'],
    ['a typo', { frameByte: 4096 }, 'options.frameByte: not an option here (known: room, name, token,'],
  ])('connect() refuses a bad %s before connecting: %j', async (_field, override, message) => {
    await expect(connect(h.server.signalingUrl, bad({ ...base(), ...override }))).rejects.toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(message) }),
    );
    expect(await metric(h.server, 'icebreaker_connections')).toBe(0);
  });

  it.each([
    [undefined, 'options: expected an object, got undefined'],
    [null, 'options: expected an object, got null'],
    ['checked', 'options: expected an object, got "checked"'],
  ])('connect() refuses options that are not an object: %j', async (options, message) => {
    await expect(connect(h.server.signalingUrl, options as unknown as ConnectOptions)).rejects.toThrow(new TypeError(message));
  });

  it.each([
    [42, 'url: expected a ws:, wss:, http: or https: address of the signaling endpoint, got 42'],
    ['127.0.0.1:8080/ws', 'url: expected a ws:, wss:, http: or https: address of the signaling endpoint, got "127.0.0.1:8080/ws"'],
    ['ftp://127.0.0.1/ws', 'url: expected a ws:, wss:, http: or https: address of the signaling endpoint, got "ftp://127.0.0.1/ws"'],
  ])('connect() and SignalingClient.open() refuse the url %j', async (url, message) => {
    await expect(connect(url as string, base())).rejects.toThrow(new TypeError(message));
    expect(() => SignalingClient.open(url as string, { WebSocket: NODE_WEBRTC.WebSocket })).toThrow(new TypeError(message));
  });

  it('never echoes a token it refuses', async () => {
    const secret = 'x'.repeat(5000);
    const failure: unknown = await connect(h.server.signalingUrl, { ...base(), token: secret }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).not.toContain('xxxxxxxxxx');
  });

  it('takes the bounds themselves, and sends a file in the smallest frames', async () => {
    const edge = { frameBytes: 1024, retransmitMs: 50, disconnectedRestartMs: 0, reconnect: { initialDelayMs: 10, maxDelayMs: 600_000 } };
    const a = await nodePeer(h.server.signalingUrl, 'edges', edge);
    const b = await nodePeer(h.server.signalingUrl, 'edges', { ...edge, frameBytes: 262_144, name: 'n'.repeat(64) });
    sessions.push(a, b);
    const [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    const arriving = new Promise<Blob | null>((resolve) => b.on('transfer', (_p, t) => resolve(t.done)));
    const text = 'small frames '.repeat(1000);
    await toB.sendFile(Object.assign(new Blob([text]), { name: 'edges.txt' })).done;
    expect(await (await arriving)?.text()).toBe(text);
  });

  describe('of sendFile()', () => {
    let toB: RemotePeer;
    beforeEach(async () => {
      const a = await nodePeer(h.server.signalingUrl, 'files');
      const b = await nodePeer(h.server.signalingUrl, 'files');
      sessions.push(a, b);
      [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    });
    const blob = new Blob(['bytes']);
    const slice = (start: number, end: number) => blob.slice(start, end);
    const file = 'file: expected a Blob, a File, or an object with size and slice()';

    it.each([
      [null, {}, `${file}, got null`],
      ['a path', {}, `${file}, got "a path"`],
      [{ size: -1, slice }, {}, 'file.size: expected a whole number of bytes, 0 or more, got -1'],
      [{ size: 1.5, slice }, {}, 'file.size: expected a whole number of bytes, 0 or more, got 1.5'],
      [{ size: 5 }, {}, 'file.slice: expected a function (start, end) returning something with arrayBuffer(), got undefined'],
      [{ size: 5, stream: () => blob.stream() }, {}, 'file.slice: expected a function'],
      [{ size: 5, slice, name: 5 }, {}, 'file.name: expected a string, got 5'],
      [{ size: 5, slice, type: {} }, {}, 'file.type: expected a string, got an object'],
      [blob, 'fast', 'options: expected an object, got "fast"'],
      [blob, { name: '' }, 'options.name: expected a string of 1 to 255 characters, got ""'],
      [blob, { name: 'n'.repeat(256) }, 'options.name: expected a string of 1 to 255 characters, got "nnn'],
      [blob, { path: '' }, "options.path: expected a '/'-separated relative path of 1 to 1024 characters"],
      [blob, { path: 'p'.repeat(1025) }, "options.path: expected a '/'-separated relative path of 1 to 1024 characters"],
      [blob, { onProgress: 'bar' }, 'options.onProgress: expected a function, got "bar"'],
      [blob, { signal: { aborted: false } }, 'options.signal: expected an AbortSignal, got an object'],
      [blob, { nme: 'x' }, 'options.nme: not an option here (known: name, path, onProgress, signal)'],
    ])('refuses file %j with options %j', (file, options, message) => {
      expect(() => toB.sendFile(file as Blob, options as object)).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(message) }),
      );
    });
  });

  describe('sendFiles', () => {
    let toB: RemotePeer;
    beforeEach(async () => {
      const a = await nodePeer(h.server.signalingUrl, 'batches');
      const b = await nodePeer(h.server.signalingUrl, 'batches');
      sessions.push(a, b);
      [toB] = await Promise.all([openPeer(a, b.peerId), openPeer(b, a.peerId)]);
    });
    const blob = new Blob(['bytes']);

    it.each([
      [[], {}, 'items: expected a non-empty array of { file, path?, name? }, got an array of 0'],
      ['files', {}, 'items: expected a non-empty array of { file, path?, name? }, got "files"'],
      [[{ file: blob }, 5], {}, 'items[1]: expected an object { file, path?, name? }, got 5'],
      [[{ file: { size: 1 } }], {}, 'items[0].file.slice: expected a function'],
      [[{ file: blob, path: '' }], {}, "items[0].path: expected a '/'-separated relative path"],
      [[{ file: blob, name: 'n'.repeat(256) }], {}, 'items[0].name: expected a string of 1 to 255 characters'],
      [[{ file: blob, pth: 'a' }], {}, 'items[0].pth: not an option here (known: file, path, name)'],
      [[{ file: blob }], { onProgress: 1 }, 'options.onProgress: expected a function, got 1'],
      [[{ file: blob }], { concurrency: 9 }, 'options.concurrency: not an option here (known: onProgress, signal)'],
    ])('refuses items %j with options %j', (items, options, message) => {
      expect(() => toB.sendFiles(items as never, options as object)).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(message) }),
      );
    });
  });

  it('SignalingClient.open() and join() check their options and request', async () => {
    expect(() => SignalingClient.open(h.server.signalingUrl, { WebSocket: 5 } as unknown as { WebSocket: WebSocketConstructor })).toThrow(
      new TypeError('options.WebSocket: expected a WebSocket class, got 5'),
    );
    expect(() => SignalingClient.open(h.server.signalingUrl, { Websocket: NODE_WEBRTC.WebSocket } as object)).toThrow(
      new TypeError('options.Websocket: not an option here (known: WebSocket)'),
    );
    const client = await SignalingClient.open(h.server.signalingUrl, { WebSocket: NODE_WEBRTC.WebSocket });
    clients.push(client);
    for (const [request, message] of [
      [{ room: 'a b' }, 'request.room: expected 1 to 64 letters, digits or - _ . ~, got "a b"'],
      [{ room: 'r', name: '' }, 'request.name: expected a display name of 1 to 64 characters, got ""'],
      [{ room: 'r', token: '' }, 'request.token: expected a room token of 1 to 4096 characters, got a string of 0 characters'],
      [{ room: 'r', resume: '' }, 'request.resume: expected the resumeToken of an earlier welcome (1 to 512 characters), got ""'],
      [{ room: 'r', rooms: 'x' }, 'request.rooms: not an option here (known: room, name, token, resume)'],
    ] as const) {
      await expect(client.join(request as { room: string })).rejects.toThrow(new TypeError(message));
    }
    // None of them reached the server: the connection is still fresh and joins.
    expect((await client.join({ room: 'r' })).room).toBe('r');
  });

  it('new Room() checks the options of a room built on a signaling connection of its own', async () => {
    const client = await SignalingClient.open(h.server.signalingUrl, { WebSocket: NODE_WEBRTC.WebSocket });
    clients.push(client);
    const welcome = await client.join({ room: 'page' });
    expect(() => new Room(h.server.signalingUrl, { ...base(), room: 'page', frameBytes: 0 }, client, welcome)).toThrow(
      new TypeError('options.frameBytes: expected a whole number from 1024 to 262144, got 0'),
    );
  });
});
