import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness } from '../helpers/server.js';
import { tryUpgrade, upgradeStatus } from '../helpers/socket.js';

/** A raw GET that does not normalise the path (fetch would resolve `..` before sending it). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
}

describe('HTTP on the signaling port', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icebreaker-static-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Icebreaker</title>');
    await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    await writeFile(join(tmpdir(), 'icebreaker-secret.txt'), 'secret');
    h = await startHarness({ staticDir: dir });
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true });
  });

  it('answers a plain GET of the WebSocket endpoint with 426 and what to do', async () => {
    const res = await fetch(new URL('/ws', h.server.url));
    expect([res.status, res.headers.get('upgrade')]).toEqual([426, 'websocket']);
    expect(await res.text()).toMatch(/connect with a WebSocket client/);
  });

  it('answers /healthz', async () => {
    const res = await fetch(new URL('/healthz', h.server.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('serves the page, with a room in the query, and its fingerprinted assets', async () => {
    const page = await fetch(new URL('/?room=abc', h.server.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>Icebreaker</title>');
    const asset = await fetch(new URL('/assets/app-1234.js', h.server.url));
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('never serves a file outside the page folder', async () => {
    for (const path of [
      '/../icebreaker-secret.txt',
      '/%2e%2e/icebreaker-secret.txt',
      '/assets/..%2f..%2ficebreaker-secret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const res = await rawGet(h.server.port, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('secret');
    }
  });

  it('refuses other methods and WebSocket upgrades on other paths', async () => {
    expect((await fetch(h.server.url, { method: 'POST' })).status).toBe(405);
    const ws = new WebSocket(new URL('/not-ws', h.server.signalingUrl));
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });
});

describe('allowed origins', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ allowedOrigins: ['https://app.example', 'http://localhost:5173'] });
  });
  afterAll(async () => {
    await h.close();
  });

  const attempt = (origin: string | undefined) => upgradeStatus(h.server.signalingUrl, origin === undefined ? {} : { origin });

  it('refuses a page of another origin with 403, and lets listed origins and origin-less clients in', async () => {
    expect(await attempt('https://evil.example')).toBe(403);
    expect(await attempt('https://app.example.evil.example')).toBe(403);
    expect(await attempt('http://app.example')).toBe(403);
    expect(await attempt('https://app.example')).toBe('open');
    expect(await attempt('http://localhost:5173')).toBe('open');
    expect(await attempt(undefined)).toBe('open');
  });
});

describe('connection limits', () => {
  const attempt = (url: string) => tryUpgrade(url);

  async function closeAll(sockets: (WebSocket | number)[]): Promise<void> {
    for (const ws of sockets) if (typeof ws !== 'number' && ws.readyState === ws.OPEN) ws.close();
  }

  it('refuses a connection beyond the per-address limit with 429, and takes one again after a close', async () => {
    const h = await startHarness({ maxConnectionsPerIp: 2 });
    const sockets = [await attempt(h.server.signalingUrl), await attempt(h.server.signalingUrl)];
    try {
      expect(sockets.every((ws) => typeof ws !== 'number')).toBe(true);
      expect(await attempt(h.server.signalingUrl)).toBe(429);
      const first = sockets[0] as WebSocket;
      first.close();
      await once(first, 'close');
      // The server counts the close once its own side has seen it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = await attempt(h.server.signalingUrl);
      sockets.push(again);
      expect(typeof again).not.toBe('number');
    } finally {
      await closeAll(sockets);
      await h.close();
    }
  });

  it('refuses a connection beyond the server-wide limit with 503', async () => {
    const h = await startHarness({ maxConnections: 2, maxConnectionsPerIp: 0 });
    const sockets = [await attempt(h.server.signalingUrl), await attempt(h.server.signalingUrl)];
    try {
      expect(await attempt(h.server.signalingUrl)).toBe(503);
      // Those already in are served as before.
      const inside = sockets[0] as WebSocket;
      inside.send(JSON.stringify({ type: 'join', protocol: 1, room: 'still-served' }));
      const [reply] = await once(inside, 'message');
      expect(JSON.parse(String(reply))).toMatchObject({ type: 'welcome', room: 'still-served' });
    } finally {
      await closeAll(sockets);
      await h.close();
    }
  });
});

describe('slow clients', () => {
  it('answers 408 and closes a connection that sends its headers too slowly, and serves others meanwhile', async () => {
    const h = await startHarness({ httpHeadersTimeoutMs: 300 });
    try {
      const port = Number(new URL(h.server.url).port);
      // A WebSocket is not an HTTP request any more once upgraded: the limits must not cut it.
      const a = await h.peer('long-lived');
      const slow = connect(port, '127.0.0.1');
      await once(slow, 'connect');
      slow.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      let answer = '';
      slow.on('data', (chunk) => {
        answer += chunk;
      });
      expect((await fetch(new URL('/healthz', h.server.url))).status).toBe(200);
      await once(slow, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const b = await h.peer('long-lived');
      expect(await a.socket.next()).toMatchObject({ type: 'peer-joined', peer: { id: b.id } });
    } finally {
      await h.close();
    }
  });
});
