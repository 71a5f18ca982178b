import { fileURLToPath } from 'node:url';

const ENTRIES: Readonly<Record<string, string>> = {
  '@icebreaker/protocol': 'packages/protocol/src/index.ts',
  '@icebreaker/client': 'packages/client/src/index.ts',
  '@icebreaker/client/opfs': 'packages/client/src/opfs.ts',
  '@icebreaker/client/pairing': 'packages/client/src/pairing.ts',
  '@icebreaker/server': 'packages/server/src/index.ts',
  '@icebreaker/server/settings': 'packages/server/src/settings.ts',
};

/**
 * The workspace packages' entry points by name → their sources, for tools that run TypeScript directly
 * (vitest, vite): a test imports `@icebreaker/server` and gets the code under test, not a stale build.
 * Node running the built CLI resolves the same names through node_modules to each package's dist/.
 * Exact matches only, so `@icebreaker/server` does not swallow `@icebreaker/server/settings`.
 */
export const WORKSPACE_SOURCES = Object.entries(ENTRIES).map(([name, file]) => ({
  find: new RegExp(`^${name.replaceAll('/', '\\/')}$`),
  replacement: fileURLToPath(new URL(file, import.meta.url)),
}));
