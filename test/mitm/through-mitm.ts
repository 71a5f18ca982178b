import { type IcebreakerServer, startServer } from '@icebreaker/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { Firefox } from '../helpers/firefox.js';
import { Mitm } from './mitm.js';

/** What {@link browsersThroughMitm} starts, filled in by its `beforeAll`. */
export interface ThroughMitm {
  readonly server: IcebreakerServer;
  readonly mitm: Mitm;
  readonly browser: Browser;
  readonly firefox: Firefox;
}

/**
 * For the calling `describe`: a real server serving the page (`npm run build` first), a man in the
 * middle in `mode` in front of it, Chromium and Firefox; all stopped after the suite. Tabs load the
 * page from `mitm.url`, so their WebSocket goes to him too.
 */
export function browsersThroughMitm(mode: 'honest' | 'swap'): ThroughMitm {
  const fixture = {} as { -readonly [K in keyof ThroughMitm]: ThroughMitm[K] };
  beforeAll(async () => {
    fixture.server = await startServer({ port: 0, host: '127.0.0.1', staticDir: 'packages/server/dist/web', iceServers: [] });
    [fixture.browser, fixture.firefox, fixture.mitm] = await Promise.all([
      launchChromium(),
      Firefox.launch(),
      Mitm.start(fixture.server.url, mode),
    ]);
  });
  afterAll(async () => {
    await fixture.mitm?.stop();
    await fixture.firefox?.close();
    await fixture.browser?.close();
    await fixture.server?.close();
  });
  return fixture;
}
