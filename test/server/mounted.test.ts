import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignalingServer, type IcebreakerServer, type SignalingServer, type StartOptions, startServer } from '@icebreaker/server';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, ORIGIN, raw, statusOf, upgrade } from '../helpers/raw-http.js';
import { TestSocket } from '../helpers/socket.js';

/** A server of the test's host: it serves one route and gives its upgrades to the signaling server, nothing more. */
interface Mounted {
  readonly port: number;
  readonly signaling: SignalingServer;
  readonly http: Server;
}

async function mount(options: Omit<StartOptions, 'port' | 'host'>): Promise<Mounted> {
  const signaling = await createSignalingServer(options);
  const http = createServer((_req, res) => res.end('host'));
  http.on('upgrade', signaling.handleUpgrade);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return { port: (http.address() as AddressInfo).port, signaling, http };
}

/**
 * `handleUpgrade` on a bare host server (none of the protections startServer puts on its own) answers
 * every upgrade exactly as `startServer` does: the same request, sent over raw TCP to each, gets the
 * same status line.
 */
describe('handleUpgrade on a host server refuses upgrades as startServer does', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((stop) => stop()));
  });

  /** The same options on a mounted server and on startServer's; their ports. */
  async function both(options: Omit<StartOptions, 'port' | 'host'>): Promise<{ mounted: Mounted; own: IcebreakerServer; ports: number[] }> {
    const settings = { iceServers: [], resumeGraceMs: 0, ...options };
    const mounted = await mount(settings);
    const own = await startServer({ port: 0, host: '127.0.0.1', ...settings });
    cleanup.push(async () => {
      await mounted.signaling.close();
      mounted.http.close();
      mounted.http.closeAllConnections();
    });
    cleanup.push(() => own.close());
    return { mounted, own, ports: [mounted.port, own.port] };
  }

  it.each([
    ['a target that is not a URL', upgrade('//['), '400'],
    ['a port out of range', upgrade('http://x:99999/ws'), '400'],
    ['a bad WebSocket key', upgrade('/ws').replace(KEY, 'short'), '400'],
    ['a WebSocket version the server does not speak', upgrade('/ws').replace('Version: 13', 'Version: 99'), '400'],
    ['another path', upgrade('/elsewhere'), '404'],
    ['an origin not listed', upgrade('/ws', 'Origin: http://evil.example\r\n'), '403'],
    ['a listed origin', upgrade('/ws', `Origin: ${ORIGIN}\r\n`), '101'],
  ])('%s: %s on both', async (_name, request, status) => {
    const { ports } = await both({ allowedOrigins: [ORIGIN] });
    const answers = await Promise.all(ports.map((port) => statusOf(port, request)));
    expect(answers[0]).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(answers[1]).toBe(answers[0]);
  });

  it('429 past the connections of one address, and 503 past the server’s', async () => {
    const perIp = await both({ maxConnectionsPerIp: 2 });
    const capacity = await both({ maxConnections: 1, maxConnectionsPerIp: 0 });
    const held: TestSocket[] = [];
    for (const port of perIp.ports) for (let i = 0; i < 2; i++) held.push(await TestSocket.open(`ws://127.0.0.1:${port}/ws`));
    for (const port of capacity.ports) held.push(await TestSocket.open(`ws://127.0.0.1:${port}/ws`));
    expect(await Promise.all(perIp.ports.map((port) => statusOf(port, upgrade('/ws'))))).toEqual([
      'HTTP/1.1 429 Too Many Requests',
      'HTTP/1.1 429 Too Many Requests',
    ]);
    expect(await Promise.all(capacity.ports.map((port) => statusOf(port, upgrade('/ws'))))).toEqual([
      'HTTP/1.1 503 Service Unavailable',
      'HTTP/1.1 503 Service Unavailable',
    ]);
    await Promise.all(held.map((s) => s.close()));
  });

  it('503 while draining, on the host server as on startServer’s', async () => {
    const { mounted, own } = await both({});
    const clients = [await TestSocket.open(`ws://127.0.0.1:${mounted.port}/ws`), await TestSocket.open(own.signalingUrl)];
    const drains = [mounted.signaling.drain(), own.drain()];
    for (const client of clients) expect(await client.next()).toMatchObject({ type: 'going-away' });
    expect(await statusOf(mounted.port, upgrade('/ws'))).toBe('HTTP/1.1 503 Service Unavailable');
    expect(await statusOf(own.port, upgrade('/ws'))).toBe('HTTP/1.1 503 Service Unavailable');
    // The host's own routes still answer while the signaling server drains.
    expect(await (await fetch(`http://127.0.0.1:${mounted.port}/`)).text()).toBe('host');
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(drains);
  });

  it('a refusal survives a reset at every moment, and a refused client that never closes is closed by the server', async () => {
    const { mounted } = await both({});
    for (const request of [upgrade('/elsewhere'), upgrade('//[')]) {
      const early = await raw(mounted.port);
      early.socket.write(request.slice(0, 20));
      early.socket.resetAndDestroy();
      const midway = await raw(mounted.port);
      midway.socket.write(request);
      midway.socket.resetAndDestroy();
      await Promise.all([early.closed, midway.closed]);
    }
    const lingering = await raw(mounted.port);
    lingering.socket.write(upgrade('/elsewhere'));
    const started = Date.now();
    await lingering.closed;
    expect(lingering.text()).toMatch(/^HTTP\/1.1 404/);
    expect(Date.now() - started).toBeLessThan(3000);
    // Still serving: a pair joins and relays through the host.
    const [a, b] = [await TestSocket.open(`ws://127.0.0.1:${mounted.port}/ws`), await TestSocket.open(`ws://127.0.0.1:${mounted.port}/ws`)];
    await a.join('after');
    expect((await b.join('after')).peers).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('createSignalingServer options', () => {
  it('refuses where to listen: the host listens', async () => {
    await expect(createSignalingServer({ port: 8080 } as never)).rejects.toThrow(
      /^options\.port: a mounted signaling server does not listen/,
    );
    await expect(createSignalingServer({ host: '0.0.0.0' } as never)).rejects.toThrow(TypeError);
  });

  it('checks every other option as startServer does: a TypeError naming it', async () => {
    await expect(createSignalingServer({ roomCapacity: 1 })).rejects.toThrow(/^options\.roomCapacity: expected/);
    await expect(createSignalingServer({ roomCapacty: 3 } as never)).rejects.toThrow(/^options\.roomCapacty: not an option/);
  });

  it('close() ends its connections and leaves the host listening', async () => {
    const mounted = await mount({ iceServers: [] });
    const client = await TestSocket.open(`ws://127.0.0.1:${mounted.port}/ws`);
    await mounted.signaling.close();
    expect((await client.closed).code).toBe(1001);
    expect(mounted.http.listening).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${mounted.port}/`)).text()).toBe('host');
    mounted.http.close();
    mounted.http.closeAllConnections();
  });
});

// Found by an outsider: a host that called handleUpgrade twice for one socket had its process ended by
// ws's throw; and /healthz still said "ok" after close().
describe('a host that misuses the mounted server', () => {
  it('keeps its process and the first connection when it hands the same socket over twice', async () => {
    const signaling = await createSignalingServer({ iceServers: [] });
    const http = createServer((_req, res) => res.end('host'));
    http.on('upgrade', (req, socket, head) => {
      signaling.handleUpgrade(req, socket, head);
      signaling.handleUpgrade(req, socket, head);
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const client = await TestSocket.open(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`);
      expect((await client.join('twice')).type).toBe('welcome');
      await client.close();
    } finally {
      await signaling.close();
      http.close();
      http.closeAllConnections();
    }
  });

  it('hears /healthz answer 503 "closed" once the signaling server is closed, the host still listening', async () => {
    const { signaling, http } = await mount({ iceServers: [] });
    try {
      const routed = createServer(async (req, res) => {
        if (!(await signaling.handleRequest(req, res))) res.writeHead(404).end();
      });
      routed.listen(0, '127.0.0.1');
      await once(routed, 'listening');
      const url = `http://127.0.0.1:${(routed.address() as AddressInfo).port}/healthz`;
      expect((await fetch(url)).status).toBe(200);
      await signaling.close();
      const after = await fetch(url);
      expect([after.status, await after.json()]).toEqual([503, { status: 'closed' }]);
      routed.close();
    } finally {
      await signaling.close();
      http.close();
      http.closeAllConnections();
    }
  });
});
