import { defineConfig } from 'vitest/config';
import { deadline } from './test/support/time.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
    // Deadlines, never durations a test must meet: scaled by INTCTL_TEST_TIME_FACTOR (test/support/time.ts).
    testTimeout: deadline(60_000),
    hookTimeout: deadline(60_000),
  },
});
