import { cp, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { WORKSPACE_SOURCES } from '../../workspace.config.js';
import type { Firefox } from './firefox.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PAGE_SOURCE = join(ROOT, 'test', 'e2e', 'opfs-page');

/**
 * Builds the OPFS store's test page (test/e2e/opfs-page) with Vite into `outDir`, as an application
 * bundles the library: the store's worker goes through Vite's `new URL(…, import.meta.url)` handling.
 */
export async function buildOpfsPage(outDir: string): Promise<void> {
  await build({
    root: PAGE_SOURCE,
    base: './',
    // Errors only: the test page imports @noble/hashes itself, which Vite notes (the client loads it lazily).
    logLevel: 'error',
    resolve: { alias: WORKSPACE_SOURCES },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
}

/**
 * Lays out in `outDir` the store as the package publishes it (packages/client/dist, `npm run build`),
 * with no bundler: a page whose import map points the packages' bare names at their files, which
 * loads `opfs.js` and puts it on `globalThis.opfsDist`. The worker then loads from dist as it is.
 */
export async function layOutDistPage(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await cp(join(ROOT, 'packages', 'client', 'dist'), join(outDir, 'client'), { recursive: true });
  await cp(join(ROOT, 'packages', 'protocol', 'dist'), join(outDir, 'protocol'), { recursive: true });
  const valibot = createRequire(join(ROOT, 'packages', 'protocol', 'package.json'))
    .resolve('valibot')
    .replace(/\.cjs$/, '.mjs');
  await cp(valibot, join(outDir, 'valibot.js'));
  const imports = { '@icebreaker/protocol': './protocol/index.js', valibot: './valibot.js' };
  await writeFile(
    join(outDir, 'index.html'),
    `<!doctype html><title>OPFS store from dist</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">import * as opfs from './client/opfs.js'; globalThis.opfsDist = opfs;</script>`,
  );
}

/** A tab of Chromium or Firefox, driven the same way: a function run in the page, a reload, a wait. */
export interface Tab {
  readonly browser: 'chromium' | 'firefox';
  /** Runs `fn(arg)` in the page (self-contained: it sees only the page's globals) and returns its JSON result. */
  run<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  reload(): Promise<void>;
  /** Waits until `expression` is truthy in the page. */
  waitFor(expression: string, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A Chromium tab in a context of its own (its own storage). */
export async function chromiumTab(browser: Browser, url: string): Promise<Tab & { page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return {
    browser: 'chromium',
    page,
    run: (fn, arg) => page.evaluate(fn as never, arg) as never,
    reload: async () => {
      await page.reload();
    },
    waitFor: async (expression, what, timeoutMs = 30_000) => {
      await page.waitForFunction(expression, null, { timeout: timeoutMs }).catch((error: Error) => {
        throw new Error(`Chromium: timed out waiting for ${what}`, { cause: error });
      });
    },
    close: () => context.close(),
  };
}

/** A Firefox tab (the profile's storage is shared between tabs: tests keep apart by store folder). */
export async function firefoxTab(firefox: Firefox, url: string): Promise<Tab> {
  const tab = await firefox.open(url);
  return {
    browser: 'firefox',
    run: (fn, arg) => tab.evaluate(`(${fn.toString()})(${JSON.stringify(arg)})`),
    reload: async () => {
      await firefox.send('browsingContext.reload', { context: tab.context, wait: 'complete' });
    },
    waitFor: (expression, what, timeoutMs = 30_000) => tab.waitFor(expression, what, timeoutMs),
    close: async () => {
      await firefox.send('browsingContext.close', { context: tab.context });
    },
  };
}
