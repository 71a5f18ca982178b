import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerMetrics } from './metrics.js';
import { requestPath } from './request-path.js';
import { serveStatic } from './static-files.js';

/** A plain Node request handler, as `http.createServer` and Express take. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The HTTP side of the signaling server: probes, metrics and the teaching page. */
export interface HttpRoutes {
  /** `GET /healthz`: 200 `{status: "ok", connections, rooms}` while it serves at all; 503 `{status: "closed"}` after `close()`. */
  readonly healthz: RequestHandler;
  /**
   * `GET /readyz`: 200 `{status: "ready"}`, or 503 with `draining`, `unavailable` (a cluster node
   * without Redis) or `full`, so that a load balancer sends new clients elsewhere.
   */
  readonly readyz: RequestHandler;
  /** `GET /metrics`: the Prometheus exposition text. */
  readonly metrics: RequestHandler;
  /** The teaching page's files (`/`, `/assets/…`) from `staticDir`; 404 for anything else. */
  readonly page: RequestHandler;
  /**
   * Answers the request if it is one of the routes above (or a file of the page) and resolves true;
   * otherwise leaves `res` untouched and resolves false, for the host application's own routes. Never
   * rejects: a failure inside is answered 500.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** What the routes read from the live server. */
export interface RouteState {
  readonly connections: number;
  readonly rooms: number;
  /** `ready`, or why new clients should go elsewhere. */
  readonly readiness: 'ready' | 'draining' | 'unavailable' | 'full' | 'closed';
}

/** Builds the HTTP routes over the live `state`; `staticDir` (absolute) or null for no page. */
export function httpRoutes(state: () => RouteState, metrics: ServerMetrics, staticDir: string | null): HttpRoutes {
  const healthz = only(async (_req, res) => {
    const { connections, rooms, readiness } = state();
    // Closed (a host keeps listening after close()): this signaling server no longer serves at all.
    if (readiness === 'closed') json(res, 503, { status: 'closed' });
    else json(res, 200, { status: 'ok', connections, rooms });
  });
  const readyz = only(async (_req, res) => {
    const status = state().readiness;
    json(res, status === 'ready' ? 200 : 503, { status });
  });
  const scrape = only(async (_req, res) => {
    const { text, contentType } = await metrics.scrape();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(text);
  });
  /** The paths answered whatever `staticDir` holds. */
  const routes = new Map<string | null, (req: IncomingMessage, res: ServerResponse) => Promise<void>>([
    ['/healthz', healthz],
    ['/readyz', readyz],
    ['/metrics', scrape],
  ]);

  async function servePage(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const pathname = requestPath(req);
    if (staticDir === null || pathname === null || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    return serveStatic(staticDir, pathname, req, res);
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    try {
      const route = routes.get(requestPath(req));
      if (route) {
        await route(req, res);
        return true;
      }
      return await servePage(req, res);
    } catch {
      failed(res);
      return true;
    }
  }

  return {
    healthz: plain(healthz),
    readyz: plain(readyz),
    metrics: plain(scrape),
    page: (req, res) => {
      servePage(req, res).then(
        (served) => {
          if (!served) res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        },
        () => failed(res),
      );
    },
    handleRequest,
  };
}

/** A route that answers GET and HEAD only (405 otherwise): none of them changes anything. */
function only(
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.writeHead(405, { allow: 'GET, HEAD' }).end();
    else await route(req, res);
  };
}

/** An async route as a plain handler, whose failure is answered 500 instead of rejecting unseen. */
function plain(route: (req: IncomingMessage, res: ServerResponse) => Promise<void>): RequestHandler {
  return (req, res) => {
    route(req, res).catch(() => failed(res));
  };
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function failed(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(500);
  res.end();
}
