import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';

/** The repository's examples/ folder. */
export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/**
 * For a `describe` of an example page: the page built by vite as a user would (its `@icebreaker/client`
 * import resolves through the package's exports map to the built dist/, so run after `npm run build`),
 * a real signaling server on an ephemeral port that serves it, and one Chromium.
 */
export function examplePageSuite(name: string): { server: IcebreakerServer; browser: Browser; open(room?: string): Promise<Page> } {
  let outDir = '';
  const suite = {
    server: undefined as unknown as IcebreakerServer,
    browser: undefined as unknown as Browser,
    /** Opens the page in a fresh browser context, in `room` (or with no room in the address). */
    open: (room?: string) =>
      openPage(suite.browser, room === undefined ? suite.server.url : `${suite.server.url}?room=${encodeURIComponent(room)}`),
  };
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), `icebreaker-example-${name}-`));
    await build({ root: join(EXAMPLES, name), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    suite.server = await startServer({ port: 0, host: '127.0.0.1', staticDir: outDir, iceServers: [] });
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
    await rm(outDir, { recursive: true, force: true });
  });
  return suite;
}

/** The errors a page threw (recorded by `openPage`). */
export function pageErrors(page: Page): readonly string[] {
  return (page as Page & { errors: string[] }).errors;
}
