import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One test file at a time: WebRTC stacks and browsers compete for a 2-core machine's CPU, and a
    // node-datachannel transfer was seen to stall when three heavy suites ran at once.
    fileParallelism: false,
    reporters: ['default'],
  },
});
