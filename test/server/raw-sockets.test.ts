import { once } from 'node:events';
import { type Socket, connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, ORIGIN, raw, statusOf, upgrade } from '../helpers/raw-http.js';
import { ServerProcess } from '../helpers/server-process.js';
import { TestSocket } from '../helpers/socket.js';

const PER_IP = 8;

/**
 * Every stage of an HTTP request and a WebSocket upgrade, driven by hand over raw TCP: malformed
 * targets and request lines, refusals and acceptances followed by resets, half-open sockets. The
 * server runs in its own process, so a crash is seen as what it is: the process gone. Meanwhile a pair
 * in another room streams numbered signals through it; at the end every number has arrived, in order.
 */
describe('raw sockets at every stage of an upgrade never take the server down', () => {
  let server: ServerProcess;
  let a: TestSocket;
  let b: TestSocket;
  let ticker: ReturnType<typeof setInterval>;
  let sent = 0;
  const received: number[] = [];

  beforeAll(async () => {
    server = await ServerProcess.start([
      '--port',
      '0',
      '--ice-servers',
      'none',
      '--max-connections-per-ip',
      String(PER_IP),
      '--allowed-origin',
      ORIGIN,
      '--rate-messages',
      '0',
      '--drain-timeout',
      '3s',
      '--http-headers-timeout',
      '1s',
    ]);
    a = await TestSocket.open(server.signalingUrl);
    b = await TestSocket.open(server.signalingUrl);
    await a.join('calm');
    await b.join('calm');
    await a.next();
    b.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; data?: { kind: string; seq: number } };
      if (frame.type === 'signal' && frame.data?.kind === 'ack') received.push(frame.data.seq);
    });
    ticker = setInterval(() => a.send({ type: 'signal', data: { kind: 'ack', seq: sent++ } }), 10);
  });

  afterAll(async () => {
    clearInterval(ticker);
    await Promise.all([a.close(), b.close()]);
    await server.kill();
  });

  it.each([
    ['a target that is not a URL', upgrade('//[')],
    ['a port out of range', upgrade('http://x:99999/ws')],
    ['an unclosed IPv6 literal', upgrade('http://[::1/ws')],
    ['a bad target and no upgrade at all', 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a bad target under another upgrade protocol', 'GET //[ HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n'],
    ['a malformed request line', 'GARBAGE\r\n\r\n'],
    ['a header without a colon', 'GET /ws HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n'],
    ['a bad WebSocket key', upgrade('/ws').replace(KEY, 'short')],
    ['a WebSocket version the server does not speak', upgrade('/ws').replace('Version: 13', 'Version: 99')],
  ])('%s is answered 400', async (_name, request) => {
    expect(await statusOf(server.port, request)).toBe('HTTP/1.1 400 Bad Request');
  });

  it.each([
    ['404 (another path)', upgrade('/elsewhere'), '404'],
    ['403 (an origin not listed)', upgrade('/ws', 'Origin: http://evil.example\r\n'), '403'],
    ['400 (a target that is not a URL)', upgrade('//['), '400'],
  ])('a refusal with %s survives a reset at every moment', async (_name, request, status) => {
    // Reset before the request is complete, right after it (while the refusal is being written),
    // and after the refusal was read.
    const early = await raw(server.port);
    early.socket.write(request.slice(0, 20));
    early.socket.resetAndDestroy();
    const midway = await raw(server.port);
    midway.socket.write(request);
    midway.socket.resetAndDestroy();
    const late = await raw(server.port);
    late.socket.write(request);
    while (!late.text().includes('\r\n\r\n')) await once(late.socket, 'data');
    expect(late.text()).toMatch(new RegExp(`^HTTP/1.1 ${status}`));
    late.socket.resetAndDestroy();
    await Promise.all([early.closed, midway.closed, late.closed]);
    expect(await statusOf(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 200 OK');
  });

  it(`a 429 (more than ${PER_IP} connections from one address) survives a reset, and the slots come back`, async () => {
    const held: TestSocket[] = [];
    // The pair holds two of this address's slots.
    for (let i = 0; i < PER_IP - 2; i++) held.push(await TestSocket.open(server.signalingUrl));
    for (let i = 0; i < 20; i++) {
      const client = await raw(server.port);
      client.socket.write(upgrade('/ws'));
      if (i % 2 === 0) client.socket.resetAndDestroy();
      else {
        while (!client.text().includes('\r\n\r\n')) await once(client.socket, 'data');
        expect(client.text()).toMatch(/^HTTP\/1.1 429/);
        client.socket.resetAndDestroy();
      }
    }
    await Promise.all(held.map((s) => s.close()));
    // Once the server has seen those closes, the address may connect again.
    let status = '';
    for (let tries = 0; tries < 100 && !status.includes('101'); tries++) status = await statusOf(server.port, upgrade('/ws'));
    expect(status).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('an accepted upgrade reset at once, after the 101, or mid-frame loses nothing and frees its slot', async () => {
    for (let round = 0; round < 3; round++) {
      for (const stage of ['at-once', 'after-101', 'mid-frame', 'half-open'] as const) {
        const client = await raw(server.port);
        client.socket.write(upgrade('/ws'));
        if (stage === 'at-once') {
          client.socket.resetAndDestroy();
          continue;
        }
        while (!client.text().includes('\r\n\r\n')) await once(client.socket, 'data');
        expect(client.text()).toMatch(/^HTTP\/1.1 101/);
        if (stage === 'mid-frame') {
          // A masked text frame announcing 100 bytes, of which 3 arrive.
          client.socket.write(Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4, 9, 9, 9]));
        }
        if (stage === 'half-open') client.socket.end();
        else client.socket.resetAndDestroy();
      }
    }
    // Twelve connections came and went, more than the address's eight slots: they were all given back.
    let status = '';
    for (let tries = 0; tries < 100 && !status.includes('101'); tries++) status = await statusOf(server.port, upgrade('/ws'));
    expect(status).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('a refused client that never closes its side is closed by the server', async () => {
    const client = await raw(server.port);
    client.socket.write(upgrade('/elsewhere'));
    const started = Date.now();
    await client.closed;
    expect(client.text()).toMatch(/^HTTP\/1.1 404/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sockets that never send a byte get 408 at the headers timeout; one address holds only so many', async () => {
    const silent: Socket[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    // The pair holds two of the address's 8 + 16 sockets.
    for (let i = 0; i < 32; i++) {
      const socket = tcpConnect(server.port, '127.0.0.1')
        .on('error', () => {})
        .resume();
      socket.on('close', () => closedAt.push(Date.now() - started));
      silent.push(socket);
    }
    await Promise.all(silent.map((s) => once(s, 'close')));
    const early = closedAt.filter((ms) => ms < 500).length;
    expect(early).toBe(32 - (PER_IP + 16 - 2));
    // The others are answered 408 once the headers timeout (1 s here) has passed.
    expect(Math.max(...closedAt)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...closedAt)).toBeLessThan(4000);
    // Their places are free again, once the server has seen them close.
    let status = '';
    for (let tries = 0; tries < 100 && !status.includes('101'); tries++)
      status = await statusOf(server.port, upgrade('/ws')).catch(() => '');
    expect(status).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('a continuation-frame flood is closed (1008) long before it costs memory', async () => {
    const ws = await TestSocket.open(server.signalingUrl);
    // A first fragment, then one-byte continuation frames that never end (FIN never set).
    const frames = [Buffer.from([0x01, 0x81, 0, 0, 0, 0, 0x7b])];
    for (let i = 0; i < 200; i++) frames.push(Buffer.from([0x00, 0x81, 0, 0, 0, 0, 0x20]));
    const socket = (ws.ws as unknown as { _socket: Socket })._socket;
    socket.write(Buffer.concat(frames));
    expect((await ws.closed).code).toBe(1008);
  });

  it('and through all of it the pair received every signal in order, and the server is alive', async () => {
    clearInterval(ticker);
    const last = sent - 1;
    while (received.at(-1) !== last) await once(b.ws, 'message');
    expect(received).toEqual([...Array(sent).keys()]);
    expect(sent).toBeGreaterThan(5);
    expect(server.child.exitCode).toBeNull();
    expect(await statusOf(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 200 OK');
  });

  it('a 503 while draining survives a reset, and the drain still ends with exit code 0', async () => {
    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    let status = '';
    for (let tries = 0; tries < 100 && !status.includes('503'); tries++) status = await statusOf(server.port, upgrade('/ws'));
    expect(status).toBe('HTTP/1.1 503 Service Unavailable');
    const client = await raw(server.port);
    client.socket.write(upgrade('/ws'));
    client.socket.resetAndDestroy();
    expect((await exited)[0]).toBe(0);
  });
});

describe('running out of file descriptors', () => {
  it('stops accepting for a while, never the process: it serves again once sockets close', async () => {
    // The server process may open 256 descriptors; 400 sockets make accept() fail with EMFILE.
    const server = await ServerProcess.start(['--port', '0', '--ice-servers', 'none'], { maxOpenFiles: 256 });
    try {
      const flood: Socket[] = [];
      for (let i = 0; i < 400; i++) {
        const socket = tcpConnect(server.port, '127.0.0.1');
        socket.on('error', () => {});
        flood.push(socket);
      }
      await Promise.all(flood.map((s) => Promise.race([once(s, 'connect'), once(s, 'close')])));
      for (const socket of flood) socket.destroy();
      let status = '';
      for (let tries = 0; tries < 200 && !status.includes('200'); tries++) {
        status = await statusOf(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n').catch(() => '');
      }
      expect(status).toBe('HTTP/1.1 200 OK');
      expect(server.child.exitCode).toBeNull();
      const [x, y] = [await TestSocket.open(server.signalingUrl), await TestSocket.open(server.signalingUrl)];
      await x.join('after');
      expect((await y.join('after')).peers).toHaveLength(1);
      await Promise.all([x.close(), y.close()]);
    } finally {
      await server.kill();
    }
  });
});
