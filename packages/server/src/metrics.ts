import type { ErrorCode, SignalData } from '@icebreaker/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Why a connection was turned away before or after its upgrade: the `reason` label of `rejected`. */
export type RejectionReason =
  | 'bad-request'
  | 'not-found'
  | 'origin'
  | 'capacity'
  | 'per-ip'
  | 'draining'
  | 'unavailable'
  | 'join-deadline'
  | 'frame-too-large'
  | 'rate-limit'
  | 'slow-consumer';

/** What the metrics read from the live server when scraped. */
export interface LiveCounts {
  readonly connections: number;
  readonly rooms: number;
  readonly peers: number;
  /** Places kept for a resume (with Redis: the cluster's, as of the node's last heartbeat). */
  readonly parked: number;
  /** Bytes of held and queued signals (with Redis: the cluster's, as of the node's last heartbeat). */
  readonly queuedBytes: number;
  /** Relayed bytes this node holds, written and not yet taken by the receivers' kernels (see RelayFlow). */
  readonly relayBufferedBytes: number;
}

/**
 * The server's Prometheus metrics, in a registry of its own (two servers in one process, as in the
 * tests, do not share counters). Gauges are read from the live server at scrape time.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly errorCounter: Counter<'code'>;
  private readonly rejectionCounter: Counter<'reason'>;
  private readonly relayLatency: Histogram;
  /**
   * Signals relayed since the last scrape, by kind: plain numbers, added to the counter when it is
   * scraped. prom-client's `inc` validates and hashes its labels on every call, which on the relay
   * path cost as much as a tenth of the work the server does for a signal.
   */
  private readonly relayedSince = new Map<string, number>();
  // A counter's child per label value, kept: looking one up by its labels hashes them on every call.
  private readonly errorChildren = new Map<string, Counter.Internal>();
  /** Relayed bytes since the last scrape: a plain number on the relay's path, as `relayedSince`. */
  private relayBytesSince = 0;
  /** Relays open now (each side's `relay` `open` that has not been followed by `upgraded`, `closed` or its leaving). */
  private relaysOpen = 0;
  private readonly upgradeCounter: Counter;
  private readonly pauseCounter: Counter<'reason'>;

  constructor(live: () => LiveCounts) {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: (counts: LiveCounts) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(live()));
        },
      });
    gauge('icebreaker_connections', 'Open signaling WebSocket connections.', (c) => c.connections);
    gauge('icebreaker_rooms', 'Rooms with at least one peer.', (c) => c.rooms);
    gauge('icebreaker_peers', 'Peers in rooms, including those parked for a resume.', (c) => c.peers);
    gauge('icebreaker_parked_peers', 'Places kept for a resume (bounded by --max-parked).', (c) => c.parked);
    gauge('icebreaker_queued_bytes', 'Bytes of held and queued signals (bounded by --max-queued-bytes).', (c) => c.queuedBytes);
    gauge(
      'icebreaker_relay_buffered_bytes',
      'Relayed bytes held by this node, not yet taken by their receivers (bounded by --relay-max-buffered).',
      (c) => c.relayBufferedBytes,
    );
    gauge(
      'icebreaker_relays_active',
      'Relays open: each side of a pair that said `open` counts one, until `upgraded`, `closed` or it leaves.',
      () => this.relaysOpen,
    );
    const metrics = this;
    new Counter({
      name: 'icebreaker_relayed_bytes_total',
      help: 'Bytes of relay frames forwarded by this node (each crossed the server twice: in, and out to its receiver).',
      registers,
      collect() {
        this.inc(metrics.relayBytesSince);
        metrics.relayBytesSince = 0;
      },
    });
    this.upgradeCounter = new Counter({
      name: 'icebreaker_relay_upgrades_total',
      help: 'Relays a side reported moved to the direct path (`relay` `upgraded`): each side of a pair counts one.',
      registers,
    });
    this.pauseCounter = new Counter({
      name: 'icebreaker_relay_pauses_total',
      help: 'Times a relaying sender was slowed (its socket not read) by a relay limit, by reason: rate, receiver, buffer, store (Redis).',
      labelNames: ['reason'],
      registers,
    });
    const relayedSince = this.relayedSince;
    new Counter({
      name: 'icebreaker_signals_relayed_total',
      help: 'Signals relayed (or held for the next peer), by kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        for (const [kind, count] of relayedSince) this.inc({ kind }, count);
        relayedSince.clear();
      },
    });
    this.errorCounter = new Counter({
      name: 'icebreaker_errors_total',
      help: 'Error messages sent to clients, by code.',
      labelNames: ['code'],
      registers,
    });
    this.rejectionCounter = new Counter({
      name: 'icebreaker_connections_rejected_total',
      help: 'Connections refused at the upgrade or closed by the server for a limit, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.relayLatency = new Histogram({
      name: 'icebreaker_relay_latency_seconds',
      help: 'Time from a signal frame arriving to its relay being written, in seconds.',
      buckets: [0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05],
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'icebreaker_' });
  }

  signalRelayed(kind: SignalData['kind'], seconds: number): void {
    this.relayedSince.set(kind, (this.relayedSince.get(kind) ?? 0) + 1);
    this.relayLatency.observe(seconds);
  }

  /** A relay frame of `bytes` was forwarded. */
  relayed(bytes: number): void {
    this.relayBytesSince += bytes;
  }

  /** `change` relays opened (+1) or ended (−n). */
  relaysChanged(change: number): void {
    this.relaysOpen += change;
  }

  relayUpgraded(): void {
    this.upgradeCounter.inc();
  }

  /** A sender began to wait for `reason`. */
  paused(reason: 'rate' | 'receiver' | 'buffer' | 'store'): void {
    this.pauseCounter.labels(reason).inc();
  }

  errorSent(code: ErrorCode): void {
    child(this.errorChildren, this.errorCounter, code).inc();
  }

  rejected(reason: RejectionReason): void {
    this.rejectionCounter.labels(reason).inc();
  }

  /** The exposition text and its content type, for `GET /metrics`. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

function child<T extends string>(cache: Map<string, Counter.Internal>, counter: Counter<T>, value: string): Counter.Internal {
  let found = cache.get(value);
  if (!found) {
    found = counter.labels(value);
    cache.set(value, found);
  }
  return found;
}
