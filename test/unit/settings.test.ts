import { IcebreakerError } from '@icebreaker/protocol';
import { type ServerConfig, type StartOptions, startServer } from '@icebreaker/server';
import { SERVER_SETTINGS } from '@icebreaker/server/settings';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseConfigFile } from '../../packages/cli/src/config-file.js';
import { resolveConfig } from '../../packages/cli/src/resolve-config.js';
import { SERVE_HELP } from '../../packages/cli/src/serve-help.js';
import { CLI_SETTINGS, SERVE_SETTINGS } from '../../packages/cli/src/serve-settings.js';

/**
 * One bad value of every setting, as a library caller passes it (`undefined`: the setting is the
 * CLI's only) and as text (a flag, a variable, a config file entry; `undefined`: no flag).
 */
const BAD: Record<string, readonly [option: unknown, text: string | undefined]> = {
  port: [65_536, 'eighty'],
  host: ['a host', 'a host'],
  iceServers: [[{ urls: 'http://x' }], 'http://x'],
  roomCapacity: [1, '1'],
  heartbeatIntervalMs: [10, '10ms'],
  maxMessageBytes: [1023, '1023'],
  holdTtlMs: ['2m', '5ms'],
  holdMaxSignals: [0, '0'],
  holdMaxBytes: [1.5, '1.5B'],
  resumeGraceMs: [-1, '-1s'],
  resumeSecret: ['hunter2-short', 'hunter2-short'],
  allowedOrigins: [['https://a.example/'], 'a.example'],
  joinDeadlineMs: [99, '99ms'],
  maxConnections: [0, '0'],
  maxConnectionsPerIp: [-1, '-1'],
  maxRooms: [0, 'many'],
  maxParked: [1.5, '1.5'],
  maxQueuedBytes: [1024, '1KiB'],
  httpHeadersTimeoutMs: [0, '0'],
  authSecret: ['hunter2-short', 'hunter2-short'],
  rateMessagesPerSecond: [-1, 'lots'],
  rateBytesPerSecond: [-1, '1kb'],
  maxBufferedBytes: [1024, '1KiB'],
  relay: ['maybe', 'yes'],
  relayPeerBytesPerSecond: [-1, 'fast'],
  relayRoomBytesPerSecond: [1.5, '2GiB'],
  relayServerBytesPerSecond: ['8MiB', '-1'],
  relayMaxBufferedBytes: [0, '255KiB'],
  turnUrls: [['stun:x'], 'stun:x'],
  turnSecret: ['hunter2', 'hunter2'],
  turnTtlMs: [1000, '1s'],
  drainTimeoutMs: [600_001, '11m'],
  redisUrl: ['http://user:hunter2@x', 'http://user:hunter2@x'],
  nodeTimeoutMs: [1999, '1999ms'],
  staticDir: ['', undefined],
  logLevel: [undefined, 'loud'],
};

/** What the error must not show: secrets, and the password of a URL. */
const HIDDEN = 'hunter2';

const thrown = (attempt: () => unknown): Error => {
  try {
    attempt();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
};

describe('every setting, defined once, refused the same way wherever it is given', () => {
  it('has a bad value for every setting of the server and of the CLI', () => {
    expect(Object.keys(BAD).sort()).toEqual([...Object.keys(SERVER_SETTINGS), ...Object.keys(CLI_SETTINGS)].sort());
  });

  const options = Object.entries(BAD).filter(([, [option]]) => option !== undefined);
  it.each(options)('library option %s: a TypeError naming options.%s', async (key, [option]) => {
    const error = (await startServer({ port: 0, [key]: option } as StartOptions).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(new RegExp(`^options\\.${key}: expected `));
    expect(error.message).not.toContain(HIDDEN);
  });

  const texts = SERVE_SETTINGS.map(({ key, meta }) => [meta.flag, meta.env, BAD[key]?.[1] ?? ''] as const);
  it.each(texts)('--%s, %s and a config file entry: an invalid-config error naming it as written', (flag, env, text) => {
    const file = parseConfigFile('site.json', JSON.stringify({ [flag]: text }));
    for (const [attempt, name] of [
      [() => resolveConfig({ [flag]: text }, {}), `--${flag}`],
      [() => resolveConfig({}, { [env]: text }), env],
      [() => resolveConfig({}, {}, undefined, file), `site.json "${flag}"`],
    ] as const) {
      const error = thrown(attempt);
      expect(error).toBeInstanceOf(IcebreakerError);
      expect((error as IcebreakerError).code).toBe('invalid-config');
      expect(error.message.startsWith(`${name}: `), error.message).toBe(true);
      expect(error.message).toContain('expected ');
      expect(error.message).not.toContain(HIDDEN);
    }
  });

  it('reads sizes with binary units, and durations with theirs', () => {
    expect(resolveConfig({ 'max-message-bytes': '128KiB', 'rate-bytes': '1MiB', 'hold-ttl': '90s' }, {})).toMatchObject({
      maxMessageBytes: 131_072,
      rateBytesPerSecond: 1_048_576,
      holdTtlMs: 90_000,
    });
    expect(resolveConfig({}, { ICEBREAKER_MAX_QUEUED_BYTES: '1.5GiB' }).maxQueuedBytes).toBe(1.5 * 1024 ** 3);
  });

  it('--help shows every setting: its flag, its variable, its default and its doc line', () => {
    for (const { meta, doc } of SERVE_SETTINGS) {
      expect(SERVE_HELP).toContain(`--${meta.flag} <`);
      expect(SERVE_HELP).toContain(`env ${meta.env}`);
      // The doc line's first words, without Markdown (the help wraps the rest).
      expect(SERVE_HELP).toContain(doc.replaceAll('`', '').split(' ').slice(0, 4).join(' '));
    }
    expect(SERVE_HELP).toContain('default 15s');
    expect(SERVE_HELP).toContain('default 64KiB');
    expect(SERVE_HELP).toContain('default random per process');
  });
});

describe('the ServerConfig type, derived from the schemas', () => {
  it('has each setting with the type its schema gives', () => {
    expectTypeOf<ServerConfig['port']>().toEqualTypeOf<number>();
    expectTypeOf<ServerConfig['authSecret']>().toEqualTypeOf<string | null>();
    expectTypeOf<ServerConfig['allowedOrigins']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<ServerConfig['iceServers'][number]['urls']>().toEqualTypeOf<string | string[]>();
    expectTypeOf<keyof ServerConfig>().toEqualTypeOf<keyof typeof SERVER_SETTINGS>();
    expectTypeOf<StartOptions>().toHaveProperty('logger');
  });
});
