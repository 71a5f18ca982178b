import { parseCandidate } from './candidate.js';
import type { CandidateSummary, IceServerError } from './diagnosis.js';

/** What one RTCPeerConnection gathered with at most one ICE server. */
export interface Gathered {
  readonly candidates: readonly CandidateSummary[];
  readonly errors: readonly IceServerError[];
  readonly timedOut: boolean;
  readonly ms: number;
}

/** How an ICE server URL is reached: its kind, and the transport to it (RFC 7064 §3.1, RFC 7065 §3.1). */
export function describeIceUrl(url: string): { kind: 'stun' | 'turn'; transport: 'udp' | 'tcp' | 'tls' } {
  const kind = /^turns?:/i.test(url) ? 'turn' : 'stun';
  if (/^(stuns|turns):/i.test(url)) return { kind, transport: 'tls' };
  return { kind, transport: /[?&]transport=tcp\b/i.test(url) ? 'tcp' : 'udp' };
}

/**
 * Gathers the candidates of one fresh connection configured with `server` (or none), until gathering
 * completes or `timeoutMs` passes, and closes it. Never throws: a constructor that refuses the
 * server (a malformed URL) is reported as an error of that server.
 */
export async function gather(Pc: typeof RTCPeerConnection, server: RTCIceServer | null, timeoutMs: number): Promise<Gathered> {
  const started = Date.now();
  const url = server ? ([server.urls].flat()[0] ?? '') : '';
  let pc: RTCPeerConnection;
  try {
    pc = new Pc({ iceServers: server ? [server] : [] });
  } catch (error) {
    return { candidates: [], errors: [{ url, code: 0, text: (error as Error).message }], timedOut: false, ms: 0 };
  }
  const lines = new Set<string>();
  const errors: IceServerError[] = [];
  const seen = (line: string | undefined): void => {
    if (line) lines.add(line.replace(/^a=/, '').trim());
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = await new Promise<boolean>((resolve) => {
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate?.candidate) seen(event.candidate.candidate);
      else resolve(false);
    });
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve(false);
    });
    // W3C webrtc §4.8.2. Not every stack fires it: libdatachannel (node-datachannel) never does, so a
    // server that gave nothing is judged by what is missing (see verdict.ts).
    pc.addEventListener('icecandidateerror', (event) => {
      const e = event as RTCPeerConnectionIceErrorEvent;
      errors.push({ url: e.url || url, code: e.errorCode, text: e.errorText ?? '' });
    });
    timer = setTimeout(() => resolve(true), timeoutMs);
    pc.createDataChannel('icebreaker-doctor');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch((error: Error) => {
        errors.push({ url, code: 0, text: error.message });
        resolve(false);
      });
  });
  clearTimeout(timer);
  // The local description lists what was gathered too: node-datachannel may report "complete" before
  // it has dispatched its last candidate events, and the union misses nothing either way.
  for (const line of pc.localDescription?.sdp.split(/\r?\n/) ?? []) if (line.startsWith('a=candidate:')) seen(line);
  pc.close();
  const candidates: CandidateSummary[] = [];
  for (const line of lines) {
    const parsed = parseCandidate(line);
    if (!parsed) continue;
    const relayProtocol = parsed.type === 'relay' && server ? describeIceUrl(url).transport : undefined;
    candidates.push({
      type: parsed.type,
      protocol: parsed.protocol,
      address: parsed.address,
      port: parsed.port,
      ...(relayProtocol ? { relayProtocol } : {}),
    });
  }
  return { candidates, errors, timedOut, ms: Date.now() - started };
}
