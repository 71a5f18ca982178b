import { mintRoomToken } from '@icebreaker/server';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog, type Harness, metric, startHarness } from '../helpers/server.js';
import { upgradeStatus } from '../helpers/socket.js';

const SECRET = 'observability-secret-0123456789abcdef';

describe('metrics and logs', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('counts connections, rooms, peers, relayed signals by kind, errors by code, rejections by reason and relay latency', async () => {
    h = await startHarness({ allowedOrigins: ['https://app.example'] });
    const scrape = await fetch(new URL('/metrics', h.server.url));
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scrape.text()).toContain('# TYPE icebreaker_relay_latency_seconds histogram');
    const m = (sample: string) => metric(h.server, sample);

    const a = await h.peer('m');
    const b = await h.peer('m');
    await h.socket();
    expect([await m('icebreaker_connections'), await m('icebreaker_rooms'), await m('icebreaker_peers')]).toEqual([3, 1, 2]);

    await a.socket.next();
    a.socket.send({ type: 'signal', data: { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } } });
    a.socket.send({ type: 'signal', data: { kind: 'end-of-candidates' } });
    await b.socket.next();
    await b.socket.next();
    expect(await m('icebreaker_signals_relayed_total{kind="description"}')).toBe(1);
    expect(await m('icebreaker_signals_relayed_total{kind="end-of-candidates"}')).toBe(1);
    expect(await m('icebreaker_relay_latency_seconds_count')).toBe(2);

    a.socket.send('not json');
    a.socket.send('not json either');
    await a.socket.next();
    await a.socket.next();
    expect(await m('icebreaker_errors_total{code="bad-json"}')).toBe(2);

    expect(await upgradeStatus(h.server.signalingUrl, { origin: 'https://evil.example' })).toBe(403);
    expect(await m('icebreaker_connections_rejected_total{reason="origin"}')).toBe(1);

    await b.socket.close();
    await a.socket.next();
    expect([await m('icebreaker_rooms'), await m('icebreaker_peers')]).toEqual([1, 1]);
  });

  it('logs one JSON line per significant event, and never a token or an SDP', async () => {
    const log = captureLog();
    h = await startHarness({ authSecret: SECRET, logger: log.logger });
    const token = await mintRoomToken(SECRET, { room: 'logged', ttlMs: 60_000 });
    const a = await h.peer('logged', { token });
    const b = await h.peer('logged', { token });
    await a.socket.next();
    const sdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\na=ice-pwd:SECRETPASSWORD\r\n';
    a.socket.send({ type: 'signal', data: { kind: 'description', description: { type: 'offer', sdp } } });
    await b.socket.next();
    const refused = await h.socket();
    refused.send({ type: 'join', protocol: 1, room: 'logged', token: `${token}x` });
    expect((await refused.next()).code).toBe('auth-invalid');
    await b.socket.close();
    await a.socket.next();

    const events = log.lines.map((line) => line.event);
    expect(events).toEqual(expect.arrayContaining(['listening', 'join', 'join-refused', 'leave']));
    expect(log.lines.filter((l) => l.event === 'join')).toEqual([
      expect.objectContaining({ level: 30, room: 'logged', peer: a.id, resumed: false }),
      expect.objectContaining({ level: 30, room: 'logged', peer: b.id, resumed: false }),
    ]);
    expect(log.lines.find((l) => l.event === 'leave')).toMatchObject({ room: 'logged', peer: b.id, reason: 'closed' });
    const everything = JSON.stringify(log.lines);
    expect(everything).not.toContain(token.split('.')[2]);
    expect(everything).not.toContain('SECRETPASSWORD');
    expect(everything).not.toContain(SECRET);
  });

  it('warns at start-up when it runs open (no auth secret)', async () => {
    const log = captureLog();
    h = await startHarness({ logger: log.logger });
    expect(log.lines.find((l) => l.event === 'open-mode')).toMatchObject({ level: 40 });
  });
});

describe('/readyz', () => {
  it('is 200 while accepting and 503 "full" at the connection limit', async () => {
    const h = await startHarness({ maxConnections: 1 });
    try {
      const ready = async () => {
        const res = await fetch(new URL('/readyz', h.server.url));
        return [res.status, await res.json()];
      };
      expect(await ready()).toEqual([200, { status: 'ready' }]);
      await h.socket();
      expect(await ready()).toEqual([503, { status: 'full' }]);
    } finally {
      await h.close();
    }
  });
});
