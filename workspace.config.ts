import { fileURLToPath } from 'node:url';

/**
 * The workspace packages by name → their sources, for tools that run TypeScript directly (vitest, vite):
 * a test imports `@icebreaker/server` and gets the code under test, not a stale build. Node running the
 * built CLI resolves the same names through node_modules to each package's dist/.
 */
export const WORKSPACE_SOURCES: Record<string, string> = Object.fromEntries(
  ['protocol', 'client', 'server'].map((name) => [
    `@icebreaker/${name}`,
    fileURLToPath(new URL(`packages/${name}/src/index.ts`, import.meta.url)),
  ]),
);
