import { createHash, randomBytes } from 'node:crypto';
import { decodeRelayFrame, encodeRelayFrame } from '@icebreaker/protocol';
import type { TestSocket } from './socket.js';

/** Relay frames carrying `data` to peer `to`, `frameBytes` of payload each. */
export function relayFrames(to: string, data: Uint8Array, frameBytes = 16 * 1024): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let at = 0; at < data.byteLength; at += frameBytes) frames.push(encodeRelayFrame(to, data.subarray(at, at + frameBytes)));
  return frames;
}

/** Sends `data` to peer `to` as relay frames, as fast as the socket takes them. */
export function sendRelayed(socket: TestSocket, to: string, data: Uint8Array, frameBytes?: number): void {
  for (const frame of relayFrames(to, data, frameBytes)) socket.ws.send(frame);
}

/**
 * Reads relay frames until `bytes` of payload have arrived; each must name `from`. → the payloads'
 * SHA-256 (hex), in the order they came, and how many frames carried them.
 */
export async function receiveRelayed(
  socket: TestSocket,
  from: string,
  bytes: number,
  waitMs?: number,
): Promise<{ sha256: string; frames: number }> {
  const hash = createHash('sha256');
  let got = 0;
  let frames = 0;
  while (got < bytes) {
    const decoded = decodeRelayFrame(await socket.nextBinary(waitMs));
    if (!decoded.ok) throw new Error(`not a relay frame: ${decoded.error.message}`);
    if (decoded.value.peer !== from) throw new Error(`a relay frame from "${decoded.value.peer}", expected "${from}"`);
    hash.update(decoded.value.payload);
    got += decoded.value.payload.byteLength;
    frames++;
  }
  return { sha256: hash.digest('hex'), frames };
}

/** `bytes` random bytes and their SHA-256 (hex). */
export function randomData(bytes: number): { data: Buffer; sha256: string } {
  const data = randomBytes(bytes);
  return { data, sha256: createHash('sha256').update(data).digest('hex') };
}
