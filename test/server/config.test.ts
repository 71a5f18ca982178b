import { IcebreakerError } from '@icebreaker/protocol';
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../packages/cli/src/config-file.js';
import { DEFAULT_SERVE_CONFIG, resolveConfig } from '../../packages/cli/src/resolve-config.js';

describe('resolveConfig', () => {
  it('uses the defaults when nothing is given', () => {
    expect(resolveConfig({}, {})).toEqual(DEFAULT_SERVE_CONFIG);
  });

  it('reads flags over environment variables over PORT', () => {
    expect(resolveConfig({}, { PORT: '3000' }).port).toBe(3000);
    expect(resolveConfig({}, { PORT: '3000', ICEBREAKER_PORT: '4000' }).port).toBe(4000);
    expect(resolveConfig({ port: '5000' }, { ICEBREAKER_PORT: '4000' }).port).toBe(5000);
  });

  it('reads durations with units', () => {
    expect(resolveConfig({ 'heartbeat-interval': '250ms', 'hold-ttl': '2m' }, {})).toMatchObject({
      heartbeatIntervalMs: 250,
      holdTtlMs: 120_000,
    });
    expect(resolveConfig({}, { ICEBREAKER_HOLD_TTL: '1.5s' }).holdTtlMs).toBe(1500);
    expect(resolveConfig({}, { ICEBREAKER_HEARTBEAT_INTERVAL: '1000' }).heartbeatIntervalMs).toBe(1000);
  });

  it('reads ICE servers as URLs, as JSON, or as none', () => {
    expect(resolveConfig({ 'ice-servers': 'stun:a.example:3478, stun:[::1]' }, {}).iceServers).toEqual([
      { urls: 'stun:a.example:3478' },
      { urls: 'stun:[::1]' },
    ]);
    const json = '[{"urls":["turns:t.example:443"],"username":"u","credential":"c"}]';
    expect(resolveConfig({}, { ICEBREAKER_ICE_SERVERS: json }).iceServers).toEqual([
      { urls: ['turns:t.example:443'], username: 'u', credential: 'c' },
    ]);
    expect(resolveConfig({ 'ice-servers': 'none' }, {}).iceServers).toEqual([]);
  });

  it.each([
    [{ port: '80a' }, '--port'],
    [{ port: '70000' }, '--port'],
    [{ port: '-1' }, '--port'],
    [{ host: 'a b' }, '--host'],
    [{ 'room-capacity': '1' }, '--room-capacity'],
    [{ 'heartbeat-interval': 'soon' }, '--heartbeat-interval'],
    [{ 'heartbeat-interval': '10ms' }, '--heartbeat-interval'],
    [{ 'ice-servers': 'http://not-ice' }, '--ice-servers'],
    [{ 'ice-servers': '[{"url":"stun:x"}]' }, '--ice-servers'],
    [{ 'ice-servers': '[not json' }, '--ice-servers'],
    [{ 'max-message-bytes': '10' }, '--max-message-bytes'],
    [{ 'allowed-origin': 'https://a.example/' }, '--allowed-origin'],
    [{ 'allowed-origin': 'a.example' }, '--allowed-origin'],
    [{ 'allowed-origin': 'ftp://a.example' }, '--allowed-origin'],
    [{ 'auth-secret': 'too-short-for-hs256' }, '--auth-secret'],
    [{ 'rate-messages': '-5' }, '--rate-messages'],
    [{ 'max-buffered-bytes': '100' }, '--max-buffered-bytes'],
    [{ 'turn-url': 'stun:t.example', 'turn-secret': 'long-enough-secret' }, '--turn-url'],
    [{ 'turn-url': 'turn:t.example' }, '--turn-secret'],
    [{ 'turn-secret': 'long-enough-secret' }, '--turn-url'],
    [{ 'turn-ttl': '1s', 'turn-url': 'turn:t.example', 'turn-secret': 'long-enough-secret' }, '--turn-ttl'],
    [{ 'log-level': 'loud' }, '--log-level'],
    [{ redis: 'http://127.0.0.1:6379' }, '--redis'],
    [{ redis: 'not a url' }, '--redis'],
    [{ 'node-timeout': '100ms' }, '--node-timeout'],
    [{ relay: 'sometimes' }, '--relay'],
    [{ relay: '' }, '--relay'],
    [{ 'relay-peer-rate': '1 MB/s' }, '--relay-peer-rate'],
    [{ 'relay-peer-rate': '-1' }, '--relay-peer-rate'],
    [{ 'relay-room-rate': '2GiB' }, '--relay-room-rate'],
    [{ 'relay-server-rate': 'unlimited' }, '--relay-server-rate'],
    [{ 'relay-max-buffered': '64KiB' }, '--relay-max-buffered'],
    [{ 'relay-max-buffered': '0' }, '--relay-max-buffered'],
  ])('refuses %o with an invalid-config error naming %s', (flags, name) => {
    let error: unknown;
    try {
      resolveConfig(flags, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IcebreakerError);
    expect((error as IcebreakerError).code).toBe('invalid-config');
    expect((error as IcebreakerError).message).toContain(name);
  });

  it('reads allowed origins as a comma-separated list', () => {
    expect(resolveConfig({}, { ICEBREAKER_ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173' }).allowedOrigins).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(resolveConfig({ 'allowed-origin': 'https://b.example:8443' }, {}).allowedOrigins).toEqual(['https://b.example:8443']);
  });

  it('names the environment variable when that is where the bad value came from', () => {
    expect(() => resolveConfig({}, { ICEBREAKER_ROOM_CAPACITY: 'many' })).toThrow(/ICEBREAKER_ROOM_CAPACITY/);
  });

  it('never echoes a Redis password in its error', () => {
    expect(() => resolveConfig({ redis: 'http://user:hunter2@cache:6379' }, {})).toThrow(/--redis: "http:\/\/…@cache:6379"/);
  });

  it('never echoes a secret in its error', () => {
    expect(() => resolveConfig({ 'auth-secret': 'hunter2-short' }, {})).toThrow(IcebreakerError);
    expect(() => resolveConfig({ 'auth-secret': 'hunter2-short' }, {})).not.toThrow(/hunter2/);
  });

  it('reads a Redis URL and a node timeout for cluster mode', () => {
    expect(resolveConfig({ redis: 'redis://:pw@10.0.0.5:6380/2', 'node-timeout': '3s' }, {})).toMatchObject({
      redisUrl: 'redis://:pw@10.0.0.5:6380/2',
      nodeTimeoutMs: 3000,
    });
    expect(resolveConfig({}, { ICEBREAKER_REDIS_URL: 'rediss://cache.example:6380' }).redisUrl).toBe('rediss://cache.example:6380');
  });

  it('reads the relay mode and its limits, with units', () => {
    expect(resolveConfig({ relay: 'token', 'relay-peer-rate': '1MiB', 'relay-room-rate': '0' }, {})).toMatchObject({
      relay: 'token',
      relayPeerBytesPerSecond: 1024 * 1024,
      relayRoomBytesPerSecond: 0,
    });
    expect(resolveConfig({}, { ICEBREAKER_RELAY: 'off', ICEBREAKER_RELAY_MAX_BUFFERED: '16MiB' })).toMatchObject({
      relay: 'off',
      relayMaxBufferedBytes: 16 * 1024 * 1024,
    });
    expect(resolveConfig({}, { ICEBREAKER_RELAY_SERVER_RATE: '512KiB' }).relayServerBytesPerSecond).toBe(512 * 1024);
  });

  it('reads TURN URLs as a list, with their secret and TTL', () => {
    const config = resolveConfig(
      { 'turn-url': 'turn:t.example:3478?transport=udp,turns:t.example:5349', 'turn-secret': 'long-enough-secret', 'turn-ttl': '30m' },
      {},
    );
    expect(config).toMatchObject({
      turnUrls: ['turn:t.example:3478?transport=udp', 'turns:t.example:5349'],
      turnSecret: 'long-enough-secret',
      turnTtlMs: 1_800_000,
    });
  });
});

describe('config files', () => {
  const file = (values: object) => parseConfigFile('icebreaker.json', JSON.stringify(values));

  it('takes settings named like the flags, below flags and environment variables', () => {
    const settings = file({
      port: 9000,
      host: '0.0.0.0',
      'allowed-origin': ['https://a.example', 'https://b.example'],
      'ice-servers': [{ urls: 'stun:s.example:3478' }],
      'drain-timeout': '20s',
      'room-capacity': 4,
    });
    const config = resolveConfig({ 'room-capacity': '8' }, { ICEBREAKER_HOST: '127.0.0.1' }, DEFAULT_SERVE_CONFIG, settings);
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      allowedOrigins: ['https://a.example', 'https://b.example'],
      iceServers: [{ urls: 'stun:s.example:3478' }],
      drainTimeoutMs: 20_000,
      roomCapacity: 8,
    });
  });

  it.each([
    ['not JSON', '{port: 1}', /icebreaker.json: not valid JSON/],
    ['not an object', '[1, 2]', /expected a JSON object/],
    ['an unknown key', '{"prot": 8080}', /unknown setting "prot"/],
    ['a list for a single value', '{"host": ["127.0.0.1"]}', /icebreaker.json "host": expected a string or a number/],
    ['a list for the log level', '{"log-level": ["info"]}', /icebreaker.json "log-level": expected a string or a number/],
    ['an object for a list', '{"allowed-origin": {"a": 1}}', /"allowed-origin": expected a string or a list of strings/],
    ['a string for ICE servers that is an object', '{"ice-servers": {"urls": "stun:x"}}', /"ice-servers": expected a list of ICE servers/],
  ])('refuses %s, naming the file', (_name, text, message) => {
    expect(() => parseConfigFile('icebreaker.json', text)).toThrow(message);
  });

  it('reads a file that starts with a UTF-8 byte-order mark', () => {
    expect(parseConfigFile('icebreaker.json', '\uFEFF{"port": 9000}').values).toEqual({ port: '9000' });
  });

  it('refuses ICE servers with no URL, which would break every client', () => {
    expect(() => resolveConfig({}, {}, DEFAULT_SERVE_CONFIG, file({ 'ice-servers': [{ urls: [] }] }))).toThrow(/"ice-servers"/);
    expect(() => resolveConfig({ 'ice-servers': '[{"urls":[]}]' }, {})).toThrow(/--ice-servers/);
  });

  it.each([
    'turn:x',
    '[{"urls":"turn:x","username":"u"}]',
    '[{"urls":"turn:x","username":"","credential":"c"}]',
    'stun:x:0',
    'stun:x:99999',
    'stun:x:-1',
    'stun:x:abc',
    'stun:x:',
    'stun:x/path',
    'stun:x?transport=tcp',
    '[{"urls":"turn:x:3478?transport=foo","username":"u","credential":"c"}]',
  ])('refuses ICE servers a browser would throw on: %s', (value) => {
    expect(() => resolveConfig({ 'ice-servers': value }, {})).toThrow(/--ice-servers/);
  });

  it.each(['turn:x?transport=foo', 'turn:x:99999', 'stun:x'])('refuses a --turn-url a browser would throw on: %s', (url) => {
    expect(() => resolveConfig({ 'turn-url': url, 'turn-secret': 'a-turn-secret-0123456789' }, {})).toThrow(/--turn-url/);
  });

  it('refuses an empty --allowed-origin (an unset variable), which would let every origin in', () => {
    expect(() => resolveConfig({ 'allowed-origin': '' }, {})).toThrow(/--allowed-origin/);
  });

  it('refuses a --rate-bytes whose burst cannot hold one message, and a secret of spaces', () => {
    expect(() => resolveConfig({ 'rate-bytes': '1' }, {})).toThrow(/--rate-bytes 1 is too low for --max-message-bytes 65536/);
    expect(resolveConfig({ 'rate-bytes': '16384' }, {}).rateBytesPerSecond).toBe(16_384);
    expect(() => resolveConfig({ 'auth-secret': ' '.repeat(40) }, {})).toThrow(/--auth-secret/);
  });

  it('names the variable that was actually set: PORT', () => {
    expect(() => resolveConfig({}, { PORT: 'x' })).toThrow(/^PORT: "x" is not valid/);
  });

  it('refuses a Redis URL whose path is not a database number', () => {
    expect(() => resolveConfig({ redis: 'redis://127.0.0.1:6379/db0' }, {})).toThrow(/--redis: .* database number/);
    expect(resolveConfig({ redis: 'redis://127.0.0.1:6379/3' }, {}).redisUrl).toBe('redis://127.0.0.1:6379/3');
  });

  it('names the file and the key of a bad value', () => {
    expect(() => resolveConfig({}, {}, DEFAULT_SERVE_CONFIG, file({ 'room-capacity': 'lots' }))).toThrow(/icebreaker.json "room-capacity"/);
  });
});

// Found by an outsider: ICEBREAKER_AUTH_SECRET= (a variable set to nothing) started an open server.
describe('a variable set to nothing', () => {
  it.each(['ICEBREAKER_AUTH_SECRET', 'ICEBREAKER_ALLOWED_ORIGINS', 'ICEBREAKER_ROOM_CAPACITY'])('%s is refused, naming it', (name) => {
    expect(() => resolveConfig({}, { [name]: '' })).toThrow(
      expect.objectContaining({
        code: 'invalid-config',
        message: `${name} is set but empty: unset it for the default, or give it a value`,
      }),
    );
  });

  it('is read as unset when a flag gives the setting, or a fallback variable follows it', () => {
    expect(resolveConfig({ 'auth-secret': 'x'.repeat(32) }, { ICEBREAKER_AUTH_SECRET: '' }).authSecret).toBe('x'.repeat(32));
    expect(resolveConfig({}, { ICEBREAKER_PORT: '', PORT: '9000' }).port).toBe(9000);
  });
});
