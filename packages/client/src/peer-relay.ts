import { IcebreakerError } from '@icebreaker/protocol';
import { RelayKeyPair } from './relay-cipher.js';
import { RelayLink, type RelayTransport } from './relay-link.js';
import type { PayloadData } from './signal-link.js';

/** What the room gives a remote peer when the server offers the relay (its `welcome` has `relay`). */
export interface RelayContext {
  /** Sends a sealed payload to this peer as a relay frame. */
  readonly transport: RelayTransport;
  /** Tells the server that the relay to this peer opened, moved to the direct path, or closed. */
  readonly report: (state: 'open' | 'upgraded' | 'closed') => void;
  /** How long ICE may take to connect, or stay down, before the relay carries the data. */
  readonly afterMs: number;
}

/**
 * The relay's half of a remote peer: the key agreement over signaling, and the {@link RelayLink}
 * once both keys are known. Keys are made and exchanged only when one side needs the relay (its ICE
 * has not connected in time): a connection that ICE opens spends nothing on it, and a fallback waits
 * one signaling round trip for the keys.
 */
export class PeerRelay {
  readonly link: RelayLink;
  private keys: Promise<RelayKeyPair> | null = null;
  private keySent = false;
  private agreed = false;
  /** The relay carries this peer's channels now. */
  active = false;

  constructor(
    readonly context: RelayContext,
    odd: boolean,
    signal: (data: PayloadData) => void,
    fail: (error: IcebreakerError) => void,
  ) {
    this.link = new RelayLink(context.transport, odd);
    this.sendKey = () => {
      if (this.keySent) return;
      this.keySent = true;
      this.keyPair().then(
        (keys) => signal({ kind: 'relay-key', key: keys.publicKey }),
        (error: unknown) => fail(asRelayError(error)),
      );
    };
  }

  /** Sends this side's public key to the peer, once: the relay is ready when the peer's has come too. */
  readonly sendKey: () => void;

  /** The peer's `relay-key` signal: agree on the keys (once; a second key is refused), and answer with ours. */
  async agree(remoteKey: string): Promise<void> {
    if (this.agreed) throw new IcebreakerError('relay-failed', 'the peer sent a second relay key');
    this.agreed = true;
    this.sendKey();
    const keys = await this.keyPair();
    this.link.setCipher(await keys.agree(remoteKey));
  }

  private keyPair(): Promise<RelayKeyPair> {
    this.keys ??= RelayKeyPair.generate();
    return this.keys;
  }

  /** Starts carrying data: tells the peer and the server. */
  open(reason: string): void {
    if (this.active) return;
    this.active = true;
    this.link.hello(reason);
    this.context.report('open');
  }

  /** The direct path took over. */
  upgraded(): void {
    if (!this.active) return;
    this.active = false;
    this.context.report('upgraded');
  }

  /** The peer connection is over. */
  close(): void {
    this.link.bye();
    if (this.active) this.context.report('closed');
    this.active = false;
  }
}

function asRelayError(error: unknown): IcebreakerError {
  return error instanceof IcebreakerError
    ? error
    : new IcebreakerError('relay-unavailable', `no relay keys: ${(error as Error).message}`, { cause: error });
}
