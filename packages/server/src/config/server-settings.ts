import * as v from 'valibot';
import { MIN_AUTH_SECRET_LENGTH } from '../room-tokens.js';
import { isOrigin, isTurnUrl } from './ice-urls.js';
import { duration, folder, host, iceServers, listOf, redisUrl, secret, wholeNumber } from './kinds.js';
import { setting } from './setting.js';

/** A token bucket holds this many seconds of its rate, so short bursts (an ICE trickle) pass. */
export const RATE_BURST_SECONDS = 4;

/** Who may relay through the server: everyone, nobody, or peers whose room token carries `relay: true`. */
export const RELAY_MODES = ['on', 'off', 'token'] as const;

const KiB = 1024;
const MiB = 1024 * KiB;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Every setting of the signaling server, defined once: type and range, default, doc line, flag and
 * variable. The config type, the defaults, the checks of library options, the CLI's flags, variables,
 * config file keys and `--help`, and the README's table all come from here, in this order.
 */
export const SERVER_SETTINGS = {
  port: setting(wholeNumber(0, 65_535), 8080, 'TCP port; `0` picks a free one', {
    flag: 'port',
    env: 'ICEBREAKER_PORT',
    envFallback: 'PORT',
    form: 'integer',
  }),
  host: setting(host(), '127.0.0.1', 'interface to listen on; `0.0.0.0` for all', { flag: 'host', env: 'ICEBREAKER_HOST', form: 'text' }),
  iceServers: setting(
    iceServers(),
    [{ urls: 'stun:stun.l.google.com:19302' }],
    'ICE servers handed to clients: comma-separated URLs, a JSON array of `RTCIceServer`, or `none`',
    { flag: 'ice-servers', env: 'ICEBREAKER_ICE_SERVERS', form: 'ice-servers', unset: 'none' },
  ),
  roomCapacity: setting(wholeNumber(2, 256), 2, 'peers per room; a join beyond it gets `room-full`', {
    flag: 'room-capacity',
    env: 'ICEBREAKER_ROOM_CAPACITY',
    form: 'integer',
  }),
  heartbeatIntervalMs: setting(
    duration(50, HOUR),
    15 * SECOND,
    'ping interval; a peer that stops answering is dropped within two intervals',
    { flag: 'heartbeat-interval', env: 'ICEBREAKER_HEARTBEAT_INTERVAL', form: 'duration' },
  ),
  maxMessageBytes: setting(
    wholeNumber(KiB, 16 * MiB),
    64 * KiB,
    'largest signaling message accepted (`message-too-large` above it; frames over 4× are refused with close 1009)',
    { flag: 'max-message-bytes', env: 'ICEBREAKER_MAX_MESSAGE_BYTES', form: 'bytes' },
  ),
  holdTtlMs: setting(duration(10, DAY), 2 * MINUTE, 'how long signals wait for the next peer to join', {
    flag: 'hold-ttl',
    env: 'ICEBREAKER_HOLD_TTL',
    form: 'duration',
  }),
  holdMaxSignals: setting(wholeNumber(1, 10_000), 64, 'signals held per room for the next peer', {
    flag: 'hold-max-signals',
    env: 'ICEBREAKER_HOLD_MAX_SIGNALS',
    form: 'integer',
  }),
  holdMaxBytes: setting(wholeNumber(KiB, 64 * MiB), 128 * KiB, 'bytes held per room for the next peer', {
    flag: 'hold-max-bytes',
    env: 'ICEBREAKER_HOLD_MAX_BYTES',
    form: 'bytes',
  }),
  resumeGraceMs: setting(
    duration(0, DAY),
    30 * SECOND,
    'how long a peer whose connection dropped keeps its id, its place and the signals sent to it, waiting to resume; `0` disables resuming',
    { flag: 'resume-grace', env: 'ICEBREAKER_RESUME_GRACE', form: 'duration' },
  ),
  resumeSecret: setting(
    secret(16),
    null,
    'key that signs resume tokens (≥ 16 characters); with `--redis` the nodes agree on one through Redis unless you set it (the same on every node)',
    {
      flag: 'resume-secret',
      env: 'ICEBREAKER_RESUME_SECRET',
      form: 'text',
      secret: true,
      unset: 'random per process (per cluster with `--redis`)',
    },
  ),
  allowedOrigins: setting(
    listOf(isOrigin, 'origins like https://app.example or http://localhost:8080'),
    [],
    "origin (`https://app.example`) whose pages may open the signaling WebSocket; repeat the flag, or comma-separate in the variable; other origins get 403. List the page's own origin too. Clients that send no `Origin` (Node peers, the CLI) are let in: they could claim any origin",
    { flag: 'allowed-origin', env: 'ICEBREAKER_ALLOWED_ORIGINS', form: 'list', unset: 'any origin' },
  ),
  joinDeadlineMs: setting(
    duration(100, 10 * MINUTE),
    10 * SECOND,
    'a connection that has not joined a room this long after opening is closed with code 1008',
    { flag: 'join-deadline', env: 'ICEBREAKER_JOIN_DEADLINE', form: 'duration' },
  ),
  maxConnections: setting(
    wholeNumber(1, 1_000_000),
    10_000,
    'WebSocket connections the server holds at most; an upgrade beyond gets HTTP 503',
    { flag: 'max-connections', env: 'ICEBREAKER_MAX_CONNECTIONS', form: 'integer' },
  ),
  maxConnectionsPerIp: setting(
    wholeNumber(0, 1_000_000),
    64,
    'connections from one remote address at most (more get HTTP 429), and as many places its dropped peers may keep parked (beyond, a drop leaves at once); sockets that are not WebSockets: 16 more. Behind a reverse proxy every client shares its address: raise it, or `0` for no limit',
    { flag: 'max-connections-per-ip', env: 'ICEBREAKER_MAX_CONNECTIONS_PER_IP', form: 'integer' },
  ),
  maxRooms: setting(
    wholeNumber(1, 10_000_000),
    20_000,
    'rooms held at once (cluster-wide with `--redis`); a join that would open one more gets `server-full`',
    { flag: 'max-rooms', env: 'ICEBREAKER_MAX_ROOMS', form: 'integer' },
  ),
  maxParked: setting(
    wholeNumber(0, 10_000_000),
    10_000,
    'dropped peers whose places are kept for a resume at once (cluster-wide); beyond it a dropped peer leaves at once',
    { flag: 'max-parked', env: 'ICEBREAKER_MAX_PARKED', form: 'integer' },
  ),
  maxQueuedBytes: setting(
    wholeNumber(64 * KiB, 64 * 1024 * MiB),
    256 * MiB,
    'bytes of signals held for next peers and queued for dropped ones, all rooms together (cluster-wide); beyond it `server-full`',
    { flag: 'max-queued-bytes', env: 'ICEBREAKER_MAX_QUEUED_BYTES', form: 'bytes' },
  ),
  httpHeadersTimeoutMs: setting(
    duration(100, 10 * MINUTE),
    10 * SECOND,
    'time a client has to send its HTTP request headers, upgrades included (408 after: no slow-loris); the whole request gets three times as long',
    { flag: 'http-headers-timeout', env: 'ICEBREAKER_HTTP_HEADERS_TIMEOUT', form: 'duration' },
  ),
  authSecret: setting(
    secret(MIN_AUTH_SECRET_LENGTH),
    null,
    `key (≥ ${MIN_AUTH_SECRET_LENGTH} characters) of the room tokens (JWT, HS256) that \`join\` must carry; without it anyone may join any room, and the server says so at start-up. See [Auth](#auth)`,
    { flag: 'auth-secret', env: 'ICEBREAKER_AUTH_SECRET', form: 'text', secret: true, unset: 'none: open' },
  ),
  rateMessagesPerSecond: setting(
    wholeNumber(0, 1_000_000),
    50,
    `messages per second per connection on average (token bucket holding ${RATE_BURST_SECONDS} s of it, so an ICE trickle passes at once); past it \`rate-limited\`, and close 1008 if the client keeps on. \`0\`: no limit`,
    { flag: 'rate-messages', env: 'ICEBREAKER_RATE_MESSAGES', form: 'integer' },
  ),
  rateBytesPerSecond: setting(
    wholeNumber(0, 1024 * MiB),
    256 * KiB,
    `bytes per second per connection on average, with the same ${RATE_BURST_SECONDS} s bucket and the same answers; the bucket must hold one message of \`--max-message-bytes\`. \`0\`: no limit`,
    { flag: 'rate-bytes', env: 'ICEBREAKER_RATE_BYTES', form: 'bytes' },
  ),
  maxBufferedBytes: setting(
    wholeNumber(16 * KiB, 1024 * MiB),
    MiB,
    "output a connection may leave unread (a client that does not read its socket) before it is disconnected, so that no slow reader grows the server's memory",
    { flag: 'max-buffered-bytes', env: 'ICEBREAKER_MAX_BUFFERED_BYTES', form: 'bytes' },
  ),
  relay: setting(
    v.picklist(RELAY_MODES, `one of ${RELAY_MODES.join(', ')}`),
    'on',
    "the relay through this server, the connection ladder's last rung (binary relay frames over the signaling WebSocket): `on` for every peer, `off`, or `token`: only peers whose room token carries `relay: true` (see [The relay](#the-relay))",
    { flag: 'relay', env: 'ICEBREAKER_RELAY', form: 'text' },
  ),
  relayPeerBytesPerSecond: setting(
    wholeNumber(0, 1024 * MiB),
    8 * MiB,
    'relayed bytes per second one peer may send on average; past it the server stops reading its socket until it is back under (nothing is dropped). `0`: no limit',
    { flag: 'relay-peer-rate', env: 'ICEBREAKER_RELAY_PEER_RATE', form: 'bytes' },
  ),
  relayRoomBytesPerSecond: setting(
    wholeNumber(0, 1024 * MiB),
    16 * MiB,
    'relayed bytes per second of one room, all its senders together (with `--redis`: each node counts the senders it holds), slowing them as `--relay-peer-rate` does. `0`: no limit',
    { flag: 'relay-room-rate', env: 'ICEBREAKER_RELAY_ROOM_RATE', form: 'bytes' },
  ),
  relayServerBytesPerSecond: setting(
    wholeNumber(0, 64 * 1024 * MiB),
    128 * MiB,
    'relayed bytes per second of this server (node), all rooms together, slowing every sender as `--relay-peer-rate` does. `0`: no limit',
    { flag: 'relay-server-rate', env: 'ICEBREAKER_RELAY_SERVER_RATE', form: 'bytes' },
  ),
  relayMaxBufferedBytes: setting(
    wholeNumber(256 * KiB, 64 * 1024 * MiB),
    64 * MiB,
    'relayed bytes this server holds written and not yet taken by the receivers, all together; at it every sender waits, and frames beyond twice it get `relay-limited`. One receiver holds at most half `--max-buffered-bytes`',
    { flag: 'relay-max-buffered', env: 'ICEBREAKER_RELAY_MAX_BUFFERED', form: 'bytes' },
  ),
  turnUrls: setting(
    listOf(isTurnUrl, 'turn: or turns: URLs like turn:turn.example.org:3478?transport=udp (port 1-65535, transport udp or tcp)'),
    [],
    'TURN URL (`turn:host:3478?transport=udp`, `turns:…`) handed out in every `welcome` with credentials minted for that peer; repeat the flag, or comma-separate in the variable. Needs `--turn-secret`',
    { flag: 'turn-url', env: 'ICEBREAKER_TURN_URLS', form: 'list', unset: 'none' },
  ),
  turnSecret: setting(
    secret(16),
    null,
    "coturn's `static-auth-secret` (`use-auth-secret`): TURN credentials are derived from it and it never leaves the server (≥ 16 characters)",
    { flag: 'turn-secret', env: 'ICEBREAKER_TURN_SECRET', form: 'text', secret: true, unset: 'none' },
  ),
  turnTtlMs: setting(
    duration(10 * SECOND, 7 * DAY),
    HOUR,
    'how long a TURN credential can open allocations; coturn checks it when an allocation is made, and an allocation already made lives on',
    { flag: 'turn-ttl', env: 'ICEBREAKER_TURN_TTL', form: 'duration' },
  ),
  drainTimeoutMs: setting(
    duration(0, 10 * MINUTE),
    10 * SECOND,
    'on SIGTERM (or `drain()`), how long clients get to reconnect elsewhere before the rest are closed with 1001',
    { flag: 'drain-timeout', env: 'ICEBREAKER_DRAIN_TIMEOUT', form: 'duration' },
  ),
  redisUrl: setting(
    redisUrl(),
    null,
    'Redis URL (`redis://host:6379/0`); servers started with the same one form one service: any peer may connect to any node. See [Several nodes](#several-nodes-on-redis)',
    { flag: 'redis', env: 'ICEBREAKER_REDIS_URL', form: 'text', unset: 'none: rooms in this process' },
  ),
  nodeTimeoutMs: setting(
    duration(2 * SECOND, 10 * MINUTE),
    5 * SECOND,
    'a node that has not said it is alive for this long is taken for dead: its peers are parked, free to resume on another node within `--resume-grace`',
    { flag: 'node-timeout', env: 'ICEBREAKER_NODE_TIMEOUT', form: 'duration' },
  ),
  staticDir: setting(folder(), null, 'folder of the built teaching page, or `null` to serve no page (the CLI serves its own)', {
    form: 'text',
  }),
};
