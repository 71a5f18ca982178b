import { DisplayName, MAX_FRAME_BYTES, RoomName, TRANSFER_PATH_MAX, TRANSFER_TEXT_MAX } from '@icebreaker/protocol';
import { safeParse } from 'valibot';
import { SECRET_PATTERN } from './pairing-key.js';

/**
 * Every option of the client's public entry points is checked here, where it enters, and misuse
 * throws a `TypeError` naming the field and what it accepts (as ws and mediasoup's `ortc.ts` do).
 * Checked late, a bad value fails far from its cause or not at all: `frameBytes: 0` made
 * `sendFile` spin forever (issue 9, item 13). Room and name follow the protocol's own schemas, the
 * rules the server applies.
 */

/** The numeric options: their range, and the default when there is one. */
export const LIMITS = {
  /** Below 1 KiB a frame's header byte is a real overhead; above it no stack takes the message. */
  frameBytes: { min: 1024, max: MAX_FRAME_BYTES },
  retransmitMs: { min: 50, max: 60_000, default: 2000 },
  disconnectedRestartMs: { min: 0, max: 600_000, default: 5000 },
  /** Reconnect attempts: a zero delay would hammer the server in a tight loop. */
  initialDelayMs: { min: 10, max: 60_000, default: 250 },
  maxDelayMs: { max: 600_000, default: 5000 },
  /** New peer connections to a peer whose connection died: at most one per 10 ms, even misconfigured. */
  peerInitialDelayMs: { min: 10, max: 60_000, default: 1000 },
  peerMaxDelayMs: { max: 600_000, default: 60_000 },
  /** How long ICE may take before the relay carries the data: 0 relays at once (and upgrades later). */
  relayAfterMs: { min: 0, max: 600_000, default: 4000 },
  /** How long an interrupted transfer waits for a resume: a week at most (a timer must fit 2^31 ms). */
  resumeWithinMs: { min: 1000, max: 7 * 24 * 3600 * 1000, default: 10 * 60 * 1000 },
} as const;

const CONNECT_KEYS = [
  'room',
  'name',
  'token',
  'secret',
  'iceServers',
  'rtcConfiguration',
  'RTCPeerConnection',
  'WebSocket',
  'reconnect',
  'disconnectedRestartMs',
  'retransmitMs',
  'frameBytes',
  'relay',
  'transfers',
  'peerReconnect',
];

const ENUMS: Record<string, readonly string[]> = {
  iceTransportPolicy: ['all', 'relay'],
  bundlePolicy: ['balanced', 'max-bundle', 'max-compat'],
  rtcpMuxPolicy: ['require'],
};

/** The options of `connect()` and `new Room()`, and its url. */
export function validateConnect(url: unknown, options: unknown): void {
  validateUrl(url);
  const o = record('options', options, CONNECT_KEYS);
  validateRoom('options.room', o.room);
  if (o.name !== undefined) validateName('options.name', o.name);
  if (o.token !== undefined) validateToken('options.token', o.token);
  if (o.secret !== undefined && (typeof o.secret !== 'string' || !SECRET_PATTERN.test(o.secret)))
    // Not shown: a secret, even a malformed one, stays out of messages that may end up in a log.
    throw new TypeError(
      `options.secret: expected a pairing link's secret, 22 to 86 base64url characters (128 to 512 bits), got ${typeof o.secret === 'string' ? `a string of ${o.secret.length} characters` : show(o.secret)}`,
    );
  if (o.iceServers !== undefined) validateIceServers('options.iceServers', o.iceServers);
  if (o.rtcConfiguration !== undefined) {
    const rtc = record('options.rtcConfiguration', o.rtcConfiguration);
    // The room sets iceServers itself (options.iceServers, or the server's): one given here would be ignored.
    if (rtc.iceServers !== undefined)
      fail('options.rtcConfiguration.iceServers', 'nothing (pass ICE servers as options.iceServers)', rtc.iceServers);
    for (const [key, accepted] of Object.entries(ENUMS)) {
      if (rtc[key] !== undefined && !accepted.includes(rtc[key] as string))
        fail(`options.rtcConfiguration.${key}`, `one of ${accepted.map((a) => `"${a}"`).join(', ')}`, rtc[key]);
    }
    if (rtc.iceCandidatePoolSize !== undefined) whole('options.rtcConfiguration.iceCandidatePoolSize', rtc.iceCandidatePoolSize, 0, 255);
  }
  implementation('options.RTCPeerConnection', o.RTCPeerConnection, 'RTCPeerConnection');
  implementation('options.WebSocket', o.WebSocket, 'WebSocket', ' such as the ws package');
  if (o.reconnect !== undefined && o.reconnect !== false) {
    const r = record('options.reconnect', o.reconnect, ['initialDelayMs', 'maxDelayMs'], 'false or an object');
    const { initialDelayMs, maxDelayMs } = LIMITS;
    if (r.initialDelayMs !== undefined) whole('options.reconnect.initialDelayMs', r.initialDelayMs, initialDelayMs.min, initialDelayMs.max);
    const floor = (r.initialDelayMs as number | undefined) ?? initialDelayMs.default;
    if (r.maxDelayMs !== undefined) whole('options.reconnect.maxDelayMs', r.maxDelayMs, floor, maxDelayMs.max);
  }
  if (o.peerReconnect !== undefined && o.peerReconnect !== false) {
    const r = record('options.peerReconnect', o.peerReconnect, ['initialDelayMs', 'maxDelayMs'], 'false or an object');
    const { peerInitialDelayMs: initial, peerMaxDelayMs: max } = LIMITS;
    if (r.initialDelayMs !== undefined) whole('options.peerReconnect.initialDelayMs', r.initialDelayMs, initial.min, initial.max);
    const floor = (r.initialDelayMs as number | undefined) ?? initial.default;
    if (r.maxDelayMs !== undefined) whole('options.peerReconnect.maxDelayMs', r.maxDelayMs, floor, max.max);
  }
  if (o.relay !== undefined && o.relay !== false) {
    const r = record('options.relay', o.relay, ['afterMs'], 'false or an object');
    if (r.afterMs !== undefined) whole('options.relay.afterMs', r.afterMs, LIMITS.relayAfterMs.min, LIMITS.relayAfterMs.max);
  }
  if (o.transfers !== undefined) {
    const t = record('options.transfers', o.transfers, ['store', 'resumeWithinMs']);
    if (t.resumeWithinMs !== undefined)
      whole('options.transfers.resumeWithinMs', t.resumeWithinMs, LIMITS.resumeWithinMs.min, LIMITS.resumeWithinMs.max);
    if (t.store !== undefined) {
      const store = record('options.transfers.store', t.store, undefined, 'a TransferStore (open, list, discard)');
      for (const method of ['open', 'list', 'discard'])
        if (typeof store[method] !== 'function') fail(`options.transfers.store.${method}`, 'a function', store[method]);
    }
  }
  for (const key of ['disconnectedRestartMs', 'retransmitMs', 'frameBytes'] as const) {
    if (o[key] !== undefined) whole(`options.${key}`, o[key], LIMITS[key].min, LIMITS[key].max);
  }
}

/** The url and options of `SignalingClient.open()`. */
export function validateSignalingOpen(url: unknown, options: unknown): void {
  validateUrl(url);
  const o = record('options', options, ['WebSocket']);
  implementation('options.WebSocket', o.WebSocket, 'WebSocket', ' such as the ws package');
}

/** The request of `SignalingClient.join()`. */
export function validateJoin(request: unknown): void {
  const r = record('request', request, ['room', 'name', 'token', 'resume']);
  validateRoom('request.room', r.room);
  if (r.name !== undefined) validateName('request.name', r.name);
  if (r.token !== undefined) validateToken('request.token', r.token);
  if (r.resume !== undefined && (typeof r.resume !== 'string' || r.resume.length === 0 || r.resume.length > 512))
    fail('request.resume', 'the resumeToken of an earlier welcome (1 to 512 characters)', r.resume);
}

/** The file and options of `peer.sendFile()`. */
export function validateSendFile(file: unknown, options: unknown): void {
  validateFile('file', file);
  const o = record('options', options, ['name', 'path', 'onProgress', 'signal']);
  // The receiver keeps at most 255 characters of a name (protocol/transfer.ts).
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0 || o.name.length > TRANSFER_TEXT_MAX))
    fail('options.name', `a string of 1 to ${TRANSFER_TEXT_MAX} characters`, o.name);
  validatePath('options.path', o.path);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') fail('options.onProgress', 'a function', o.onProgress);
  validateSignal('options.signal', o.signal);
}

/** The items and options of `sendFiles`. */
export function validateSendFiles(items: unknown, options: unknown): void {
  if (!Array.isArray(items) || items.length === 0) fail('items', 'a non-empty array of { file, path?, name? }', items);
  for (const [index, item] of items.entries()) {
    const i = record(`items[${index}]`, item, ['file', 'path', 'name'], 'an object { file, path?, name? }');
    validateFile(`items[${index}].file`, i.file);
    validatePath(`items[${index}].path`, i.path);
    if (i.name !== undefined && (typeof i.name !== 'string' || i.name.length === 0 || i.name.length > TRANSFER_TEXT_MAX))
      fail(`items[${index}].name`, `a string of 1 to ${TRANSFER_TEXT_MAX} characters`, i.name);
  }
  const o = record('options', options, ['onProgress', 'signal']);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') fail('options.onProgress', 'a function', o.onProgress);
  validateSignal('options.signal', o.signal);
}

function validateFile(field: string, file: unknown): void {
  const f = record(field, file, undefined, 'a Blob, a File, or an object with size and slice()');
  if (!Number.isSafeInteger(f.size) || (f.size as number) < 0) fail(`${field}.size`, 'a whole number of bytes, 0 or more', f.size);
  if (typeof f.slice !== 'function') fail(`${field}.slice`, 'a function (start, end) returning something with arrayBuffer()', f.slice);
  if (f.name !== undefined && typeof f.name !== 'string') fail(`${field}.name`, 'a string', f.name);
  if (f.type !== undefined && typeof f.type !== 'string') fail(`${field}.type`, 'a string', f.type);
}

function validatePath(field: string, path: unknown): void {
  if (path === undefined) return;
  if (typeof path !== 'string' || path.length === 0 || path.length > TRANSFER_PATH_MAX)
    fail(field, `a '/'-separated relative path of 1 to ${TRANSFER_PATH_MAX} characters`, path);
}

function validateSignal(field: string, signal: unknown): void {
  const s = signal as { addEventListener?: unknown } | undefined;
  if (s !== undefined && (typeof s !== 'object' || s === null || typeof s.addEventListener !== 'function'))
    fail(field, 'an AbortSignal', s);
}

// ── the checks ─────────────────────────────────────────────────────────────────────────────────

function validateUrl(url: unknown): void {
  const parsed = typeof url === 'string' && URL.canParse(url) ? new URL(url) : null;
  if (!parsed || !['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol))
    fail('url', 'a ws:, wss:, http: or https: address of the signaling endpoint', url);
}

function validateRoom(field: string, value: unknown): void {
  if (!safeParse(RoomName, value).success) fail(field, '1 to 64 letters, digits or - _ . ~', value);
}

function validateName(field: string, value: unknown): void {
  if (!safeParse(DisplayName, value).success) fail(field, 'a display name of 1 to 64 characters', value);
}

function validateToken(field: string, value: unknown): void {
  // A token is a secret: never echoed, only described.
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096)
    throw new TypeError(`${field}: expected a room token of 1 to 4096 characters, got ${describeSecret(value)}`);
}

function validateIceServers(field: string, value: unknown): void {
  if (!Array.isArray(value)) fail(field, 'an array of RTCIceServer', value);
  value.forEach((server: unknown, i) => {
    const s = record(`${field}[${i}]`, server, undefined, 'an RTCIceServer object');
    const urls: unknown[] = Array.isArray(s.urls) ? s.urls : [s.urls];
    const scheme = /^(stun|stuns|turn|turns):./;
    if (urls.length === 0 || urls.some((u) => typeof u !== 'string' || !scheme.test(u)))
      fail(`${field}[${i}].urls`, 'a stun:, stuns:, turn: or turns: URL, or a non-empty array of them', s.urls);
    for (const key of ['username', 'credential'] as const) {
      if (s[key] !== undefined && typeof s[key] !== 'string') fail(`${field}[${i}].${key}`, 'a string', s[key]);
    }
    // RTCPeerConnection refuses a TURN server without credentials (W3C webrtc §4.4.1.5, step 4).
    const missing = s.username === undefined ? 'username' : s.credential === undefined ? 'credential' : null;
    if (missing && urls.some((u) => /^turns?:/.test(u as string)))
      throw new TypeError(`${field}[${i}].${missing}: expected a string with a turn: or turns: URL, got none`);
  });
}

/** An injected class: given as a constructor, or present as a global of that name. */
function implementation(field: string, value: unknown, global: 'RTCPeerConnection' | 'WebSocket', example = ''): void {
  if (value === undefined) {
    if (typeof globalThis[global] !== 'function')
      throw new TypeError(`${field}: no global ${global} here; pass an implementation${example}`);
    return;
  }
  if (typeof value !== 'function') fail(field, `a ${global} class`, value);
}

function whole(field: string, value: unknown, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
    fail(field, `a whole number from ${min} to ${max}`, value);
}

/** An object, optionally with only the given keys (a typo is an error, never ignored). */
function record(field: string, value: unknown, keys?: readonly string[], expected = 'an object'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, expected, value);
  const object = value as Record<string, unknown>;
  const unknown = keys && Object.keys(object).find((key) => !keys.includes(key));
  if (unknown !== undefined) throw new TypeError(`${field}.${unknown}: not an option here (known: ${keys?.join(', ')})`);
  return object;
}

function fail(field: string, expected: string, value: unknown): never {
  throw new TypeError(`${field}: expected ${expected}, got ${show(value)}`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}…` : JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function describeSecret(value: unknown): string {
  return typeof value === 'string' ? `a string of ${value.length} characters` : show(value);
}

/** The checks above, for the options of other entry points (`diagnose`), so each is written once. */
export const checks = {
  url: validateUrl,
  room: validateRoom,
  token: validateToken,
  iceServers: validateIceServers,
  implementation,
  whole,
  record,
  fail,
};
