import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real k6 processes and servers; two cores do not take more at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
