import {
  CHUNK_BYTES,
  decodeSenderControl,
  encodeTransferControl,
  type PeerId,
  TRANSFER_HASH,
  type TransferGroup,
  type TransferInfo,
} from '@icebreaker/protocol';
import type { ChannelLike } from './channel-like.js';
import { IncomingTransfer } from './incoming-transfer.js';
import { type FileSource, OutgoingTransfer, type SendFileOptions } from './outgoing-transfer.js';
import { closeLater, opened, parseOpening } from './transfer.js';
import type { TransferStore } from './transfer-sink.js';

/** Options of the room's file transfers (`connect(url, { transfers })`). */
export interface TransferOptions {
  /**
   * Where incoming files go when the application names no sink, and where partial files are kept
   * for a resume across restarts: `opfsStore()` in a browser, a directory store in Node. Without
   * one, files are collected in memory and resume only while this room lives.
   */
  readonly store?: TransferStore;
  /** How long an interrupted transfer waits for a resume before it fails (1 s to 7 days, default 10 min). */
  readonly resumeWithinMs?: number;
}

/**
 * Files one peer may send at once (receiving, not interrupted); more are declined with `cancel`. Each
 * holds up to two windows of chunks in memory before they are stored; 16 files is more than any
 * batch sends at once (3).
 */
export const MAX_INCOMING_PER_PEER = 16;

/** The default wait for a resume. */
export const RESUME_WITHIN_MS = 10 * 60 * 1000;

/** What the registry needs from a peer connection. */
export interface TransferPort {
  readonly id: PeerId;
  /** Whether the main channel is open (a transfer channel can be opened). */
  readonly isOpen: boolean;
  /** Whether this connection is over for good (a new one may replace it). */
  readonly closed: boolean;
  openTransferChannel(): ChannelLike;
  frameBytes(): number;
  /** Emits the `transfer` event of a new incoming file. */
  announce(transfer: IncomingTransfer): void;
}

/** A file transfer of the room, either way. */
export type AnyTransfer = IncomingTransfer | OutgoingTransfer;

/** A random transfer id: it is how a resume finds the transfer, so it must not be guessable. */
function transferId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The room's file transfers, in both directions. They belong to the room rather than to one peer
 * connection: a transfer interrupted on one connection resumes on the next one to the same peer
 * (after an ICE failure, a reload, a restart), which the receiver asks for by id.
 */
export class TransferRegistry {
  private readonly outgoing = new Map<string, OutgoingTransfer>();
  private readonly incoming = new Map<string, IncomingTransfer>();
  /** The peer each transfer runs with now. */
  private readonly ports = new Map<AnyTransfer, TransferPort>();
  /** Which peers were asked to resume a transfer since it was last interrupted. */
  private readonly asked = new Map<string, Set<TransferPort>>();
  /** The peers whose main channel is open. */
  private readonly open = new Set<TransferPort>();
  /** The connection each batch (group id) last ran on; kept while the room lives (a few bytes each). */
  private readonly groups = new Map<string, TransferPort>();
  /** Outgoing transfers whose connection was not open when they were to start. */
  private readonly unstarted = new Set<OutgoingTransfer>();
  private readonly host;
  private closed = false;

  constructor(private readonly options: TransferOptions = {}) {
    const resumeWithinMs = options.resumeWithinMs ?? RESUME_WITHIN_MS;
    this.host = {
      resumeWithinMs,
      store: options.store,
      forget: (id: string) => {
        for (const map of [this.outgoing, this.incoming] as const) {
          const transfer = map.get(id);
          if (transfer?.finished) {
            map.delete(id);
            this.ports.delete(transfer);
          }
        }
        this.asked.delete(id);
      },
    };
  }

  /** Every transfer not yet done, failed or cancelled. */
  get list(): readonly AnyTransfer[] {
    return [...this.outgoing.values(), ...this.incoming.values()];
  }

  /** Starts sending `file` to `port`. */
  send(port: TransferPort, file: FileSource, options: SendFileOptions & { readonly group?: TransferGroup }): OutgoingTransfer {
    const info: TransferInfo = {
      id: transferId(),
      name: options.name ?? file.name ?? 'file',
      size: file.size,
      type: file.type ?? '',
      chunk: CHUNK_BYTES,
      hash: TRANSFER_HASH,
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.group === undefined ? {} : { group: options.group }),
    };
    const transfer: OutgoingTransfer = new OutgoingTransfer(info, file, options, this.host, (): number =>
      (this.ports.get(transfer) ?? port).frameBytes(),
    );
    if (transfer.finished) return transfer;
    this.outgoing.set(info.id, transfer);
    this.ports.set(transfer, port);
    this.start(transfer, port);
    return transfer;
  }

  /**
   * Starts `transfer` on `port`, or on the connection that replaced it (same peer id). With none open
   * (the receiver dropped between the files of a batch, or before the first), it waits, interrupted:
   * it starts when that peer connects again, or on the connection of a receiver that asks to resume
   * another file of its group (a receiver that restarted under a new id), or fails in time.
   */
  private start(transfer: OutgoingTransfer, port: TransferPort): void {
    // A connection not open yet takes channels already; one that closed is replaced by the next one.
    const live = port.closed ? (this.replacement(port) ?? this.groupPort(transfer)) : port;
    let channel: ChannelLike | null = null;
    if (live) {
      try {
        channel = live.openTransferChannel();
      } catch {
        // The connection closed under us: wait as if it had been closed already.
      }
    }
    if (!live || !channel) {
      this.unstarted.add(transfer);
      transfer.interrupt(0);
      return;
    }
    this.unstarted.delete(transfer);
    this.ports.set(transfer, live);
    this.carried(transfer, live);
    void transfer.run(channel);
  }

  /** The open connection to the peer of `port`, which closed. */
  private replacement(port: TransferPort): TransferPort | undefined {
    return [...this.open].find((open) => open.id === port.id && !open.closed);
  }

  /** The live connection that last carried a file of `transfer`'s batch (its receiver may have restarted under a new id). */
  private groupPort(transfer: OutgoingTransfer): TransferPort | undefined {
    const group = transfer.info.group?.id;
    const port = group === undefined ? undefined : this.groups.get(group);
    return port?.closed ? undefined : port;
  }

  /** `transfer` runs on `port`: the next files of its batch go there too. */
  private carried(transfer: OutgoingTransfer, port: TransferPort): void {
    const group = transfer.info.group?.id;
    if (group !== undefined) this.groups.set(group, port);
  }

  /**
   * Starts the transfers waiting for a connection that `port` can carry: those not started, to the
   * same peer; and, for a receiver that restarted under a new id and asked for one file of `group`, the
   * batch's other files, unstarted or interrupted (it may not have stored a byte of them, and so
   * would never ask for them).
   */
  private startWaiting(port: TransferPort, group?: string): void {
    for (const transfer of [...this.unstarted]) {
      if (transfer.finished) this.unstarted.delete(transfer);
      else if (this.ports.get(transfer)?.id === port.id || (group !== undefined && transfer.info.group?.id === group))
        this.start(transfer, port);
    }
    if (group === undefined) return;
    for (const transfer of this.outgoing.values())
      if (transfer.state === 'interrupted' && transfer.info.group?.id === group && this.ports.get(transfer)?.closed)
        this.start(transfer, port);
  }

  /** A transfer channel the other side opened: its first message says what it is for. */
  adopt(port: TransferPort, channel: ChannelLike): void {
    firstMessage(channel, (data) => {
      const opening = parseOpening(data);
      if ('head' in opening) this.head(port, channel, opening.head, 'the sender picked the file again');
      else if ('resume' in opening) this.resume(port, channel, opening.resume);
      else channel.close();
    });
  }

  /** A peer's main channel opened: ask it to resume the transfers waiting for one. */
  peerOpened(port: TransferPort): void {
    this.open.add(port);
    void this.askAll(port);
    this.startWaiting(port);
  }

  /** A peer connection closed: what ran on it is interrupted (its channels may never say so). */
  peerClosed(port: TransferPort): void {
    this.open.delete(port);
    for (const [transfer, on] of this.ports) if (on === port) transfer.interrupt();
  }

  /**
   * Asks every connected peer again to resume every interrupted transfer and every partial the store
   * keeps (a peer is otherwise asked once per connection: one that answered `unknown` may since have
   * had its file picked again).
   */
  resumeAll(): void {
    this.asked.clear();
    for (const port of this.open) void this.askAll(port);
  }

  /** The room closed: nothing can resume any more. */
  close(): void {
    this.closed = true;
    for (const transfer of this.list) transfer.giveUp('the room was closed');
  }

  /** The `head` of a file arrived, on a channel the sender opened or in answer to our `resume`. */
  private head(port: TransferPort, channel: ChannelLike, info: TransferInfo, why: string): void {
    const known = this.incoming.get(info.id);
    if (known && !known.finished) {
      this.ports.set(known, port);
      void known.run(channel, false, 'the connection dropped and came back');
      return;
    }
    const same = this.sameFile(info);
    if (same) {
      // The sender lost the transfer (a reload, a restart) and picked the same file again: what was
      // received goes on under the new id, once the proof at the start shows the chunks match.
      this.incoming.delete(same.info.id);
      same.rekey(info);
      this.incoming.set(info.id, same);
      this.ports.set(same, port);
      void same.run(channel, false, 'the sender picked the same file again');
      return;
    }
    const running = [...this.incoming.values()].filter(
      (t) => !t.finished && t.state !== 'interrupted' && this.ports.get(t)?.id === port.id,
    );
    if (running.length >= MAX_INCOMING_PER_PEER) {
      // Each transfer holds up to a window of chunks: a peer opening hundreds at once would hold that many.
      channel.send(
        encodeTransferControl({ t: 'cancel', reason: `too many files at once: at most ${MAX_INCOMING_PER_PEER} from one peer` }),
      );
      closeLater(channel);
      return;
    }
    const transfer = new IncomingTransfer(info, this.host);
    this.incoming.set(info.id, transfer);
    this.ports.set(transfer, port);
    transfer.on('state', (state) => {
      if (state === 'interrupted') this.interrupted(transfer);
    });
    // Run first: its channel is in place when the application's listeners run (they may cancel).
    void transfer.run(channel, true, `a partial file was kept from before (${why})`);
    port.announce(transfer);
  }

  /** An interrupted incoming transfer of the same file (name, size, chunk size, path) as `info`. */
  private sameFile(info: TransferInfo): IncomingTransfer | undefined {
    for (const transfer of this.incoming.values()) {
      const { name, size, chunk, path } = transfer.info;
      if (transfer.state === 'interrupted' && name === info.name && size === info.size && chunk === info.chunk && path === info.path)
        return transfer;
    }
    return undefined;
  }

  /** The receiver asks for transfer `id` again. */
  private resume(port: TransferPort, channel: ChannelLike, id: string): void {
    const transfer = this.outgoing.get(id);
    if (!transfer || transfer.finished) {
      channel.send(encodeTransferControl({ t: 'unknown' }));
      closeLater(channel);
      return;
    }
    this.ports.set(transfer, port);
    this.carried(transfer, port);
    void transfer.run(channel);
    // A receiver that restarted (a new id) asked for one file of a batch: the batch's files that had
    // not started yet go to it too.
    const group = transfer.info.group?.id;
    if (group !== undefined) this.startWaiting(port, group);
  }

  /** An incoming transfer was interrupted: ask its peer again if that connection still stands. */
  private interrupted(transfer: IncomingTransfer): void {
    this.asked.delete(transfer.info.id);
    const port = this.ports.get(transfer);
    if (port?.isOpen) void this.ask(port, transfer.info.id);
  }

  /** Asks `port` to resume every interrupted transfer, and every partial the store keeps. */
  private async askAll(port: TransferPort): Promise<void> {
    for (const transfer of this.incoming.values()) if (transfer.state === 'interrupted') void this.ask(port, transfer.info.id);
    const store = this.options.store;
    if (!store) return;
    let partials: Awaited<ReturnType<TransferStore['list']>>;
    try {
      partials = await store.list();
    } catch {
      return;
    }
    for (const partial of partials) if (!this.incoming.has(partial.info.id)) void this.ask(port, partial.info.id);
  }

  /** Opens a channel to `port` and asks for transfer `id`; its sender answers with the `head`, or `unknown`. */
  private async ask(port: TransferPort, id: string): Promise<void> {
    if (this.closed || !port.isOpen) return;
    const asked = this.asked.get(id) ?? new Set<TransferPort>();
    if (asked.has(port)) return;
    asked.add(port);
    this.asked.set(id, asked);
    const channel = port.openTransferChannel();
    firstMessage(channel, (data) => {
      const answer = decodeSenderControl(data);
      if (answer.ok && answer.value.t === 'head' && answer.value.id === id) {
        const { t: _, ...info } = answer.value;
        this.head(port, channel, info, 'the receiver asked for it again');
      } else channel.close();
    });
    try {
      await opened(channel);
    } catch {
      return;
    }
    channel.send(encodeTransferControl({ t: 'resume', id }));
  }
}

/**
 * Calls `handle` with the first message of `channel` only. Removed by hand: @roamhq/wrtc's
 * EventTarget ignores `{ once: true }`, and every later message (the file's bytes) would land here too.
 */
function firstMessage(channel: ChannelLike, handle: (data: unknown) => void): void {
  const listener = (event: Event): void => {
    channel.removeEventListener('message', listener);
    handle((event as MessageEvent).data);
  };
  channel.addEventListener('message', listener);
}
