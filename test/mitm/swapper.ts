import type { SignalData } from '@icebreaker/protocol';
import type { WebSocket } from 'ws';
import { log } from './log.js';
import { type Payload, SignalLeg } from './signal-leg.js';
import { SwapPair } from './swap-pair.js';
import { linkCloses } from './upstream.js';

type Json = Record<string, unknown>;

/** One client's WebSocket through the man in the middle, and what it learnt of the client's room. */
class Client {
  peerId: string | undefined;
  iceServers: RTCIceServer[] = [];
  /** The other peers of its room, as the server told it. */
  readonly others = new Set<string>();
  /** Signals it sent while alone (no `to`): the server would hold them for the next peer; so does this. */
  readonly held: Array<{ seq: number | undefined; data: SignalData }> = [];

  constructor(
    readonly ws: WebSocket,
    readonly upstream: WebSocket,
  ) {}
}

/**
 * `swap` mode: every `signal` a client sends ends here, never at the server. Each pair of clients gets
 * a {@link SwapPair} when one of them offers; every other frame goes through as it came, but for
 * `welcome`, which loses its `relay` (so that no data takes the relay through the server: swapping
 * relay keys is tested separately, in the lead's unit tests), and the server's own `signal`s, which
 * cannot come (no client's signal reaches it) and are dropped if they do.
 *
 * Legs and pairs belong to peer ids, not to WebSockets: a client whose connection dropped and that
 * resumed its id (a new WebSocket) finds its legs again, and the channels bridged meanwhile carry on,
 * as they do without anyone in the middle. They end when the server reports the peer gone.
 */
export class Swapper {
  private readonly clients = new Map<string, Client>();
  private readonly waiting = new Map<string, Array<(client: Client) => void>>();
  /** By `self>as`. */
  private readonly legs = new Map<string, SignalLeg>();
  /** By the two peer ids, sorted. */
  private readonly pairs = new Map<string, SwapPair>();

  /** Takes over one client's WebSocket and its upstream one. */
  attach(ws: WebSocket, upstream: WebSocket): void {
    const client = new Client(ws, upstream);
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? null : parse(data.toString());
      if (frame?.type === 'signal' && isSignalData(frame.data)) this.fromClient(client, frame);
      else upstream.send(data, { binary: isBinary });
    });
    upstream.on('message', (data, isBinary) => {
      const frame = isBinary ? null : parse(data.toString());
      if (frame) this.fromServer(client, frame, data.toString());
      else ws.send(data, { binary: isBinary });
    });
    linkCloses(ws, upstream);
    ws.on('close', () => this.detach(client));
  }

  private fromServer(client: Client, frame: Json, text: string): void {
    switch (frame.type) {
      case 'welcome':
        this.welcome(client, frame);
        return;
      case 'peer-joined': {
        client.ws.send(text);
        const id = String((frame.peer as Json | undefined)?.id);
        client.others.add(id);
        // Told after the client has heard of the peer: the acks come "from" it, and the client binds
        // its waiting offer to the first peer it hears of.
        for (const { seq, data } of client.held.splice(0)) this.leg(client.peerId ?? '', id).receive(seq, data);
        return;
      }
      case 'peer-left': {
        client.ws.send(text);
        const id = String(frame.peerId);
        client.others.delete(id);
        if (client.peerId !== undefined) this.forget(client.peerId, id);
        return;
      }
      case 'signal':
        log({ dropped: 'server signal', peer: client.peerId });
        return;
      default:
        client.ws.send(text);
    }
  }

  private welcome(client: Client, frame: Json): void {
    const id = String(frame.peerId);
    client.peerId = id;
    client.iceServers = Array.isArray(frame.iceServers) ? (frame.iceServers as RTCIceServer[]) : [];
    for (const peer of (frame.peers as Array<{ id: string }> | undefined) ?? []) client.others.add(peer.id);
    if ('relay' in frame) log({ stripped: 'relay', peer: id });
    const { relay: _relay, ...rest } = frame;
    client.ws.send(JSON.stringify(rest));
    this.clients.set(id, client);
    for (const resolve of this.waiting.get(id) ?? []) resolve(client);
    this.waiting.delete(id);
    // Resumed: what this side sent into the outage goes again, as the client's own link does.
    if (frame.resumed === true) for (const leg of this.legs.values()) if (leg.self === id) leg.link.resend();
  }

  private fromClient(client: Client, frame: Json): void {
    const seq = typeof frame.seq === 'number' ? frame.seq : undefined;
    const data = frame.data as SignalData;
    const to = typeof frame.to === 'string' ? frame.to : client.others.size === 1 ? [...client.others][0] : undefined;
    if (to !== undefined && client.peerId !== undefined) this.leg(client.peerId, to).receive(seq, data);
    else if (client.others.size === 0) client.held.push({ seq, data });
    // Several peers and no `to`: the server's own error is the right answer.
    else client.upstream.send(JSON.stringify(frame));
  }

  /** The leg that poses as `as` to `self`, made on first use. */
  private leg(self: string, as: string): SignalLeg {
    const key = `${self}>${as}`;
    let leg = this.legs.get(key);
    if (!leg) {
      leg = new SignalLeg(
        () => this.clients.get(self)?.ws,
        self,
        as,
        (from, data) => this.payload(from, data),
      );
      this.legs.set(key, leg);
    }
    return leg;
  }

  /** A signal a client sent one peer, in order, once: the man in the middle acts on it. */
  private payload(leg: SignalLeg, data: Payload): void {
    const key = pairKey(leg.self, leg.as);
    const pair = this.pairs.get(key);
    const gen = 'gen' in data ? (data.gen ?? 0) : 0;
    if (data.kind === 'description' && data.description.type === 'offer' && (!pair || gen > pair.gen)) {
      // A first offer, or one of a new peer connection between the two: a fresh pair. (An ICE restart
      // of the same one, gen unchanged, is not supported: it goes to the pair, which ignores it.)
      pair?.close();
      const other = this.client(leg.as).then((client) => ({ leg: this.leg(leg.as, leg.self), iceServers: client.iceServers }));
      this.pairs.set(key, new SwapPair(leg, this.clients.get(leg.self)?.iceServers ?? [], other, gen, data));
      return;
    }
    if (data.kind === 'description' || data.kind === 'candidate') {
      if (pair && gen === pair.gen) pair.signal(leg, data);
      return;
    }
    if (data.kind === 'end-of-candidates') return;
    // A relay key (whose proof goes on as it came), a request for a new peer connection: to the other client.
    this.leg(leg.as, leg.self).send(data);
  }

  /** The client whose peer id is `id`, once its welcome has gone through here. */
  private client(id: string): Promise<Client> {
    const known = this.clients.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => this.waiting.set(id, [...(this.waiting.get(id) ?? []), resolve]));
  }

  /** `a` and `b` are no longer in a room together: their pair and legs go. */
  private forget(a: string, b: string): void {
    const key = pairKey(a, b);
    this.pairs.get(key)?.close();
    this.pairs.delete(key);
    for (const directed of [`${a}>${b}`, `${b}>${a}`]) {
      this.legs.get(directed)?.dispose();
      this.legs.delete(directed);
    }
  }

  /**
   * The client's WebSocket closed. Its pairs stay while the peer on the other side is here to be told
   * (`peer-left`, after the server's resume grace) and the client may come back; with nobody on the
   * other side either, nobody will say so: they go now.
   */
  private detach(client: Client): void {
    const id = client.peerId;
    if (id === undefined || this.clients.get(id) !== client) return;
    this.clients.delete(id);
    for (const leg of [...this.legs.values()]) if (leg.self === id && !this.clients.has(leg.as)) this.forget(id, leg.as);
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

function parse(text: string): Json | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

/** Enough of a signal's data to act on; anything else goes to the server, whose error is the answer. */
function isSignalData(data: unknown): data is SignalData {
  return typeof data === 'object' && data !== null && typeof (data as Json).kind === 'string';
}
