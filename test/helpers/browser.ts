import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type IcebreakerServer, startServer } from '@icebreaker/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { killPeers } from '../cli/peer-process.js';
import { scratch } from './files.js';

type Scratch = Awaited<ReturnType<typeof scratch>>;

/** Where browser tests save screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** The Chromium binary: $ICEBREAKER_CHROMIUM, else Debian's. */
export function chromiumPath(): string {
  const path = process.env.ICEBREAKER_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`no Chromium at ${path}: install it (apt-get install chromium) or set ICEBREAKER_CHROMIUM to its path`);
  }
  return path;
}

/**
 * Launches headless Chromium with the flags this sandbox needs. mDNS host-name candidates are turned
 * off because a headless browser may be unable to resolve them, and loopback is allowed for machines
 * whose only interface is lo. `extraArgs` adds flags (e.g. `--js-flags=--jitless`); `executablePath`
 * another launcher (e.g. one that runs Chromium in a network namespace).
 */
export function launchChromium(extraArgs: string[] = [], executablePath = chromiumPath()): Promise<Browser> {
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** The flags {@link launchChromium} passes (also for `launchPersistentContext`, whose profile is on disk). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Opens a page in a fresh context (its own storage, like a separate browser) and fails fast on page errors. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(url);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * For a `describe` of page tests: a server that serves the built page, one Chromium, a scratch folder,
 * and the terminal peers a test started, stopped after it. Read the fields inside tests and hooks.
 */
export function pageSuite(): { server: IcebreakerServer; browser: Browser; files: Scratch } {
  const suite = {} as { server: IcebreakerServer; browser: Browser; files: Scratch };
  beforeAll(async () => {
    suite.server = await startServer({ port: 0, staticDir: 'packages/server/dist/web', iceServers: [] });
    suite.browser = await launchChromium();
    suite.files = await scratch();
  });
  afterEach(() => killPeers());
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
    await suite.files?.dispose();
  });
  return suite;
}
