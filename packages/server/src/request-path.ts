import type { IncomingMessage } from 'node:http';

/**
 * The path a request asks for, or null when its target is not a URL at all (`//[`, `http://x:99999/`):
 * such a request is answered 400, never thrown at the server's event handlers.
 */
export function requestPath(req: IncomingMessage): string | null {
  return URL.parse(req.url ?? '/', 'http://localhost')?.pathname ?? null;
}
