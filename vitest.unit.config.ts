import { defineConfig } from 'vitest/config';
import { WORKSPACE_SOURCES } from './workspace.config.js';

/**
 * The fast inner loop (`npm run test:unit`): tests of pure parts, with no browser, no Redis, no
 * network and no WebRTC stack; seconds, not minutes. `npm test` runs these too, with everything else.
 */
export default defineConfig({
  resolve: { alias: WORKSPACE_SOURCES },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/protocol/**/*.test.ts', 'test/architecture/**/*.test.ts', 'test/server/config.test.ts'],
    testTimeout: 10_000,
  },
});
