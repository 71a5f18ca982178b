import { RTCPeerConnection as Polyfill } from 'node-datachannel/polyfill';

/**
 * node-datachannel's W3C RTCPeerConnection, with TURN credentials that survive its URL form.
 *
 * The polyfill hands libdatachannel each TURN server as `turn:<username>:<credential>@host`, as is.
 * A TURN REST username is `<expiry>:<peer id>` (what the server's `--turn-secret` mints) and a
 * credential is base64 (`+`, `/`, `=`): libdatachannel then splits the username at its colon and the
 * allocation fails with 401 (libdatachannel#340). It URL-decodes both parts since 0.17.2
 * (libdatachannel#611), so encoding them here gets the credential through unchanged.
 */
export class NodeRTCPeerConnection extends (Polyfill as unknown as typeof RTCPeerConnection) {
  constructor(configuration: RTCConfiguration = {}) {
    super({
      ...configuration,
      iceServers: (configuration.iceServers ?? []).map((server) =>
        server.username === undefined || server.credential === undefined
          ? server
          : { ...server, username: encodeURIComponent(server.username), credential: encodeURIComponent(String(server.credential)) },
      ),
    });
  }
}
