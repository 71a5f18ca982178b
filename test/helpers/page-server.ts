import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addressOf, ListeningProcess } from './server-process.js';

const SERVER_DIST = join(import.meta.dirname, '..', '..', 'packages', 'server', 'dist', 'index.js');

/**
 * `startServer` from the built `@icebreaker/server` (`npm run build` first) in a Node process of its
 * own, serving `staticDir`: its memory is the server's alone, measured from /proc, not mixed with
 * the runner's (playwright, vite). Stop it with `terminate()`.
 */
export class PageServer extends ListeningProcess {
  static async start(staticDir: string): Promise<PageServer> {
    const script = `
      const { startServer } = await import(${JSON.stringify(pathToFileURL(SERVER_DIST).href)});
      const server = await startServer({ port: 0, staticDir: process.env.PAGE_DIR, iceServers: [] });
      process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
      console.log('page ' + server.url);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, PAGE_DIR: staticDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new PageServer(child, await addressOf(child, /page (http:\/\/\S+)/));
  }

  /** The process id, for /proc. */
  get pid(): number {
    return this.child.pid as number;
  }
}
