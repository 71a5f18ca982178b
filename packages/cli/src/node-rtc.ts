import { randomUUID } from 'node:crypto';
import { PeerConnection } from 'node-datachannel';
import { RTCPeerConnection as Polyfill } from 'node-datachannel/polyfill';

/**
 * node-datachannel's W3C RTCPeerConnection, with TURN credentials that survive its URL form, and the
 * certificate the DTLS handshake used in `getStats`.
 *
 * The polyfill hands libdatachannel each TURN server as `turn:<username>:<credential>@host`, as is.
 * A TURN REST username is `<expiry>:<peer id>` (what the server's `--turn-secret` mints) and a
 * credential is base64 (`+`, `/`, `=`): libdatachannel then splits the username at its colon and the
 * allocation fails with 401 (libdatachannel#340). It URL-decodes both parts since 0.17.2
 * (libdatachannel#611), so encoding them here gets the credential through unchanged.
 *
 * The polyfill's `getStats` has no `transport` or `certificate` stats, so the client could not check
 * that the peer's certificate is the one its SDP named (the safety number's `checked`). libdatachannel
 * knows it: `remoteFingerprint()` of its native connection is empty until the handshake and then the
 * fingerprint of the certificate the peer presented. The polyfill takes a native connection made
 * beforehand (`peerConnection` in its configuration), so this class makes it and keeps it.
 */
export class NodeRTCPeerConnection extends (Polyfill as unknown as typeof RTCPeerConnection) {
  readonly #native: PeerConnection;

  constructor(configuration: RTCConfiguration = {}) {
    const iceServers = (configuration.iceServers ?? []).map((server) =>
      server.username === undefined || server.credential === undefined
        ? server
        : { ...server, username: encodeURIComponent(server.username), credential: encodeURIComponent(String(server.credential)) },
    );
    // The same native configuration the polyfill would make: ICE servers as URLs, credentials inside.
    const native = new PeerConnection(`peer-${randomUUID().slice(0, 8)}`, {
      ...(configuration as object),
      iceServers: iceServers.flatMap((server) =>
        (Array.isArray(server.urls) ? server.urls : [server.urls]).map((url) => {
          if (!server.username || !server.credential) return url;
          const [protocol, rest] = url.split(/:(.*)/);
          return `${protocol}:${server.username}:${String(server.credential)}@${rest}`;
        }),
      ),
    } as ConstructorParameters<typeof PeerConnection>[1]);
    super({ ...configuration, iceServers, peerConnection: native } as RTCConfiguration);
    this.#native = native;
  }

  /** The polyfill's stats, plus the DTLS transport and the certificate the peer presented, once known. */
  override async getStats(selector?: MediaStreamTrack | null): Promise<RTCStatsReport> {
    const report = (await super.getStats(selector)) as unknown as Map<string, object>;
    let remote: { value: string; algorithm: string } | undefined;
    try {
      remote = this.#native.remoteFingerprint();
    } catch {
      remote = undefined;
    }
    if (remote?.value) {
      const timestamp = Date.now();
      report.set('T01', { id: 'T01', type: 'transport', timestamp, dtlsState: 'connected', remoteCertificateId: 'CR01' });
      report.set('CR01', { id: 'CR01', type: 'certificate', timestamp, fingerprint: remote.value, fingerprintAlgorithm: remote.algorithm });
    }
    return report as unknown as RTCStatsReport;
  }
}
