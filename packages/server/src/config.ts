import { IcebreakerError, IceServer } from '@icebreaker/protocol';
import * as v from 'valibot';
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
  /**
   * Connections from one remote address at most (429 beyond), counting the places its dropped peers
   * keep for a resume; 0: no limit (behind a proxy, all share its address).
   */
  readonly maxConnectionsPerIp: number;
  /** Rooms held at once (cluster-wide with Redis); a join that would open one more gets `server-full`. */
  readonly maxRooms: number;
  /** Dropped peers kept for a resume at once (cluster-wide with Redis); beyond, a dropped peer leaves at once. */
  readonly maxParked: number;
  /** Bytes of held signals and resume queues kept at once (cluster-wide with Redis); beyond, `server-full`. */
  readonly maxQueuedBytes: number;
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
  maxRooms: 20_000,
  maxParked: 10_000,
  maxQueuedBytes: 256 * 1024 * 1024,
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

/**
 * How the values of one setting are read and checked. `check` answers what was expected when a value
 * is wrong (null when it is right); it serves library options as they are given. `read` turns the
 * text of a flag, variable or config file into a value for `check` (anything `check` refuses is fine).
 */
interface Kind {
  readonly check: (value: unknown) => string | null;
  readonly read: (text: string) => unknown;
}

/** One configurable setting: its flag, its environment variable, and its kind of value. */
interface Setting {
  readonly key: keyof ServerConfig;
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly kind: Kind;
  /** The flag may be given several times; its values (and the variable's) are comma-separated lists. */
  readonly repeatable?: true;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Reads `250ms`, `30s`, `2m`, `1h`, or a bare number of milliseconds; NaN for anything else. */
function readDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1)) : Number.NaN;
}

const inRange = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

/** A whole number from `min` to `max`. */
const integer = (min: number, max: number): Kind => ({
  read: (text) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN),
  check: (value) => (inRange(value, min, max) ? null : `a whole number from ${min} to ${max}`),
});

/** A duration: text like `30s`; as an option, whole milliseconds. */
const duration = (minMs: number, maxMs: number): Kind => ({
  read: readDuration,
  check: (value) =>
    inRange(value, minMs, maxMs)
      ? null
      : `a duration from ${minMs}ms to ${maxMs / 1000}s (milliseconds as an option; 500ms, 30s or 2m as text)`,
});

/** A secret of at least `minLength` characters, or null (unset). Its value is never echoed. */
const secret = (minLength: number): Kind => ({
  read: (text) => text,
  check: (value) =>
    value === null || (typeof value === 'string' && value.trim().length >= minLength)
      ? null
      : `at least ${minLength} characters (not counting spaces)`,
});

/** A list of items, each checked by `item`; as text, comma-separated. */
const list = (item: (text: string) => boolean, expected: string): Kind => ({
  // An empty value given on purpose (`--allowed-origin "$UNSET"`) is an error, not "nothing listed":
  // for origins, nothing listed means any origin.
  read: (text) =>
    text.trim() === ''
      ? ['']
      : text
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
  check: (value) => {
    if (!Array.isArray(value)) return `a list of ${expected}`;
    const bad = value.find((entry) => typeof entry !== 'string' || !item(entry));
    return bad === undefined ? null : `${expected}, not "${String(bad).slice(0, 80)}"`;
  },
});

/** An origin is scheme, host and port only: "https://app.example", never a path or a trailing slash. */
const isOrigin = (text: string) => /^https?:/.test(text) && URL.parse(text)?.origin === text;
/** A host of a STUN/TURN URI (RFC 7064 §3.1, RFC 7065 §3.1): an IPv6 literal, or a name or IPv4 address. */
const ICE_HOST = String.raw`(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)`;
const STUN_URI = new RegExp(String.raw`^stuns?:${ICE_HOST}(?::(\d{1,5}))?$`);
const TURN_URI = new RegExp(String.raw`^turns?:${ICE_HOST}(?::(\d{1,5}))?(?:\?transport=(?:udp|tcp))?$`);

/**
 * Whether `url` is a STUN or TURN URI that browsers take: `RTCPeerConnection` throws on any other
 * (a port of 0 or past 65535, a path, a query other than TURN's transport), and the server hands its
 * ICE servers to every client: one bad URL would break them all.
 */
function isIceUrl(url: string, schemes: RegExp[] = [STUN_URI, TURN_URI]): boolean {
  const match = schemes.map((scheme) => scheme.exec(url)).find((m) => m !== null);
  if (!match) return false;
  const port = match[1] === undefined ? 3478 : Number(match[1]);
  return port >= 1 && port <= 65_535;
}
const isTurnUrl = (url: string) => isIceUrl(url, [TURN_URI]);

const iceServers: Kind = {
  read: (text) => {
    const trimmed = text.trim();
    if (trimmed === 'none' || trimmed === '' || trimmed === '[]') return [];
    if (trimmed.startsWith('[')) {
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        return undefined;
      }
    }
    return trimmed.split(',').map((part) => ({ urls: part.trim() }));
  },
  check: (value) => {
    const parsed = v.safeParse(v.array(IceServer), value);
    if (!parsed.success) return `a list of RTCIceServer objects (${v.summarize(parsed.issues)}), or comma-separated URLs, or "none"`;
    const bad = parsed.output.flatMap((server) => [server.urls].flat()).find((url) => !isIceUrl(url));
    if (bad !== undefined) return `stun:host[:port] or turn:host[:port][?transport=udp|tcp] URLs, not "${bad.slice(0, 80)}"`;
    // Browsers refuse a TURN server without both (RTCPeerConnection throws).
    const lonely = parsed.output.find(
      (server) => [server.urls].flat().some((url) => url.startsWith('turn')) && !(server.username && server.credential),
    );
    return lonely === undefined
      ? null
      : 'a username and a credential with every turn: or turns: server (or use --turn-url with --turn-secret)';
  },
};

const host: Kind = {
  read: (text) => text.trim(),
  check: (value) => (typeof value === 'string' && value !== '' && !/[\s/]/.test(value) ? null : 'a host name or IP address'),
};

const redisUrl: Kind = {
  read: (text) => text.trim(),
  check: (value) => {
    if (value === null) return null;
    const url = typeof value === 'string' ? URL.parse(value) : null;
    // The path, if any, is a database number: anything else would be ignored and use database 0.
    const fits = url && (url.protocol === 'redis:' || url.protocol === 'rediss:') && /^(\/\d{0,5})?$/.test(url.pathname);
    return fits ? null : 'a redis:// or rediss:// URL, with a database number as its path if any (redis://host:6379/0)';
  },
};

const logLevel: Kind = {
  read: (text) => text.trim(),
  check: (value) => (LOG_LEVELS.includes(value as LogLevel) ? null : `one of ${LOG_LEVELS.join(', ')}`),
};

/** The settings in the order `--help` lists them. Flags, env vars, help and option checks all come from here. */
export const SETTINGS: readonly Setting[] = [
  { key: 'port', flag: 'port', env: 'ICEBREAKER_PORT', help: 'TCP port (0 = any free port)', kind: integer(0, 65_535) },
  { key: 'host', flag: 'host', env: 'ICEBREAKER_HOST', help: 'interface to listen on (0.0.0.0 = all)', kind: host },
  {
    key: 'iceServers',
    flag: 'ice-servers',
    env: 'ICEBREAKER_ICE_SERVERS',
    help: 'ICE servers for clients: JSON array of RTCIceServer, comma-separated URLs, or "none"',
    kind: iceServers,
  },
  { key: 'roomCapacity', flag: 'room-capacity', env: 'ICEBREAKER_ROOM_CAPACITY', help: 'peers per room', kind: integer(2, 256) },
  {
    key: 'heartbeatIntervalMs',
    flag: 'heartbeat-interval',
    env: 'ICEBREAKER_HEARTBEAT_INTERVAL',
    help: 'ping interval; a silent peer is dropped within two (e.g. 15s)',
    kind: duration(50, 3_600_000),
  },
  {
    key: 'maxMessageBytes',
    flag: 'max-message-bytes',
    env: 'ICEBREAKER_MAX_MESSAGE_BYTES',
    help: 'largest signaling message accepted, in bytes',
    kind: integer(1024, 16 * 1024 * 1024),
  },
  {
    key: 'holdTtlMs',
    flag: 'hold-ttl',
    env: 'ICEBREAKER_HOLD_TTL',
    help: 'how long signals wait for the next peer to join (e.g. 2m)',
    kind: duration(10, 86_400_000),
  },
  {
    key: 'holdMaxSignals',
    flag: 'hold-max-signals',
    env: 'ICEBREAKER_HOLD_MAX_SIGNALS',
    help: 'signals held per room for the next peer',
    kind: integer(1, 10_000),
  },
  {
    key: 'holdMaxBytes',
    flag: 'hold-max-bytes',
    env: 'ICEBREAKER_HOLD_MAX_BYTES',
    help: 'bytes held per room for the next peer',
    kind: integer(1024, 64 * 1024 * 1024),
  },
  {
    key: 'resumeGraceMs',
    flag: 'resume-grace',
    env: 'ICEBREAKER_RESUME_GRACE',
    help: 'how long a dropped peer keeps its place for a resume (0 = no resume)',
    kind: duration(0, 86_400_000),
  },
  {
    key: 'resumeSecret',
    flag: 'resume-secret',
    env: 'ICEBREAKER_RESUME_SECRET',
    help: 'key of resume tokens, at least 16 characters; keep it to honour tokens across restarts',
    kind: secret(16),
  },
  {
    key: 'allowedOrigins',
    flag: 'allowed-origin',
    env: 'ICEBREAKER_ALLOWED_ORIGINS',
    help: 'origin whose pages may connect (repeatable; env: comma-separated); others get 403',
    kind: list(isOrigin, 'origins like https://app.example or http://localhost:8080'),
    repeatable: true,
  },
  {
    key: 'joinDeadlineMs',
    flag: 'join-deadline',
    env: 'ICEBREAKER_JOIN_DEADLINE',
    help: 'a connection that has not joined a room by then is closed (e.g. 10s)',
    kind: duration(100, 600_000),
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'ICEBREAKER_MAX_CONNECTIONS',
    help: 'WebSocket connections held at most; more get HTTP 503',
    kind: integer(1, 1_000_000),
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    env: 'ICEBREAKER_MAX_CONNECTIONS_PER_IP',
    help: 'connections and parked places of one address at most, more get HTTP 429 (0 = no limit, e.g. behind a proxy)',
    kind: integer(0, 1_000_000),
  },
  {
    key: 'maxRooms',
    flag: 'max-rooms',
    env: 'ICEBREAKER_MAX_ROOMS',
    help: 'rooms the server (the cluster, with --redis) holds at most; a join that would open one more gets server-full',
    kind: integer(1, 10_000_000),
  },
  {
    key: 'maxParked',
    flag: 'max-parked',
    env: 'ICEBREAKER_MAX_PARKED',
    help: 'dropped peers kept for a resume at once (server- or cluster-wide); beyond, a dropped peer leaves at once',
    kind: integer(0, 10_000_000),
  },
  {
    key: 'maxQueuedBytes',
    flag: 'max-queued-bytes',
    env: 'ICEBREAKER_MAX_QUEUED_BYTES',
    help: 'bytes of held and queued signals kept at once (server- or cluster-wide); beyond, server-full',
    kind: integer(64 * 1024, 64 * 1024 * 1024 * 1024),
  },
  {
    key: 'httpHeadersTimeoutMs',
    flag: 'http-headers-timeout',
    env: 'ICEBREAKER_HTTP_HEADERS_TIMEOUT',
    help: 'time for a client to send its request headers (408 after); the whole request gets 3x',
    kind: duration(100, 600_000),
  },
  {
    key: 'authSecret',
    flag: 'auth-secret',
    env: 'ICEBREAKER_AUTH_SECRET',
    help: 'key of the room tokens (JWT HS256) a join must carry, at least 32 characters; unset = open server',
    kind: secret(MIN_AUTH_SECRET_LENGTH),
  },
  {
    key: 'rateMessagesPerSecond',
    flag: 'rate-messages',
    env: 'ICEBREAKER_RATE_MESSAGES',
    help: `messages per second per connection, bursts of ${RATE_BURST_SECONDS}s allowed (0 = no limit)`,
    kind: integer(0, 1_000_000),
  },
  {
    key: 'rateBytesPerSecond',
    flag: 'rate-bytes',
    env: 'ICEBREAKER_RATE_BYTES',
    help: `bytes per second per connection, bursts of ${RATE_BURST_SECONDS}s allowed (0 = no limit)`,
    kind: integer(0, 1024 * 1024 * 1024),
  },
  {
    key: 'maxBufferedBytes',
    flag: 'max-buffered-bytes',
    env: 'ICEBREAKER_MAX_BUFFERED_BYTES',
    help: 'unsent bytes a connection may pile up (it does not read) before it is dropped',
    kind: integer(16 * 1024, 1024 * 1024 * 1024),
  },
  {
    key: 'turnUrls',
    flag: 'turn-url',
    env: 'ICEBREAKER_TURN_URLS',
    help: 'TURN URL handed out with fresh credentials (repeatable; env: comma-separated); needs --turn-secret',
    kind: list(isTurnUrl, 'turn: or turns: URLs like turn:turn.example.org:3478?transport=udp (port 1-65535, transport udp or tcp)'),
    repeatable: true,
  },
  {
    key: 'turnSecret',
    flag: 'turn-secret',
    env: 'ICEBREAKER_TURN_SECRET',
    help: "coturn's static-auth-secret (use-auth-secret), at least 16 characters",
    kind: secret(16),
  },
  {
    key: 'turnTtlMs',
    flag: 'turn-ttl',
    env: 'ICEBREAKER_TURN_TTL',
    help: 'how long a TURN credential can open allocations (e.g. 1h)',
    kind: duration(10_000, 7 * 86_400_000),
  },
  {
    key: 'drainTimeoutMs',
    flag: 'drain-timeout',
    env: 'ICEBREAKER_DRAIN_TIMEOUT',
    help: 'on SIGTERM, time clients get to reconnect elsewhere before they are closed',
    kind: duration(0, 600_000),
  },
  {
    key: 'redisUrl',
    flag: 'redis',
    env: 'ICEBREAKER_REDIS_URL',
    help: 'Redis URL; servers with the same one form one service (unset = rooms in this process)',
    kind: redisUrl,
  },
  {
    key: 'nodeTimeoutMs',
    flag: 'node-timeout',
    env: 'ICEBREAKER_NODE_TIMEOUT',
    help: 'a cluster node silent this long is taken for dead; its peers may resume elsewhere (e.g. 5s)',
    kind: duration(2000, 600_000),
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'ICEBREAKER_LOG_LEVEL',
    help: `lowest level logged: ${LOG_LEVELS.join(', ')}`,
    kind: logLevel,
  },
];

/** Options that are not flags: where the page is served from (the CLI finds it by itself). */
const OPTION_KINDS: Readonly<Partial<Record<keyof ServerConfig, Kind>>> = {
  staticDir: {
    read: (text) => text,
    check: (value) => (value === null || (typeof value === 'string' && value !== '') ? null : 'a folder path, or null'),
  },
};

/** Reads one setting's text (from `name`, a flag, variable or file entry), or throws `invalid-config`. */
function parseSetting(setting: Setting, text: string, name: string): ServerConfig[keyof ServerConfig] {
  const value = setting.kind.read(text);
  const expected = setting.kind.check(value);
  // A secret's text is never echoed: error messages end up in logs.
  if (expected !== null) throw invalid(name, SECRET_KINDS.has(setting.key) ? '…' : redact(text), expected);
  return value as ServerConfig[keyof ServerConfig];
}

/** Settings whose values are never shown in an error. */
const SECRET_KINDS = new Set(SETTINGS.filter((s) => /secret/i.test(s.key)).map((s) => s.key));

/** A Redis URL may hold a password: errors show the URL without it. */
function redact(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//…@');
}

/**
 * Checks the options a library caller passed (`startServer`, `createServer`): every known option with
 * the same rules as its flag, and no unknown one (a typo must not be ignored). Throws a `TypeError`
 * naming the option as the caller wrote it.
 */
export function checkOptions(options: Readonly<Record<string, unknown>>, ignore: readonly string[] = []): void {
  for (const [key, value] of Object.entries(options)) {
    if (ignore.includes(key) || value === undefined) continue;
    const kind = SETTINGS.find((s) => s.key === key)?.kind ?? OPTION_KINDS[key as keyof ServerConfig];
    if (!kind) {
      const known = [...SETTINGS.map((s) => s.key), ...Object.keys(OPTION_KINDS), ...ignore];
      throw new TypeError(`options.${key.slice(0, 40)}: not an option; the options are ${known.join(', ')}`);
    }
    const expected = kind.check(value);
    if (expected !== null) {
      const shown = SECRET_KINDS.has(key as keyof ServerConfig) ? '…' : redact(JSON.stringify(value) ?? String(value)).slice(0, 80);
      throw new TypeError(`options.${key}: expected ${expected}, got ${shown}`);
    }
  }
}

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
    const envName = env[setting.env] === undefined && setting.key === 'port' ? 'PORT' : setting.env;
    const envValue = env[envName];
    const fileValue = file?.values[setting.flag];
    if (flagValue !== undefined) config[setting.key] = parseSetting(setting, flagValue, `--${setting.flag}`);
    else if (envValue !== undefined && envValue !== '') config[setting.key] = parseSetting(setting, envValue, envName);
    else if (fileValue !== undefined) config[setting.key] = parseSetting(setting, fileValue, `${file?.name} "${setting.flag}"`);
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
    // Editors on some systems start UTF-8 files with a byte-order mark; JSON.parse would call it a token.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
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
    // Each value has the shape its flag's text stands for: a string or number; a list of strings for
    // a repeatable setting; ICE servers also as the JSON array of objects the flag takes.
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
    else if (Array.isArray(value) && setting.repeatable && value.every((item) => typeof item === 'string')) values[key] = value.join(',');
    else if (Array.isArray(value) && setting.key === 'iceServers') values[key] = JSON.stringify(value);
    else {
      const expected = setting.repeatable
        ? 'a string or a list of strings'
        : setting.key === 'iceServers'
          ? 'a list of ICE servers'
          : 'a string or a number';
      throw new IcebreakerError('invalid-config', `${name} "${key}": expected ${expected}, not ${JSON.stringify(value)?.slice(0, 80)}`);
    }
  }
  return { name, values };
}

/** Checks what no single setting can: settings that only make sense together. Returns the config. */
export function checkConfig(config: ServerConfig): ServerConfig {
  // A burst must hold one message of the largest size accepted, or no join with a long token passes.
  if (config.rateBytesPerSecond > 0 && config.rateBytesPerSecond * RATE_BURST_SECONDS < config.maxMessageBytes) {
    throw new IcebreakerError(
      'invalid-config',
      `--rate-bytes ${config.rateBytesPerSecond} is too low for --max-message-bytes ${config.maxMessageBytes}: its ${RATE_BURST_SECONDS} s burst must hold one message (at least ${Math.ceil(config.maxMessageBytes / RATE_BURST_SECONDS)}, or 0 for no limit)`,
    );
  }
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

/** Reads a duration's text (`250ms`, `30s`, `2m`, `1h`, bare milliseconds) for a flag of the CLI; throws `invalid-config`. */
export function parseDuration(text: string, name: string, minMs: number, maxMs: number): number {
  const kind = duration(minMs, maxMs);
  const ms = kind.read(text);
  const expected = kind.check(ms);
  if (expected !== null) throw invalid(name, text, expected);
  return ms as number;
}
