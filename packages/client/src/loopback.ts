import type { CandidateSummary, PathCheck } from './diagnosis.js';
import { type PathCandidate, selectedPair } from './selected-pair.js';

/**
 * Connects two local RTCPeerConnections to each other through `iceServers` under `policy`, the
 * signaling done by hand in memory, and reports whether a data channel opened within `timeoutMs`,
 * the candidate pair ICE selected and its round-trip time. Both connections are closed after.
 * Never throws.
 */
export async function checkPath(
  Pc: typeof RTCPeerConnection,
  iceServers: readonly RTCIceServer[],
  policy: RTCIceTransportPolicy,
  timeoutMs: number,
): Promise<PathCheck> {
  const started = Date.now();
  const config: RTCConfiguration = { iceServers: [...iceServers], iceTransportPolicy: policy };
  let a: RTCPeerConnection | undefined;
  let b: RTCPeerConnection | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    a = new Pc(config);
    b = new Pc(config);
    const [caller, callee] = [a, b];
    const channel = caller.createDataChannel('icebreaker-doctor');
    // Listening from the start: the callee's channel may arrive before the caller's opens.
    const echoing = new Promise<RTCDataChannel>((resolve) => {
      callee.addEventListener('datachannel', (event) => {
        event.channel.addEventListener('message', (message) => event.channel.send(message.data as string));
        resolve(event.channel);
      });
    });
    const opened = new Promise<string | null>((resolve) => {
      channel.addEventListener('open', () => resolve(null));
      for (const pc of [caller, callee]) {
        pc.addEventListener('connectionstatechange', () => {
          if (pc.connectionState === 'failed') resolve('ICE found no working candidate pair');
        });
      }
      timer = setTimeout(() => resolve(`no connection within ${timeoutMs / 1000} s`), timeoutMs);
    });
    // Candidates wait until both descriptions are applied, then trickle: libdatachannel otherwise
    // fails its DTLS handshake now and then (see remote-peer.ts), and every stack accepts this order.
    let described = false;
    const waiting: Array<[RTCPeerConnection, RTCIceCandidate | null]> = [];
    const deliver = (to: RTCPeerConnection, candidate: RTCIceCandidate | null): void => {
      // A null candidate is end-of-candidates (RFC 8838 §13): ICE may then fail at once instead of waiting.
      const added = candidate ? to.addIceCandidate(candidate) : to.addIceCandidate();
      added.catch(() => {});
    };
    caller.addEventListener('icecandidate', (event) =>
      described ? deliver(callee, event.candidate) : waiting.push([callee, event.candidate]),
    );
    callee.addEventListener('icecandidate', (event) =>
      described ? deliver(caller, event.candidate) : waiting.push([caller, event.candidate]),
    );
    await caller.setLocalDescription(await caller.createOffer());
    await callee.setRemoteDescription(caller.localDescription as RTCSessionDescription);
    await callee.setLocalDescription(await callee.createAnswer());
    await caller.setRemoteDescription(callee.localDescription as RTCSessionDescription);
    described = true;
    for (const [to, candidate] of waiting.splice(0)) deliver(to, candidate);

    const failure = await opened;
    if (failure !== null) return { policy, connected: false, reason: failure, ms: Date.now() - started };
    const ms = Date.now() - started;
    const pair = await selectedPair(caller);
    const echo = pair?.rttMs === undefined ? await echoRtt(channel, echoing) : undefined;
    const rttMs = pair?.rttMs ?? echo;
    return {
      policy,
      connected: true,
      ms,
      ...(pair ? { pair: { local: summary(pair.local), remote: summary(pair.remote) } } : {}),
      ...(rttMs === undefined ? {} : { rttMs, rttSource: pair?.rttMs === undefined ? ('echo' as const) : ('ice' as const) }),
    };
  } catch (error) {
    return { policy, connected: false, reason: (error as Error).message, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    a?.close();
    b?.close();
  }
}

/** A selected pair's end as the doctor reports candidates (an address and port always, `?` and 0 when unknown). */
function summary(end: PathCandidate): CandidateSummary {
  return { ...end, address: end.address ?? '?', port: end.port ?? 0 };
}

/** Times three echoes over the open channel and gives the median, in milliseconds. */
async function echoRtt(channel: RTCDataChannel, echoing: Promise<RTCDataChannel>): Promise<number | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const remote = await Promise.race([echoing, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1000)))]);
  clearTimeout(timer);
  if (!remote) return undefined;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const sent = performance.now();
    let wait: ReturnType<typeof setTimeout> | undefined;
    const back = new Promise<boolean>((resolve) => {
      channel.addEventListener('message', () => resolve(true), { once: true });
      wait = setTimeout(() => resolve(false), 1000);
    });
    channel.send(`ping ${i}`);
    const answered = await back;
    clearTimeout(wait);
    if (!answered) return undefined;
    times.push(performance.now() - sent);
  }
  times.sort((x, y) => x - y);
  return Math.round((times[1] ?? 0) * 10) / 10;
}
