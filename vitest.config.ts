import { defineConfig } from 'vitest/config';
import { WORKSPACE_SOURCES } from './workspace.config.js';

export default defineConfig({
  resolve: { alias: WORKSPACE_SOURCES },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One test file at a time: WebRTC stacks and browsers compete for a 2-core machine's CPU, and the
    // timings of a suite should not depend on which other suite happens to run beside it.
    fileParallelism: false,
    reporters: ['default'],
  },
});
