import { once } from 'node:events';
import { decodeServerMessage } from '@icebreaker/protocol';
import WebSocket from 'ws';

/**
 * A server frame as a client sees it: decoded by the protocol's own decoder, as every client does, so
 * fields the protocol does not define (a relayed signal passes on the sender's `to` and `id`) are left out.
 * A frame the decoder refuses is kept as it parsed, so a test comparing it with a valid message fails.
 */
export type Frame = { type: string; [field: string]: unknown };

const WAIT_MS = 5000;

/**
 * A raw WebSocket client for server tests: it can send anything (bad frames included) and queues every
 * frame it receives, so a test awaits the next one instead of sleeping.
 */
export class TestSocket {
  private readonly frames: Frame[] = [];
  private readonly waiters: Array<(frame: Frame) => void> = [];
  /** Binary frames (relay frames), apart from the text ones: a test awaits each kind on its own. */
  private readonly binary: Buffer[] = [];
  private readonly binaryWaiters: Array<(frame: Buffer) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = data as Buffer;
        const waiter = this.binaryWaiters.shift();
        if (waiter) waiter(bytes);
        else this.binary.push(bytes);
        return;
      }
      const decoded = decodeServerMessage(data.toString());
      const frame = (decoded.ok ? decoded.message : JSON.parse(data.toString())) as Frame;
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
    const ws = new WebSocket(url, options);
    const socket = new TestSocket(ws);
    await once(ws, 'open');
    return socket;
  }

  /** Sends an object as JSON, or a string / buffer exactly as given. */
  send(frame: object | string | Buffer): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** The next frame received, or a rejection after a few seconds. */
  next(): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${WAIT_MS}ms`));
      }, WAIT_MS);
      const waiter = (frame: Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next binary frame received, or a rejection after a few seconds. */
  nextBinary(waitMs = WAIT_MS): Promise<Buffer> {
    const queued = this.binary.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.binaryWaiters.splice(this.binaryWaiters.indexOf(waiter), 1);
        reject(new Error(`no binary frame within ${waitMs}ms`));
      }, waitMs);
      const waiter = (frame: Buffer) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.binaryWaiters.push(waiter);
    });
  }

  /** Binary frames already received and not yet taken. */
  get binaryPending(): readonly Buffer[] {
    return this.binary;
  }

  /** Frames already received and not yet taken. Used to assert that nothing else arrived. */
  get pending(): readonly Frame[] {
    return this.frames;
  }

  /** Joins a room and returns the welcome. */
  async join(room: string, extra: object = {}): Promise<Frame> {
    this.send({ type: 'join', protocol: 1, room, ...extra });
    const frame = await this.next();
    if (frame.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(frame)}`);
    return frame;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** Tries a WebSocket upgrade: resolves with the open socket (the caller closes it), or with the HTTP status of the refusal. */
export function tryUpgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket | number> {
  const ws = new WebSocket(url, options);
  return new Promise((resolve) => {
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

/** How an upgrade ends: 'open' (the socket is closed again at once), or the HTTP status of the refusal. */
export async function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number | 'open'> {
  const result = await tryUpgrade(url, options);
  if (typeof result === 'number') return result;
  result.close();
  return 'open';
}
