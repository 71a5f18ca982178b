import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { checkOptions, DEFAULT_CONFIG, type ServerConfig } from './config.js';
import { requestPath } from './request-path.js';
import { createSignalingServer } from './signaling-server.js';
import { SIGNALING_PATH } from './upgrade-gate.js';

/** A running signaling server. */
export interface IcebreakerServer {
  /** The page's address, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The signaling endpoint, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly signalingUrl: string;
  readonly port: number;
  readonly config: ServerConfig;
  /**
   * Graceful shutdown (what SIGTERM does): stops accepting, tells every client to reconnect elsewhere
   * (`going-away`), waits up to `drainTimeoutMs` for them to go, then closes the rest like `close()`.
   */
  drain(): Promise<void>;
  /** Closes every connection (code 1001) and stops listening; resolves when all is closed. */
  close(): Promise<void>;
}

/** What `startServer` takes: any config field, and where to log. */
export interface StartOptions extends Partial<ServerConfig> {
  /** A pino logger for the server's events; none by default (a library stays quiet unless asked). */
  readonly logger?: Logger;
}

/**
 * Starts the HTTP + WebSocket signaling server on a port of its own and resolves once it is
 * listening. It is {@link createSignalingServer} mounted on a `node:http` server that serves nothing
 * else, with every protection the signaling server offers its host turned on.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0, staticDir: TEACHING_PAGE_DIR });
 * console.log(`open ${server.url}`);
 * await server.close();
 * ```
 */
export async function startServer(options: StartOptions = {}): Promise<IcebreakerServer> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object of settings');
  checkOptions(options as Readonly<Record<string, unknown>>, ['logger']);
  const { port: wantedPort = DEFAULT_CONFIG.port, host = DEFAULT_CONFIG.host, ...settings } = options;
  const signaling = await createSignalingServer(settings);
  const config: ServerConfig = { ...signaling.config, port: wantedPort, host };
  const log = options.logger;

  const http = createServer(signaling.serverOptions, (req, res) => {
    if (requestPath(req) === null) {
      res.writeHead(400, { connection: 'close' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    signaling.handleRequest(req, res).then((handled) => {
      if (handled) return;
      // A plain GET of the WebSocket endpoint (a browser tab, curl): say what it wants (RFC 9110 §15.5.22).
      if (requestPath(req) === SIGNALING_PATH) {
        res
          .writeHead(426, { upgrade: 'websocket', connection: 'Upgrade', 'content-type': 'text/plain; charset=utf-8' })
          .end(`${SIGNALING_PATH} is the signaling WebSocket: connect with a WebSocket client (the page is at /)\n`);
        return;
      }
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(config.staticDir === null ? 'no page is served here\n' : 'not found\n');
    });
  });
  http.maxConnections = signaling.maxSockets;
  http.on('connection', signaling.handleConnection);
  http.on('upgrade', signaling.handleUpgrade);

  http.listen(wantedPort, host);
  try {
    await Promise.race([once(http, 'listening'), once(http, 'error').then(([error]) => Promise.reject(error))]);
  } catch (error) {
    await signaling.close();
    throw error;
  }
  // Once listening, a server error is an accept that failed (EMFILE, ENFILE): logged, never fatal;
  // libuv keeps accepting when descriptors free up.
  http.on('error', (error) => log?.error({ event: 'accept-error', error: error.message }, 'could not accept a connection'));
  const { port } = http.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  log?.info(
    { event: 'listening', host, port, auth: config.authSecret !== null, turn: config.turnUrls.length > 0 },
    'signaling server listening',
  );

  // The 'close' event comes once every socket of the server is gone; it is awaited from the moment
  // the server stops accepting (after which `listening` is false).
  let closed: Promise<unknown> | null = null;
  function stopAccepting(): void {
    if (closed) return;
    closed = http.listening ? once(http, 'close') : Promise.resolve();
    http.close();
  }
  /** Once the signaling server is done, the HTTP sockets left (probes, page loads) go too. */
  async function stopListening(): Promise<void> {
    stopAccepting();
    http.closeAllConnections();
    await closed;
  }

  let closing: Promise<void> | null = null;
  let draining: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}/`,
    signalingUrl: `ws://${shownHost}:${port}${SIGNALING_PATH}`,
    port,
    config,
    // A drain keeps the port open for the load balancer's probes until the signaling server is done.
    drain: () => (draining ??= signaling.drain().then(stopListening)),
    // Also during a drain: the drain's wait ends and what is left is closed now.
    close: () =>
      (closing ??= (async () => {
        // No new TCP connections while the signaling connections close.
        stopAccepting();
        await signaling.close();
        await stopListening();
      })()),
  };
}
