import * as v from 'valibot';
import { IcebreakerError, IceServer } from '../protocol/index.js';
import { MIN_AUTH_SECRET_LENGTH } from './room-tokens.js';

/** Everything the signaling server can be told. Every field has a default in {@link DEFAULT_CONFIG}. */
export interface ServerConfig {
  /** TCP port; 0 picks a free one (tests do this). */
  readonly port: number;
  /** Interface to listen on. The default keeps a development server off the network. */
  readonly host: string;
  /** ICE servers handed to every client in `welcome`. */
  readonly iceServers: readonly IceServer[];
  /** Peers a room holds; a join beyond it gets `room-full`. */
  readonly roomCapacity: number;
  /** A ping goes out this often; a peer that has not answered the previous ping is dropped. */
  readonly heartbeatIntervalMs: number;
  /** Largest message answered normally; larger ones get `message-too-large`. */
  readonly maxMessageBytes: number;
  /** How long signals for a peer that has not joined yet are held. */
  readonly holdTtlMs: number;
  /** How many signals may be held for the next peer of a room. */
  readonly holdMaxSignals: number;
  /** How many bytes of signals may be held for the next peer of a room. */
  readonly holdMaxBytes: number;
  /** How long a peer whose connection dropped keeps its place (and its queued signals) for a resume. */
  readonly resumeGraceMs: number;
  /** Key of the resume tokens; set it so that tokens survive a restart. `null`: random per process. */
  readonly resumeSecret: string | null;
  /** Folder of the built teaching page, or `null` to serve no page. */
  readonly staticDir: string | null;
  /**
   * Origins (`https://app.example`) whose pages may open the signaling WebSocket; others get 403.
   * Empty: any origin. List the page's own origin too when this server serves it. Clients that send
   * no `Origin` (non-browser peers, which could claim any origin anyway) are always let in.
   */
  readonly allowedOrigins: readonly string[];
  /** A connection that has not joined a room this long after opening is closed (1008). */
  readonly joinDeadlineMs: number;
  /** WebSocket connections this server holds at most; an upgrade beyond gets HTTP 503. */
  readonly maxConnections: number;
  /** Connections from one remote address at most (429 beyond); 0: no limit (behind a proxy, all share its address). */
  readonly maxConnectionsPerIp: number;
  /** An HTTP client must send its request headers within this (408 otherwise), and the whole request within 3×. */
  readonly httpHeadersTimeoutMs: number;
  /**
   * Key of the room tokens (JWT, HS256) that `join` must carry; at least 32 characters.
   * `null`: the server is open, anyone may join any room (it says so at start-up).
   */
  readonly authSecret: string | null;
  /** Messages per second a connection may send on average (token bucket); 0: no limit. */
  readonly rateMessagesPerSecond: number;
  /** Bytes per second a connection may send on average (token bucket); 0: no limit. */
  readonly rateBytesPerSecond: number;
  /** A connection whose unsent output passes this many bytes (it does not read) is disconnected. */
  readonly maxBufferedBytes: number;
  /** TURN URLs (`turn:host:3478?transport=udp`) for which each `welcome` carries fresh credentials. */
  readonly turnUrls: readonly string[];
  /** coturn's `static-auth-secret`: TURN REST credentials are derived from it; it never leaves the server. */
  readonly turnSecret: string | null;
  /** How long a TURN credential lets its holder open allocations (coturn checks it when one is made). */
  readonly turnTtlMs: number;
  /** On SIGTERM, how long clients get to reconnect elsewhere before the rest are closed (1001). */
  readonly drainTimeoutMs: number;
  /** Redis URL (`redis://host:6379/0`) of a cluster: nodes with the same one form one service. `null`: rooms in memory. */
  readonly redisUrl: string | null;
  /** A cluster node that has not said it is alive for this long is taken for dead: its peers may resume elsewhere. */
  readonly nodeTimeoutMs: number;
  /** Lowest level the CLI logs (`startServer` logs only to a logger it is given). */
  readonly logLevel: LogLevel;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_CONFIG: ServerConfig = {
  port: 8080,
  host: '127.0.0.1',
  iceServers: [{ urls: 'stun:stun.l.google.com:19302' }],
  roomCapacity: 2,
  heartbeatIntervalMs: 15_000,
  maxMessageBytes: 64 * 1024,
  holdTtlMs: 120_000,
  holdMaxSignals: 64,
  holdMaxBytes: 128 * 1024,
  resumeGraceMs: 30_000,
  resumeSecret: null,
  staticDir: null,
  allowedOrigins: [],
  joinDeadlineMs: 10_000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 64,
  httpHeadersTimeoutMs: 10_000,
  authSecret: null,
  rateMessagesPerSecond: 50,
  rateBytesPerSecond: 256 * 1024,
  maxBufferedBytes: 1024 * 1024,
  turnUrls: [],
  turnSecret: null,
  turnTtlMs: 3_600_000,
  drainTimeoutMs: 10_000,
  logLevel: 'info',
  redisUrl: null,
  nodeTimeoutMs: 5000,
};

/** A token bucket holds this many seconds of its rate, so short bursts (an ICE trickle) pass. */
export const RATE_BURST_SECONDS = 4;

/** One configurable setting: its flag, its environment variable, and how its text is read. */
interface Setting {
  readonly key: keyof ServerConfig;
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly parse: (text: string, name: string) => ServerConfig[keyof ServerConfig];
  /** The flag may be given several times; its values (and the variable's) are comma-separated lists. */
  readonly repeatable?: true;
}

/** The settings in the order `--help` lists them. Flags, env vars and help all come from here. */
export const SETTINGS: readonly Setting[] = [
  { key: 'port', flag: 'port', env: 'ICEBREAKER_PORT', help: 'TCP port (0 = any free port)', parse: (t, n) => integer(t, n, 0, 65_535) },
  { key: 'host', flag: 'host', env: 'ICEBREAKER_HOST', help: 'interface to listen on (0.0.0.0 = all)', parse: hostName },
  {
    key: 'iceServers',
    flag: 'ice-servers',
    env: 'ICEBREAKER_ICE_SERVERS',
    help: 'ICE servers for clients: JSON array of RTCIceServer, comma-separated URLs, or "none"',
    parse: iceServers,
  },
  {
    key: 'roomCapacity',
    flag: 'room-capacity',
    env: 'ICEBREAKER_ROOM_CAPACITY',
    help: 'peers per room',
    parse: (t, n) => integer(t, n, 2, 256),
  },
  {
    key: 'heartbeatIntervalMs',
    flag: 'heartbeat-interval',
    env: 'ICEBREAKER_HEARTBEAT_INTERVAL',
    help: 'ping interval; a silent peer is dropped within two (e.g. 15s)',
    parse: (t, n) => duration(t, n, 50, 3_600_000),
  },
  {
    key: 'maxMessageBytes',
    flag: 'max-message-bytes',
    env: 'ICEBREAKER_MAX_MESSAGE_BYTES',
    help: 'largest signaling message accepted, in bytes',
    parse: (t, n) => integer(t, n, 1024, 16 * 1024 * 1024),
  },
  {
    key: 'holdTtlMs',
    flag: 'hold-ttl',
    env: 'ICEBREAKER_HOLD_TTL',
    help: 'how long signals wait for the next peer to join (e.g. 2m)',
    parse: (t, n) => duration(t, n, 10, 86_400_000),
  },
  {
    key: 'holdMaxSignals',
    flag: 'hold-max-signals',
    env: 'ICEBREAKER_HOLD_MAX_SIGNALS',
    help: 'signals held per room for the next peer',
    parse: (t, n) => integer(t, n, 1, 10_000),
  },
  {
    key: 'holdMaxBytes',
    flag: 'hold-max-bytes',
    env: 'ICEBREAKER_HOLD_MAX_BYTES',
    help: 'bytes held per room for the next peer',
    parse: (t, n) => integer(t, n, 1024, 64 * 1024 * 1024),
  },
  {
    key: 'resumeGraceMs',
    flag: 'resume-grace',
    env: 'ICEBREAKER_RESUME_GRACE',
    help: 'how long a dropped peer keeps its place for a resume (0 = no resume)',
    parse: (t, n) => duration(t, n, 0, 86_400_000),
  },
  {
    key: 'resumeSecret',
    flag: 'resume-secret',
    env: 'ICEBREAKER_RESUME_SECRET',
    help: 'key of resume tokens, at least 16 characters; keep it to honour tokens across restarts',
    parse: (t, n) => secret(t, n, 16),
  },
  {
    key: 'allowedOrigins',
    flag: 'allowed-origin',
    env: 'ICEBREAKER_ALLOWED_ORIGINS',
    help: 'origin whose pages may connect (repeatable; env: comma-separated); others get 403',
    parse: origins,
    repeatable: true,
  },
  {
    key: 'joinDeadlineMs',
    flag: 'join-deadline',
    env: 'ICEBREAKER_JOIN_DEADLINE',
    help: 'a connection that has not joined a room by then is closed (e.g. 10s)',
    parse: (t, n) => duration(t, n, 100, 600_000),
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'ICEBREAKER_MAX_CONNECTIONS',
    help: 'WebSocket connections held at most; more get HTTP 503',
    parse: (t, n) => integer(t, n, 1, 1_000_000),
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    env: 'ICEBREAKER_MAX_CONNECTIONS_PER_IP',
    help: 'connections from one address at most, more get HTTP 429 (0 = no limit, e.g. behind a proxy)',
    parse: (t, n) => integer(t, n, 0, 1_000_000),
  },
  {
    key: 'httpHeadersTimeoutMs',
    flag: 'http-headers-timeout',
    env: 'ICEBREAKER_HTTP_HEADERS_TIMEOUT',
    help: 'time for a client to send its request headers (408 after); the whole request gets 3x',
    parse: (t, n) => duration(t, n, 100, 600_000),
  },
  {
    key: 'authSecret',
    flag: 'auth-secret',
    env: 'ICEBREAKER_AUTH_SECRET',
    help: 'key of the room tokens (JWT HS256) a join must carry, at least 32 characters; unset = open server',
    parse: (t, n) => secret(t, n, MIN_AUTH_SECRET_LENGTH),
  },
  {
    key: 'rateMessagesPerSecond',
    flag: 'rate-messages',
    env: 'ICEBREAKER_RATE_MESSAGES',
    help: `messages per second per connection, bursts of ${RATE_BURST_SECONDS}s allowed (0 = no limit)`,
    parse: (t, n) => integer(t, n, 0, 1_000_000),
  },
  {
    key: 'rateBytesPerSecond',
    flag: 'rate-bytes',
    env: 'ICEBREAKER_RATE_BYTES',
    help: `bytes per second per connection, bursts of ${RATE_BURST_SECONDS}s allowed (0 = no limit)`,
    parse: (t, n) => integer(t, n, 0, 1024 * 1024 * 1024),
  },
  {
    key: 'maxBufferedBytes',
    flag: 'max-buffered-bytes',
    env: 'ICEBREAKER_MAX_BUFFERED_BYTES',
    help: 'unsent bytes a connection may pile up (it does not read) before it is dropped',
    parse: (t, n) => integer(t, n, 16 * 1024, 1024 * 1024 * 1024),
  },
  {
    key: 'turnUrls',
    flag: 'turn-url',
    env: 'ICEBREAKER_TURN_URLS',
    help: 'TURN URL handed out with fresh credentials (repeatable; env: comma-separated); needs --turn-secret',
    parse: turnUrls,
    repeatable: true,
  },
  {
    key: 'turnSecret',
    flag: 'turn-secret',
    env: 'ICEBREAKER_TURN_SECRET',
    help: "coturn's static-auth-secret (use-auth-secret), at least 16 characters",
    parse: (t, n) => secret(t, n, 16),
  },
  {
    key: 'turnTtlMs',
    flag: 'turn-ttl',
    env: 'ICEBREAKER_TURN_TTL',
    help: 'how long a TURN credential can open allocations (e.g. 1h)',
    parse: (t, n) => duration(t, n, 10_000, 7 * 86_400_000),
  },
  {
    key: 'drainTimeoutMs',
    flag: 'drain-timeout',
    env: 'ICEBREAKER_DRAIN_TIMEOUT',
    help: 'on SIGTERM, time clients get to reconnect elsewhere before they are closed',
    parse: (t, n) => duration(t, n, 0, 600_000),
  },
  {
    key: 'redisUrl',
    flag: 'redis',
    env: 'ICEBREAKER_REDIS_URL',
    help: 'Redis URL; servers with the same one form one service (unset = rooms in this process)',
    parse: redisUrl,
  },
  {
    key: 'nodeTimeoutMs',
    flag: 'node-timeout',
    env: 'ICEBREAKER_NODE_TIMEOUT',
    help: 'a cluster node silent this long is taken for dead; its peers may resume elsewhere (e.g. 5s)',
    parse: (t, n) => duration(t, n, 2000, 600_000),
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'ICEBREAKER_LOG_LEVEL',
    help: `lowest level logged: ${LOG_LEVELS.join(', ')}`,
    parse: (t, n) => {
      const level = LOG_LEVELS.find((l) => l === t.trim());
      if (!level) throw invalid(n, t, `one of ${LOG_LEVELS.join(', ')}`);
      return level;
    },
  },
];

/**
 * Builds a config from command-line flag values and environment variables: a flag wins over its
 * variable, which wins over the default. Throws an `invalid-config` {@link IcebreakerError} naming the
 * flag or variable whose value is wrong.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ port: '9000' }, process.env);
 * ```
 */
export function resolveConfig(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  base: ServerConfig = DEFAULT_CONFIG,
  file?: ConfigFile,
): ServerConfig {
  const config: Record<string, unknown> = { ...base };
  for (const setting of SETTINGS) {
    const flagValue = flags[setting.flag];
    // PORT is what most hosting platforms set; ICEBREAKER_PORT still wins over it.
    const envValue = env[setting.env] ?? (setting.key === 'port' ? env.PORT : undefined);
    const fileValue = file?.values[setting.flag];
    if (flagValue !== undefined) config[setting.key] = setting.parse(flagValue, `--${setting.flag}`);
    else if (envValue !== undefined && envValue !== '') config[setting.key] = setting.parse(envValue, setting.env);
    else if (fileValue !== undefined) config[setting.key] = setting.parse(fileValue, `${file?.name} "${setting.flag}"`);
  }
  return checkConfig(config as unknown as ServerConfig);
}

/** A config file's settings, keyed by flag name, each in the text form its flag takes. */
export interface ConfigFile {
  /** How errors name the file (its path). */
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Reads a config file's text: a JSON object whose keys are the flag names (`"port": 8080`,
 * `"allowed-origin": ["https://app.example"]`, `"ice-servers": [{ "urls": "stun:…" }]`). Values are
 * checked later by the same parsers as flags; unknown keys are refused so that a typo is not ignored.
 */
export function parseConfigFile(name: string, text: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IcebreakerError('invalid-config', `${name}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new IcebreakerError('invalid-config', `${name}: expected a JSON object of settings, like {"port": 8080}`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    const setting = SETTINGS.find((s) => s.flag === key);
    if (!setting) {
      throw new IcebreakerError(
        'invalid-config',
        `${name}: unknown setting "${key.slice(0, 40)}"; settings are named like the flags: ${SETTINGS.map((s) => s.flag).join(', ')}`,
      );
    }
    values[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : Array.isArray(value) && setting.repeatable && value.every((item) => typeof item === 'string')
          ? value.join(',')
          : JSON.stringify(value);
  }
  return { name, values };
}

/** Checks what no single setting can: settings that only make sense together. Returns the config. */
export function checkConfig(config: ServerConfig): ServerConfig {
  if (config.turnUrls.length > 0 && config.turnSecret === null) {
    throw new IcebreakerError('invalid-config', '--turn-url needs --turn-secret (ICEBREAKER_TURN_SECRET) to mint credentials');
  }
  if (config.turnSecret !== null && config.turnUrls.length === 0) {
    throw new IcebreakerError(
      'invalid-config',
      '--turn-secret is set but no --turn-url (ICEBREAKER_TURN_URLS) says where the TURN server is',
    );
  }
  return config;
}

function invalid(name: string, text: string, expected: string): IcebreakerError {
  return new IcebreakerError('invalid-config', `${name}: "${text.slice(0, 80)}" is not valid: expected ${expected}`);
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(name, text, `a whole number from ${min} to ${max}`);
  return value;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Reads `250ms`, `30s`, `2m`, `1h`, or a bare number of milliseconds. */
export function duration(text: string, name: string, minMs: number, maxMs: number): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1) : Number.NaN;
  if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
    throw invalid(name, text, `a duration from ${minMs}ms to ${maxMs / 1000}s, like 500ms, 30s or 2m`);
  }
  return Math.round(ms);
}

function hostName(text: string, name: string): string {
  const host = text.trim();
  if (host === '' || /[\s/]/.test(host)) throw invalid(name, text, 'a host name or IP address');
  return host;
}

function origins(text: string, name: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      let origin: string | undefined;
      try {
        origin = new URL(item).origin;
      } catch {
        origin = undefined;
      }
      // An origin is scheme, host and port only: "https://app.example", never a path or a trailing slash.
      if (origin !== item || !/^https?:/.test(item))
        throw invalid(name, item, 'an origin like https://app.example or http://localhost:8080');
      return origin;
    });
}

function secret(text: string, name: string, minLength: number): string {
  // The value itself is never echoed: error messages end up in logs.
  if (text.length < minLength) throw invalid(name, '…', `at least ${minLength} characters`);
  return text;
}

function redisUrl(text: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text.trim());
  } catch {
    url = undefined;
  }
  // A Redis URL may hold a password: the error shows the URL without it.
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:'))
    throw invalid(name, text.replace(/\/\/[^@/]*@/, '//…@'), 'a redis:// or rediss:// URL');
  return text.trim();
}

function turnUrls(text: string, name: string): string[] {
  return text
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '')
    .map((url) => {
      if (!/^turns?:[^\s,]+$/.test(url)) throw invalid(name, url, 'a turn: or turns: URL like turn:turn.example.org:3478?transport=udp');
      return url;
    });
}

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;

function iceServers(text: string, name: string): IceServer[] {
  const trimmed = text.trim();
  if (trimmed === 'none' || trimmed === '' || trimmed === '[]') return [];
  if (trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw invalid(name, text, 'a JSON array of RTCIceServer objects');
    }
    const parsed = v.safeParse(v.array(IceServer), json);
    if (!parsed.success) throw invalid(name, text, `RTCIceServer objects (${v.summarize(parsed.issues)})`);
    for (const server of parsed.output) {
      for (const url of [server.urls].flat()) if (!ICE_URL.test(url)) throw invalid(name, url, 'a stun:, stuns:, turn: or turns: URL');
    }
    return parsed.output;
  }
  return trimmed.split(',').map((part) => {
    const url = part.trim();
    if (!ICE_URL.test(url)) throw invalid(name, url, 'a stun:, stuns:, turn: or turns: URL');
    return { urls: url };
  });
}
