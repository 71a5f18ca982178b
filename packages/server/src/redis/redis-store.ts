import { randomBytes } from 'node:crypto';
import { encode, type PeerId, type PeerInfo, type RequestId, type RoomName } from '@icebreaker/protocol';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { ResumeClaim } from '../resume-token.js';
import type { EnterOutcome, NewPlace, RelayMiss, RelayOutcome, ResumeOutcome, RoomStore, Seated, StoreEvents } from '../room-store.js';
import { type Endpoint, type LeaveReason, type Place, peerInfo } from '../types.js';
import { HOLD_EXPIRE, JOIN, LEAVE, NODE_DOWN, PARK, REAP, REJOIN, REROUTE, SIGNALS } from './scripts.js';

const PREFIX = 'icebreaker:';
/** How often a node says it is alive, and looks for dead nodes and expired places. */
const HEARTBEAT_MS = 1000;
/** Deliveries read from this node's stream per round trip. */
const READ_BATCH = 1000;
/** The consumer group through which a node reads its own stream (one per stream: the node's). */
const READ_GROUP = 'node';
/** Parked places a reaper removes per script call; it calls again at once while there are more. */
const REAP_BATCH = 500;
/** How long one reaping round may go on (the rest waits for the next second). */
const REAP_BUDGET_MS = 500;

type ScriptName = 'ibJoin' | 'ibSignals' | 'ibHoldExpire' | 'ibLeave' | 'ibPark' | 'ibReap' | 'ibNodeDown' | 'ibReroute' | 'ibRejoin';
type Scripted = Redis & Record<ScriptName, (...args: Array<string | number>) => Promise<unknown>>;

/**
 * One item for the SIGNALS script: kind (`s` a signal, `r` a relay frame), room, sender, target ("" for
 * the only other peer), frame, hold id.
 */
type SignalArgs = [kind: 's' | 'r', room: string, from: string, to: string, frame: string | Uint8Array, holdId: string];
/** Its reply: the outcome, and for a signal held, whether it started the hold and the hold's id. */
type SignalReply = [outcome: RelayOutcome | 'not-member' | 'away', started: string, holdId: string];

/**
 * Signals sent in one SIGNALS call at most: a node's signals of one turn go together, but a script
 * blocks Redis while it runs, so a flood is cut into calls that each take well under a millisecond.
 */
const SIGNAL_BATCH = 256;
/** Bytes of relay frames in one SIGNALS call at most, for the same reason. */
const RELAY_BATCH_BYTES = 1024 * 1024;
/** Relay bytes read from its stream after which a node trims it at once, not at the next heartbeat. */
const TRIM_AFTER_RELAY_BYTES = 8 * 1024 * 1024;

/**
 * Rooms kept in Redis, shared by every server node started with the same `--redis`: any peer may
 * connect to any node. Each change to a room is one Lua script (atomic: capacity holds cluster-wide);
 * each node reads the deliveries for the peers it holds from a stream of its own.
 *
 * Why streams: a node's stream keeps what was sent to it while its connection to Redis is briefly
 * down, and it is read in order from one position, so the signals between two peers keep their order
 * (pub/sub would drop them on a reconnect). Why per node and not per peer: one blocking read per node
 * instead of one per peer; a peer that moves (resume on another node) or whose node dies is switched to
 * its resume queue, a Redis list, inside the same scripts.
 */
export class RedisStore implements RoomStore {
  /** This node's id: its stream and its heartbeat. */
  readonly node = randomBytes(6).toString('base64url');
  private readonly redis: Scripted;
  /** A second connection for the blocking stream reads. */
  private readonly reader: Redis;
  /** The resume-token key every node of the cluster uses (so that a peer can resume on any of them). */
  resumeSecret: string | null;
  /** The peers attached to this node. */
  private readonly local = new Map<string, Endpoint>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /**
   * The places this node parked, each counting against its address (see AddressBook) until released,
   * with what it takes to park them again in a Redis that lost them.
   */
  private readonly parkedHere = new Map<
    string,
    { readonly place: RedisPlace; readonly graceEnd: number; readonly reason: LeaveReason; release(): void }
  >();
  /** The value of the cluster's epoch key this node last saw: a Redis that lost its data has another, or none. */
  private epoch: string | null = null;
  private recovering = false;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  /** This node's stream of deliveries (see scripts.ts). */
  private readonly stream: string;
  /** The last entry of its stream this node has handled, and how far the stream has been trimmed. */
  private lastId = '0-0';
  private trimmedTo = '0-0';
  private lastError: string | null = null;
  private holds = 0;
  /** Signals of this turn waiting for their SIGNALS call ({@link flushSignals}). */
  private signals: Array<{ args: SignalArgs; resolve: (reply: SignalReply) => void; reject: (error: unknown) => void }> = [];
  /** Relay bytes among {@link signals}, and read from the stream since it was last trimmed. */
  private relayBytesQueued = 0;
  private relayBytesRead = 0;
  private ticking = false;
  private closed = false;
  private everReady = false;
  private readonly reading: Promise<void>;

  /** Connects a node to Redis and resolves once it can serve (see `connected`); rejects after `timeoutMs`. */
  static async open(redisUrl: string, config: ServerConfig, events: StoreEvents, log: Logger, timeoutMs?: number): Promise<RedisStore> {
    const store = new RedisStore(redisUrl, config, events, log);
    try {
      await store.connected(timeoutMs);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  private constructor(
    redisUrl: string,
    private readonly config: ServerConfig,
    private readonly events: StoreEvents,
    private readonly log: Logger,
  ) {
    this.resumeSecret = config.resumeSecret;
    // Commands fail at once while Redis is away (no offline queue): a client is told, and the library
    // sends its signal again; nothing piles up in this process meanwhile.
    // Auto-pipelining: the commands of one turn of the event loop go out in one write.
    const options = {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      retryStrategy: (n: number) => Math.min(100 * 2 ** n, 2000),
    };
    this.redis = new Redis(redisUrl, options) as Scripted;
    // The reader too: a read queued while Redis is away would never settle, even on disconnect(). It
    // has one command in flight at a time, so it goes out at once: auto-pipelining would only defer it
    // to the next turn and wrap it in a pipeline, on the path of every delivery.
    this.reader = new Redis(redisUrl, { ...options, enableAutoPipelining: false });
    const scripts: Record<ScriptName, string> = {
      ibJoin: JOIN,
      ibSignals: SIGNALS,
      ibHoldExpire: HOLD_EXPIRE,
      ibLeave: LEAVE,
      ibPark: PARK,
      ibReap: REAP,
      ibNodeDown: NODE_DOWN,
      ibReroute: REROUTE,
      ibRejoin: REJOIN,
    };
    for (const [name, lua] of Object.entries(scripts)) this.redis.defineCommand(name, { numberOfKeys: 0, lua });
    // Errors are reported through `ready`, and the last one explains a start-up that never gets there
    // (a wrong password reads as "not reachable" otherwise).
    for (const connection of [this.redis, this.reader])
      connection.on('error', (error: Error) => {
        this.lastError = error.message;
      });
    this.redis.on('ready', () => this.onReady());
    this.redis.on('end', () => this.log.warn({ event: 'redis', state: 'end' }, 'redis connection ended'));
    this.heartbeat = setInterval(() => this.tick(), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.stream = `${PREFIX}node:${this.node}:s`;
    this.reading = this.readLoop();
  }

  /**
   * Resolves once Redis is reachable the first time (or rejects after `timeoutMs`), and the cluster's
   * resume-token key is agreed: `--resume-secret` if given (the same on every node), else one made by
   * the first node and kept in Redis.
   */
  private async connected(timeoutMs = 10_000): Promise<void> {
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `redis at ${redactUrl(this.redis)} not reachable within ${timeoutMs} ms${this.lastError === null ? '' : ` (${this.lastError})`}`,
              ),
            ),
          timeoutMs,
        );
        this.redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // ioredis selects the URL's database itself, but carries on in database 0 if Redis refuses it
    // (beyond its `databases`): this node would then form a cluster with the wrong nodes.
    const db = this.redis.options.db ?? 0;
    if (db !== 0) await this.redis.select(db).catch((error: Error) => Promise.reject(new Error(`redis database ${db}: ${error.message}`)));
    await this.redis.set(`${PREFIX}epoch`, randomBytes(9).toString('base64url'), 'NX');
    this.epoch = await this.redis.get(`${PREFIX}epoch`);
    if (this.resumeSecret === null) {
      await this.redis.set(`${PREFIX}resume-secret`, randomBytes(32).toString('base64url'), 'NX');
      this.resumeSecret = await this.redis.get(`${PREFIX}resume-secret`);
    }
  }

  get ready(): boolean {
    return !this.closed && this.redis.status === 'ready';
  }

  get peerCount(): number {
    return this.local.size;
  }

  /** The cluster's parked places and waiting bytes, as read at the last heartbeat. */
  parkedCount = 0;
  queuedBytes = 0;

  get roomCount(): number {
    const rooms = new Set<string>();
    for (const connection of this.local.values()) if (connection.place) rooms.add(connection.place.room);
    return rooms.size;
  }

  enter(connection: Endpoint, room: RoomName, place: NewPlace): Promise<EnterOutcome> {
    // The script answers a new place with "joined", "full" or "server-full", never "resume-failed".
    return this.join(connection, room, place.id, place, place.nonce, place.resumeUntil, null) as Promise<EnterOutcome>;
  }

  resume(connection: Endpoint, claim: ResumeClaim, nonce: string): Promise<ResumeOutcome> {
    // And a resume with "resumed" or "resume-failed" alone.
    return this.join(connection, claim.room, claim.peerId, claim, nonce, claim.expiresAt, claim.nonce) as Promise<ResumeOutcome>;
  }

  /** One script for both: a new place (`claimed` null), or one taken back with the token's nonce. */
  private async join(
    connection: Endpoint,
    room: RoomName,
    id: PeerId,
    who: { readonly name?: string | undefined; readonly role?: string | undefined },
    nonce: string,
    resumeUntil: number,
    claimed: string | null,
  ): Promise<EnterOutcome | ResumeOutcome> {
    const { name, role } = who;
    const info = peerInfo({ id, name, role });
    const record = JSON.stringify({ ...(name === undefined ? {} : { nm: name }), ...(role === undefined ? {} : { ro: role }) });
    const result = (await this.scripts().ibJoin(
      ...this.base(),
      room,
      id,
      this.node,
      this.config.roomCapacity,
      record,
      encode({ type: 'peer-joined', peer: info }),
      ...this.queueLimits(),
      claimed === null ? '0' : '1',
      claimed ?? '',
      nonce,
      this.config.maxRooms,
    )) as [string, string, string[], number] | [string, number] | [string];
    if (result[0] === 'full') return { kind: 'room-full', size: result[1] as number };
    if (result[0] === 'server-full') return { kind: 'server-full', rooms: result[1] as number };
    if (result[0] !== 'joined' && result[0] !== 'resumed') return { kind: 'resume-failed' };
    const [outcome, othersJson, frames, order] = result as [string, string, string[], number];
    if (outcome === 'resumed') this.unparkHere(id);
    const place: RedisPlace = { ...info, room, order, nonce, resumeUntil };
    // Taken back through this very node while its old connection is still attached here (on another
    // node the script tells that node): the old connection ends, as the memory store does.
    const previous = this.local.get(id);
    if (previous && previous !== connection) {
      previous.place = null;
      previous.close(4000, 'resumed elsewhere');
    }
    this.local.set(id, connection);
    const others = (othersJson === '{}' ? [] : JSON.parse(othersJson)) as Array<PeerInfo & { s: number }>;
    const seated: Seated = { kind: outcome === 'resumed' ? 'resumed' : 'entered', place, peers: others.map(peerInfo), frames };
    return seated;
  }

  async relay(connection: Endpoint, to: PeerId | undefined, frame: string, requestId: RequestId | undefined): Promise<RelayOutcome> {
    // A place only ever comes from the store that made it: here, a RedisPlace.
    const place = connection.place as RedisPlace;
    // Names the hold this signal would start; unique without the cost of randomness per signal.
    const [outcome, started, holdId] = await this.queueSignal(['s', place.room, place.id, to ?? '', frame, `${this.node}:${++this.holds}`]);
    if (outcome === 'not-member') {
      // This node's place is gone from Redis (Redis lost its data): put it back; the client sends again.
      await this.rejoin(connection);
      return 'unavailable';
    }
    if (outcome === 'held' && started === '1' && holdId) this.expireHoldLater(connection, place.room, holdId, requestId);
    // 'away' answers relay frames alone.
    return outcome as RelayOutcome;
  }

  /**
   * Every relay frame goes through Redis, even to a peer on this node: by the same SIGNALS calls and
   * the same stream as the sender's signals, so that a frame never overtakes a signal sent before it
   * (the peers' relay keys travel as signals).
   */
  routeRelay(): 'remote' {
    return 'remote';
  }

  async forwardRelay(connection: Endpoint, to: PeerId, frame: Uint8Array): Promise<'sent' | RelayMiss | 'unavailable'> {
    const place = connection.place as RedisPlace;
    this.relayBytesQueued += frame.byteLength;
    const [outcome] = await this.queueSignal(['r', place.room, place.id, to, frame, '']);
    if (outcome === 'delivered') return 'sent';
    if (outcome === 'unknown-peer' || outcome === 'away') return outcome;
    if (outcome === 'not-member') await this.rejoin(connection);
    return 'unavailable';
  }

  /** Queues one signal for this turn's SIGNALS call, and resolves with its reply. */
  private queueSignal(args: SignalArgs): Promise<SignalReply> {
    return new Promise((resolve, reject) => {
      // At the end of this turn of the event loop (its I/O callbacks: the reads of every client), so that
      // the signals of all the clients that sent at once go in one call.
      if (this.signals.length === 0) setImmediate(() => this.flushSignals());
      this.signals.push({ args, resolve, reject });
      if (this.signals.length >= SIGNAL_BATCH || this.relayBytesQueued >= RELAY_BATCH_BYTES) this.flushSignals();
    });
  }

  /**
   * Sends the signals queued so far in one script call. Every other script call flushes them first
   * (through {@link scripts}), so Redis runs each node's commands in the order its clients sent them:
   * a signal, then a leave, never the other way round.
   */
  private flushSignals(): void {
    const batch = this.signals;
    if (batch.length === 0) return;
    this.signals = [];
    this.relayBytesQueued = 0;
    const { holdTtlMs, holdMaxSignals, holdMaxBytes } = this.config;
    // ioredis sends a Uint8Array argument as it is: relay frames cross binary-safe.
    const sent = (this.redis.ibSignals as (...args: Array<string | number | Uint8Array>) => Promise<unknown>)(
      ...this.base(),
      holdTtlMs,
      holdMaxSignals,
      holdMaxBytes,
      ...this.queueLimits(),
      this.node,
      ...batch.flatMap((signal) => signal.args),
    ) as Promise<string[]>;
    sent.then(
      (replies) => {
        batch.forEach((signal, i) => {
          signal.resolve([replies[3 * i] as SignalReply[0], replies[3 * i + 1] ?? '', replies[3 * i + 2] ?? '']);
        });
      },
      (error: unknown) => {
        for (const signal of batch) signal.reject(error);
      },
    );
  }

  /** The connection that runs the scripts, once the signals queued before this call have gone out. */
  private scripts(): Scripted {
    this.flushSignals();
    return this.redis;
  }

  private expireHoldLater(connection: Endpoint, room: string, holdId: string, requestId: RequestId | undefined): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(
        (this.scripts().ibHoldExpire(...this.base(), room, holdId) as Promise<number>).then((count) => {
          if (count > 0) this.events.holdExpired(connection, requestId, count);
        }),
      );
    }, this.config.holdTtlMs);
    timer.unref();
    this.timers.add(timer);
  }

  leave(connection: Endpoint, place: Place, reason: LeaveReason): void {
    if (this.local.get(place.id) === connection) this.local.delete(place.id);
    this.track(this.remove(place.room, place.id, reason));
  }

  park(connection: Endpoint, place: Place, reason: Exclude<LeaveReason, 'left'>, release: () => void): void {
    if (this.local.get(place.id) === connection) this.local.delete(place.id);
    // The place counts against its address on this node until it is taken back here, or for the grace.
    const timer = setTimeout(() => this.unparkHere(place.id), this.config.resumeGraceMs);
    timer.unref();
    this.parkedHere.get(place.id)?.release();
    this.parkedHere.set(place.id, {
      place: place as RedisPlace,
      graceEnd: Date.now() + this.config.resumeGraceMs,
      reason,
      release: () => {
        clearTimeout(timer);
        this.parkedHere.delete(place.id);
        release();
      },
    });
    this.track(
      (async () => {
        const parked = (await this.scripts().ibPark(
          ...this.base(),
          place.room,
          place.id,
          this.node,
          Date.now() + this.config.resumeGraceMs,
          reason,
          this.config.maxParked,
        )) as number;
        // The cluster keeps as many parked places as it may: this one goes at once.
        if (parked === -1) {
          this.unparkHere(place.id);
          await this.remove(place.room, place.id, reason);
        }
      })(),
    );
  }

  private unparkHere(id: string): void {
    this.parkedHere.get(id)?.release();
  }

  private async remove(room: string, id: string, reason: LeaveReason): Promise<void> {
    const frame = encode({ type: 'peer-left', peerId: id, reason });
    if (await this.scripts().ibLeave(...this.base(), room, id, frame, ...this.queueLimits())) this.events.left(room, id, reason);
  }

  /**
   * Reads this node's deliveries, in order, for as long as the store runs; survives Redis restarts.
   *
   * Through a consumer group (NOACK: no pending list), so that Redis itself records how far the node
   * has read, in the same command that reads: what a peer resuming elsewhere, or the node that finds
   * this one dead, takes over is what comes after that position. The stream is trimmed of what was
   * read at the heartbeat, not after every read: a trim per read cost a second command, and a second
   * wake-up of this node, for every signal (issue 10 §1, cross-node latency).
   */
  private async readLoop(): Promise<void> {
    const stream = this.stream;
    let grouped = false;
    while (!this.closed) {
      // Read as bytes: relay frames are binary (signals are decoded as UTF-8 in `receive`, as ioredis would).
      let batch: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      try {
        // Made again after Redis lost it (restarted empty) or another node took this one for dead:
        // from the stream's start, which then holds only what came since.
        if (!grouped) {
          await this.reader.xgroup('CREATE', stream, READ_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
            if (!error.message.includes('BUSYGROUP')) throw error;
          });
          grouped = true;
        }
        batch = (await this.reader.xreadgroupBuffer(
          'GROUP',
          READ_GROUP,
          this.node,
          'COUNT',
          READ_BATCH,
          'BLOCK',
          1000,
          'NOACK',
          'STREAMS',
          stream,
          '>',
        )) as typeof batch;
      } catch (error) {
        grouped = false;
        if (!this.closed && !(error as Error).message.includes('NOGROUP')) await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      for (const [, entries] of batch ?? []) {
        for (const [entryId, fields] of entries) {
          this.lastId = entryId.toString('latin1');
          this.receive(fields);
        }
      }
    }
  }

  private receive(fields: Buffer[]): void {
    const entry: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) entry[(fields[i] as Buffer).toString('latin1')] = fields[i + 1] as Buffer;
    const target = entry.t?.toString('utf8');
    if (target === undefined) return;
    const connection = this.local.get(target);
    if (entry.r !== undefined) {
      this.relayArrived(connection, entry.r, entry.n?.toString('utf8') ?? '', entry.p?.toString('utf8') ?? '');
      return;
    }
    if (entry.k !== undefined) {
      // The peer resumed on another node while this one still had its connection: end that connection.
      if (connection) {
        connection.place = null;
        this.local.delete(target);
        connection.close(4000, 'resumed elsewhere');
      }
      return;
    }
    if (entry.f === undefined) return;
    const frame = entry.f.toString('utf8');
    if (connection?.isOpen) connection.sendFrame(frame);
    else this.track(this.scripts().ibReroute(...this.base(), target, frame, this.node, ...this.queueLimits()));
  }

  /**
   * A relay frame for a peer of this node. One whose peer has just dropped is not rerouted to a
   * resume queue, which holds no relay bytes: the peers' end-to-end stream breaks there anyway (its
   * counters see the gap) and their relay starts again.
   */
  private relayArrived(connection: Endpoint | undefined, frame: Buffer, senderNode: string, senderId: string): void {
    this.relayBytesRead += frame.byteLength;
    if (this.relayBytesRead >= TRIM_AFTER_RELAY_BYTES) {
      this.relayBytesRead = 0;
      const handled = this.lastId;
      this.trimmedTo = handled;
      this.track(this.redis.xtrim(this.stream, 'MINID', nextId(handled)));
    }
    if (!connection?.isOpen) return;
    const sender = this.local.get(senderId) ?? null;
    this.events.relayArrived(connection, frame, sender, (refusal) => {
      if (sender) sender.sendFrame(refusal);
      else if (senderNode !== '')
        this.track(this.redis.xadd(`${PREFIX}node:${senderNode}:s`, 'MAXLEN', '~', 100_000, '*', 't', senderId, 'f', refusal));
    });
  }

  /** Every second: say this node is alive; park the peers of nodes that stopped saying so; end expired places. */
  private tick(): void {
    // One round at a time: with Redis slow, rounds must not pile up.
    if (this.redis.status !== 'ready' || this.ticking) return;
    this.ticking = true;
    const now = Date.now();
    this.track(
      (async () => {
        await this.redis.zadd(`${PREFIX}nodes`, now, this.node);
        // What this node has read leaves its stream (the group's position already tells it apart).
        if (this.lastId !== this.trimmedTo) {
          const handled = this.lastId;
          await this.redis.xtrim(this.stream, 'MINID', nextId(handled));
          this.trimmedTo = handled;
        }
        const [parked, bytes, epoch] = await this.redis.mget(`${PREFIX}count:parked`, `${PREFIX}count:bytes`, `${PREFIX}epoch`);
        this.parkedCount = Number(parked ?? 0);
        this.queuedBytes = Number(bytes ?? 0);
        // Flushed (or restarted empty between two heartbeats, unseen): the same recovery as a reconnect.
        if (epoch !== this.epoch && this.everReady) await this.recover(epoch === null ? 'redis lost its data' : 'the cluster recovered');
        const dead = await this.redis.zrangebyscore(`${PREFIX}nodes`, '-inf', now - this.config.nodeTimeoutMs);
        for (const node of dead) {
          const parked = (await this.scripts().ibNodeDown(
            ...this.base(),
            node,
            now + this.config.resumeGraceMs,
            ...this.queueLimits(),
          )) as number;
          if (parked > 0)
            this.log.warn({ event: 'node-down', node, peers: parked }, 'a node stopped answering: its peers may resume elsewhere');
        }
        // Every place whose grace is over goes now, however many: the caps bound how many there can be,
        // and a reaper that took a fixed number a second fell behind a churn faster than that.
        const started = performance.now();
        for (let looked = REAP_BATCH; looked === REAP_BATCH && performance.now() - started < REAP_BUDGET_MS; ) {
          const [count, ...removed] = (await this.scripts().ibReap(...this.base(), now, REAP_BATCH, ...this.queueLimits())) as [
            number,
            ...string[],
          ];
          looked = count;
          for (let i = 0; i + 2 < removed.length; i += 3) {
            this.events.left(removed[i] as string, removed[i + 1] as string, removed[i + 2] as LeaveReason);
          }
        }
      })().finally(() => {
        this.ticking = false;
      }),
    );
  }

  /** Redis is (back) up: after a loss, put this node's peers back, in case Redis restarted empty. */
  private onReady(): void {
    // Known as alive from the first moment: a node that dies before its first heartbeat is still found.
    this.track(this.redis.zadd(`${PREFIX}nodes`, Date.now(), this.node));
    if (!this.everReady) {
      this.everReady = true;
      return;
    }
    this.track(this.recover('redis is back'));
  }

  /**
   * Redis came back, or was found without the cluster's epoch (restarted empty, or flushed under a live
   * connection): this node puts back what it holds — its attached peers, and the places it parked,
   * parked again for the rest of their grace — and offers its resume key. Restored peers and those
   * already there are told of each other (a duplicate `peer-joined` is harmless; a missing one left two
   * peers in one room unaware of each other).
   */
  private async recover(why: string): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    try {
      this.log.info(
        { event: 'redis', state: 'recovering', why, peers: this.local.size, parked: this.parkedHere.size },
        `${why}: restoring this node's peers`,
      );
      await this.redis.set(`${PREFIX}epoch`, randomBytes(9).toString('base64url'), 'NX');
      this.epoch = await this.redis.get(`${PREFIX}epoch`);
      // An emptied Redis forgot the cluster's resume key: this node offers the one it uses.
      if (this.resumeSecret !== null && this.config.resumeSecret === null)
        await this.redis.set(`${PREFIX}resume-secret`, this.resumeSecret, 'NX');
      await this.redis.zadd(`${PREFIX}nodes`, Date.now(), this.node);
      for (const connection of [...this.local.values()]) await this.rejoin(connection);
      for (const { place, graceEnd, reason } of [...this.parkedHere.values()]) {
        if (graceEnd > Date.now()) await this.restore(place, { graceEnd, reason });
      }
    } finally {
      this.recovering = false;
    }
  }

  private async rejoin(connection: Endpoint): Promise<void> {
    const place = connection.place as RedisPlace | null;
    if (!place) return;
    const others = await this.restore(place);
    // The peers it had not been told of (joined while Redis was away), or all of them again.
    for (const peer of others) if (connection.place === place) connection.sendFrame(encode({ type: 'peer-joined', peer: peerInfo(peer) }));
  }

  /** Puts a place back into Redis (attached to this node, or parked until `parked.graceEnd`). → the others in its room. */
  private async restore(place: RedisPlace, parked?: { graceEnd: number; reason: LeaveReason }): Promise<Array<PeerInfo & { s: number }>> {
    const record = JSON.stringify({
      s: place.order,
      g: place.nonce,
      ...(place.name === undefined ? {} : { nm: place.name }),
      ...(place.role === undefined ? {} : { ro: place.role }),
    });
    const others = (await this.scripts().ibRejoin(
      ...this.base(),
      place.room,
      place.id,
      this.node,
      record,
      parked ? 'parked' : 'on',
      parked?.graceEnd ?? 0,
      parked?.reason ?? '',
      encode({ type: 'peer-joined', peer: peerInfo(place) }),
      ...this.queueLimits(),
    )) as string;
    return others === '{}' ? [] : (JSON.parse(others) as Array<PeerInfo & { s: number }>);
  }

  /** Runs a Redis task in the background; a failure (Redis away) is logged, never thrown at a socket handler. */
  private track(task: Promise<unknown>): void {
    const tracked = task.catch((error: unknown) =>
      this.log.warn({ event: 'redis-error', error: (error as Error).message }, 'redis command failed'),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private base(): [string] {
    return [PREFIX];
  }

  /** A resume queue holds as much as a hold; all holds and queues together, `maxQueuedBytes`. */
  private queueLimits(): [number, number, number] {
    return [this.config.holdMaxSignals, this.config.holdMaxBytes, this.config.maxQueuedBytes];
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const timer of this.timers) clearTimeout(timer);
    for (const parked of [...this.parkedHere.values()]) parked.release();
    await Promise.allSettled([...this.pending]);
    if (this.redis.status === 'ready') {
      // Gone on purpose: other nodes need not wait for this one's heartbeat to stop. Its peers are
      // parked (free to resume elsewhere) and what it had not read goes on to them, as for a dead node.
      await this.scripts()
        .ibNodeDown(...this.base(), this.node, Date.now() + this.config.resumeGraceMs, ...this.queueLimits())
        .catch(() => {});
    }
    this.reader.disconnect();
    this.redis.disconnect();
    await this.reading;
  }
}

/** The smallest stream id after `id` ("ms-seq"). */
function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq) + 1}`;
}

/** Where a client connects, without its password, for messages. */
function redactUrl(redis: Redis): string {
  const { host, port } = redis.options;
  return `${host ?? '?'}:${port ?? '?'}`;
}

/** What a node knows of a place it holds: the place, and its join order (to put it back as it was). */
interface RedisPlace extends Place {
  readonly order: number;
}
