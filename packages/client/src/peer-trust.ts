import { IcebreakerError } from '@icebreaker/protocol';
import { sha256 } from './chunk-hash.js';
import { canonicalFingerprint, fingerprintText, sdpFingerprints } from './fingerprint.js';
import { PairingKey } from './pairing-key.js';
import { type SafetyNumber, safetyBytes, safetyDigits } from './safety-number.js';

/** What a {@link PeerTrust} needs of its RemotePeer. */
export interface TrustHost {
  readonly pc: RTCPeerConnection;
  /** The pairing link's secret, when the room has one. */
  readonly secret: string | undefined;
  /** The safety number appeared or changed. */
  safety(number: SafetyNumber): void;
  error(error: IcebreakerError): void;
}

type Checked = SafetyNumber['checked'];

/** How many more times, and how far apart, getStats is asked for the handshake's certificates. */
const STATS_RETRIES = 5;
const STATS_RETRY_MS = 200;

/**
 * One peer connection's side of "trust no server": the proofs of a pairing link's secret, the safety
 * number, and the check that the certificates the DTLS handshake used are the ones the SDPs named.
 */
export class PeerTrust {
  private local = '';
  private remote = '';
  private relayLocal: string | undefined;
  private relayRemote: string | undefined;
  private handshake: SafetyNumber['handshake'];
  private checked: Checked = 'pending';
  private current: SafetyNumber | undefined;
  /** Bumped by each change: a hash finished after a newer change is dropped. */
  private version = 0;
  private checking = false;

  private pairingKey: PairingKey | undefined;

  constructor(private readonly host: TrustHost) {}

  /** The key of the room's secret, made when first needed (the secret may come with a late `bind`). */
  private get pairing(): PairingKey | undefined {
    const secret = this.host.secret;
    if (secret === undefined) return undefined;
    this.pairingKey ??= new PairingKey(secret);
    return this.pairingKey;
  }

  /** The safety number, once both descriptions are in place. */
  get number(): SafetyNumber | undefined {
    return this.current;
  }

  /**
   * What a signal this side sends needs added: the proof of a description's fingerprints or of a relay
   * key, when the room has a link's secret. Also notes this side's fingerprints and relay key.
   */
  async outgoing(kind: 'description' | 'relay-key', value: string): Promise<string | undefined> {
    const text = kind === 'description' ? fingerprintText(sdpFingerprints(value)) : value;
    if (kind === 'description') this.setLocal(text);
    else this.setRelay(text, this.relayRemote);
    return this.pairing?.prove(kind === 'description' ? 'dtls' : 'relay', text);
  }

  /**
   * A description or relay key from the peer, before it is used: without a secret, it is noted; with
   * one, its proof must check, or this rejects with `tampered` (the caller refuses the peer).
   */
  async incoming(kind: 'description' | 'relay-key', value: string, proof: string | undefined): Promise<void> {
    const text = kind === 'description' ? fingerprintText(sdpFingerprints(value)) : value;
    const pairing = this.pairing;
    if (pairing && !(await pairing.check(kind === 'description' ? 'dtls' : 'relay', text, proof))) {
      const what = kind === 'description' ? 'its DTLS fingerprint' : 'its relay key';
      throw new IcebreakerError(
        'tampered',
        `${proof === undefined ? 'no proof' : 'a wrong proof'} of the pairing link came with ${what}: the signaling path changed what the peer sent (someone may be in the middle), or the peer has another link or none. Refused.`,
      );
    }
    if (kind === 'description') {
      // One peer connection keeps its certificate for life, so an honest peer's descriptions all name
      // the same ones. Another in a later one came from the path: libdatachannel accepts it and goes on
      // with the handshake made, libwebrtc restarts DTLS; either way the number must not follow it.
      if (this.remote !== '' && text !== this.remote)
        throw new IcebreakerError(
          'fingerprint-mismatch',
          `a new description named another DTLS certificate (${text || 'none'}) than the peer's (${this.remote}) on the same connection: the signaling path changed it. Refused.`,
        );
      this.remote = text;
      void this.update();
    } else if (this.relayRemote === undefined) this.setRelay(this.relayLocal, text);
    // A second key is refused by the relay, which runs on the first: the number stays the first's, or
    // a path in the middle of the relay could hand each side the other's real key after its own.
  }

  /**
   * DTLS is up (`connectionState` connected): compare the certificates `getStats` says the handshake
   * used with the SDPs' fingerprints. Stacks without certificate stats leave the check to themselves.
   */
  async connected(): Promise<void> {
    if (this.checking || this.checked === 'handshake' || this.checked === 'mismatch') return;
    this.checking = true;
    try {
      let found = await handshakeCertificates(this.host.pc);
      // Chromium may not name the certificates in the first stats after `connected` (a page test saw
      // 'stack' in 5 of 16 tabs): ask again a few times before deciding the stack reports none.
      for (let attempt = 0; !found?.remote && attempt < STATS_RETRIES; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, STATS_RETRY_MS));
        found = await handshakeCertificates(this.host.pc);
      }
      if (!found?.remote) this.checked = 'stack';
      else {
        this.handshake = found;
        const matches = this.remote.split('\n').includes(found.remote) && (!found.local || this.local.split('\n').includes(found.local));
        this.checked = matches ? 'handshake' : 'mismatch';
        if (!matches)
          this.host.error(
            new IcebreakerError(
              'fingerprint-mismatch',
              `the DTLS handshake used the certificate ${found.remote} (peer) / ${found.local ?? '?'} (this side), not the one the descriptions named (${this.remote} / ${this.local}): do not trust this connection`,
            ),
          );
      }
    } finally {
      this.checking = false;
    }
    await this.update();
  }

  private setLocal(text: string): void {
    if (text === this.local) return;
    this.local = text;
    void this.update();
  }

  private setRelay(local: string | undefined, remote: string | undefined): void {
    this.relayLocal = local;
    this.relayRemote = remote;
    void this.update();
  }

  private async update(): Promise<void> {
    const version = ++this.version;
    const relayKeys = this.relayLocal && this.relayRemote ? { local: this.relayLocal, remote: this.relayRemote } : undefined;
    // A signaling path that withholds a description can still get the relay going, on keys it handed
    // out: the number is then the relay keys' alone (fingerprints empty), not none at all, so that a
    // path in the middle of the relay still makes the numbers differ.
    const described = this.local !== '' && this.remote !== '';
    if (!described && !relayKeys) return;
    const local = described ? this.local : '';
    const remote = described ? this.remote : '';
    // On a mismatch the digits are made of the certificates the handshake used: the peer's side hashes
    // the SDPs', so the numbers differ too, and people who only compare digits see it as well.
    const mismatch = this.checked === 'mismatch' ? this.handshake : undefined;
    const bytes = await safetyBytes({ local: mismatch?.local ?? local, remote: mismatch?.remote ?? remote, relayKeys });
    if (version !== this.version) return;
    this.current = {
      digits: safetyDigits(bytes),
      bytes,
      local,
      remote,
      checked: this.checked,
      ...(relayKeys ? { relayKeys } : {}),
      ...(this.handshake ? { handshake: this.handshake } : {}),
    };
    this.host.safety(this.current);
  }
}

interface StatsEntry {
  readonly type?: string;
  readonly id?: string;
  readonly dtlsState?: string;
  readonly localCertificateId?: string;
  readonly remoteCertificateId?: string;
  readonly fingerprint?: string;
  readonly fingerprintAlgorithm?: string;
}

/**
 * The certificates of the DTLS transport, canonical, from `getStats`: its `transport` stats name them
 * (`localCertificateId`, `remoteCertificateId`), its `certificate` stats hold their fingerprints.
 * Stats or not, the peer's certificate falls back on the DTLS transport's (see presentedCertificate).
 * Undefined where the stack reports neither (node-datachannel's polyfill).
 */
async function handshakeCertificates(pc: RTCPeerConnection): Promise<{ local?: string; remote?: string } | undefined> {
  let entries: StatsEntry[];
  try {
    entries = [...(await pc.getStats()).values()] as StatsEntry[];
  } catch {
    entries = [];
  }
  const transports = entries.filter((entry) => entry.type === 'transport' && entry.remoteCertificateId);
  const transport = transports.find((entry) => entry.dtlsState === 'connected') ?? transports[0];
  const fingerprint = (id: string | undefined) => {
    const certificate = entries.find((entry) => entry.type === 'certificate' && entry.id === id);
    return certificate?.fingerprint && certificate.fingerprintAlgorithm
      ? canonicalFingerprint(certificate.fingerprintAlgorithm, certificate.fingerprint)
      : undefined;
  };
  const local = fingerprint(transport?.localCertificateId);
  const remote = fingerprint(transport?.remoteCertificateId) ?? (await presentedCertificate(pc));
  if (!local && !remote) return undefined;
  return { ...(local ? { local } : {}), ...(remote ? { remote } : {}) };
}

/**
 * The SHA-256 fingerprint of the certificate the peer presented, from the DTLS transport itself
 * (`RTCDtlsTransport.getRemoteCertificates()`, its DER bytes): Chromium's stats leave out the remote
 * certificate in about half of the connections (seen in page tests, never filled in later), its DTLS
 * transport has it, and so has Firefox's, whose stats have none. Undefined where the stack has no such
 * method (node-datachannel's polyfill, `@roamhq/wrtc`) or no certificate yet.
 */
async function presentedCertificate(pc: RTCPeerConnection): Promise<string | undefined> {
  try {
    const transport = pc.sctp?.transport as (RTCDtlsTransport & { getRemoteCertificates?: () => ArrayBuffer[] }) | undefined;
    const der = transport?.getRemoteCertificates?.()[0];
    if (!der || der.byteLength === 0) return undefined;
    const hash = await sha256(new Uint8Array(der));
    return canonicalFingerprint('sha-256', Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join(':'));
  } catch {
    return undefined;
  }
}
