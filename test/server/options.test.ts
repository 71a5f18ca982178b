import { type MintOptions, mintRoomToken, type StartOptions, startServer, turnCredentials } from '@icebreaker/server';
import { SERVER_SETTINGS } from '@icebreaker/server/settings';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../packages/cli/src/resolve-config.js';

/**
 * Every option of `startServer` is checked where it enters, with the same rules as its flag: a bad
 * value is a `TypeError` that names the option and says what it takes, and no server starts.
 */
const BAD: Record<string, unknown[]> = {
  port: [-1, 65_536, 1.5, '8080', Number.NaN],
  host: ['', 'a host', 'x/y', 7],
  iceServers: ['stun:x', [{ urls: 'http://x' }], [{}], [{ urls: 5 }], [{ urls: [] }], [{ urls: '' }], null],
  roomCapacity: [-1, 0, 1, 257, 2.5, '2'],
  heartbeatIntervalMs: [0, 49, -5, Number.POSITIVE_INFINITY, '15s'],
  maxMessageBytes: [-5, 0, 1023, 16 * 1024 * 1024 + 1],
  holdTtlMs: [0, 9, '2m'],
  holdMaxSignals: [0, 10_001],
  holdMaxBytes: [0, 1023],
  resumeGraceMs: [-1, 86_400_001, 0.5],
  resumeSecret: ['short', 16],
  staticDir: ['', 5],
  allowedOrigins: ['https://a.example', ['https://a.example/'], ['ftp://x'], [5]],
  joinDeadlineMs: [0, 99],
  maxConnections: [0, -1, 1_000_001],
  maxConnectionsPerIp: [-1, 0.5],
  maxRooms: [0, -1],
  maxParked: [-1, 1.5],
  maxQueuedBytes: [0, 65_535],
  httpHeadersTimeoutMs: [0, 99],
  authSecret: ['too-short', 123],
  rateMessagesPerSecond: [-1, 1.5],
  rateBytesPerSecond: [-1],
  maxBufferedBytes: [0, 16 * 1024 - 1],
  relay: ['yes', true, 'ON', null],
  relayPeerBytesPerSecond: [-1, 0.5, 1024 ** 3 + 1, '1MiB'],
  relayRoomBytesPerSecond: [-1, Number.NaN],
  relayServerBytesPerSecond: [-1, Number.POSITIVE_INFINITY],
  relayMaxBufferedBytes: [0, 256 * 1024 - 1, 1.5],
  turnUrls: ['turn:x', ['stun:x'], ['turn:a b']],
  turnSecret: ['short'],
  turnTtlMs: [0, 9_999],
  drainTimeoutMs: [-1, 600_001],
  redisUrl: ['http://x', 'not a url', 6379],
  nodeTimeoutMs: [1999, 0],
};

describe('startServer options', () => {
  it('has a table of bad values for every setting', () => {
    expect(Object.keys(BAD).sort()).toEqual(Object.keys(SERVER_SETTINGS).sort());
  });

  for (const [key, values] of Object.entries(BAD)) {
    it.each(values.map((value) => [value]))(`${key} = %j is a TypeError naming it`, async (value) => {
      const attempt = startServer({ port: 0, [key]: value } as StartOptions);
      await expect(attempt).rejects.toThrow(TypeError);
      await expect(attempt).rejects.toThrow(new RegExp(`^options\\.${key}: expected `));
    });
  }

  it('the examples from the field: roomCapacity -1, maxMessageBytes -5, heartbeatIntervalMs 0', async () => {
    await expect(startServer({ port: 0, roomCapacity: -1 })).rejects.toThrow(
      'options.roomCapacity: expected a whole number from 2 to 256, got -1',
    );
    await expect(startServer({ port: 0, maxMessageBytes: -5 })).rejects.toThrow(
      /options\.maxMessageBytes: expected a whole number from 1024/,
    );
    await expect(startServer({ port: 0, heartbeatIntervalMs: 0 })).rejects.toThrow(
      /options\.heartbeatIntervalMs: expected a duration from 50ms/,
    );
  });

  it('an unknown option (a typo) is refused, not ignored', async () => {
    await expect(startServer({ port: 0, roomCapacty: 3 } as StartOptions)).rejects.toThrow(/^options\.roomCapacty: not an option/);
  });

  it("logLevel is the CLI's, not an option: a library caller hands the server a logger", async () => {
    await expect(startServer({ port: 0, logLevel: 'info' } as StartOptions)).rejects.toThrow(/^options\.logLevel: not an option/);
  });

  it('settings that do not go together are a TypeError naming both options', async () => {
    await expect(startServer({ port: 0, rateBytesPerSecond: 1024 })).rejects.toThrow(
      /^options\.rateBytesPerSecond 1024 is too low for options\.maxMessageBytes 65536/,
    );
    await expect(startServer({ port: 0, turnUrls: ['turn:t.example'] })).rejects.toThrow('options.turnUrls needs options.turnSecret');
    await expect(startServer({ port: 0, turnSecret: 'a-turn-secret-0123456789' })).rejects.toThrow(TypeError);
  });

  it('an option given as undefined takes its default', async () => {
    const server = await startServer({ port: 0, roomCapacity: undefined } as unknown as StartOptions);
    try {
      expect(server.config.roomCapacity).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('never shows a secret or a Redis password in the error', async () => {
    const error = await startServer({ port: 0, authSecret: 'hunter2-is-short' }).catch((e: Error) => e);
    expect(String(error)).not.toContain('hunter2');
    const redis = await startServer({ port: 0, redisUrl: 'http://user:hunter2@x' }).catch((e: Error) => e);
    expect(String(redis)).not.toContain('hunter2');
  });

  it('the same rules hold for flags, with the flag named', () => {
    expect(() => resolveConfig({ 'room-capacity': '1' }, {})).toThrow(
      /--room-capacity: "1" is not valid: expected a whole number from 2 to 256/,
    );
    expect(() => resolveConfig({}, { ICEBREAKER_MAX_ROOMS: '0' })).toThrow(/ICEBREAKER_MAX_ROOMS/);
    expect(() => resolveConfig({ 'max-queued-bytes': '10' }, {})).toThrow(/--max-queued-bytes/);
  });

  it('good values start a server that uses them', async () => {
    const server = await startServer({ port: 0, roomCapacity: 3, maxRooms: 5, maxParked: 0, maxQueuedBytes: 65_536, iceServers: [] });
    try {
      expect(server.config).toMatchObject({ roomCapacity: 3, maxRooms: 5, maxParked: 0, maxQueuedBytes: 65_536 });
    } finally {
      await server.close();
    }
  });
});

describe('the other public entry points of the server package', () => {
  const SECRET = 'a-room-token-secret-0123456789-abcdef';

  it.each([
    [{ room: 'r', ttlMs: 0 }, /options.ttlMs: expected a whole number of milliseconds from 1000/],
    [{ room: 'r', ttlMs: Number.NaN }, /options.ttlMs/],
    [{ room: 'r', ttlMs: 400 * 86_400_000 }, /options.ttlMs/],
    [{ room: 'a/b', ttlMs: 60_000 }, /room token: /],
    [{ room: 'r', ttlMs: 60_000, name: '\u001b[2J' }, /room token: /],
    [null, /options: expected/],
    // Found by an outsider: an unknown option (a `ttl` for `ttlMs`) was ignored, then ttlMs reported missing.
    [{ room: 'r', ttl: 5 }, /options\.ttl: not an option; the options are room, ttlMs, name, role, relay/],
    [{ room: 'r', ttlMs: 60_000, relay: 'yes' }, /options\.relay: expected true or false/],
  ])('mintRoomToken refuses %j with a TypeError naming the field', async (options, message) => {
    await expect(mintRoomToken(SECRET, options as unknown as MintOptions)).rejects.toThrow(message);
    await expect(mintRoomToken(SECRET, options as unknown as MintOptions)).rejects.toBeInstanceOf(TypeError);
  });

  it('mintRoomToken refuses a short secret', async () => {
    await expect(mintRoomToken('short', { room: 'r', ttlMs: 60_000 })).rejects.toThrow(/secret: at least 32/);
  });

  it.each([
    [[[], 'secret', 60_000, 'p'], /urls:/],
    [[['stun:x'], 'secret', 60_000, 'p'], /urls:/],
    [[['turn:x'], '', 60_000, 'p'], /secret:/],
    [[['turn:x'], 'secret', -1, 'p'], /ttlMs:/],
    [[['turn:x'], 'secret', 60_000, 'a:b'], /peerId:/],
  ])('turnCredentials refuses %j with a TypeError naming the argument', (args, message) => {
    expect(() => (turnCredentials as (...a: unknown[]) => unknown)(...args)).toThrow(message);
  });

  it('turnCredentials mints what coturn checks: expiry:peer and a base64 HMAC', () => {
    const credential = turnCredentials(['turn:127.0.0.1:3478'], 'secret', 60_000, 'peer', 1_000_000);
    expect(credential).toEqual({
      urls: ['turn:127.0.0.1:3478'],
      username: '1060:peer',
      credential: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
    });
  });
});
