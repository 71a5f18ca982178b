import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests start Chromium; two at once is what a 2-core machine carries without flaking.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
