import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    globalSetup: ['./tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Files run one after another: many run real clients against real servers
    // with time limits, and two such files side by side on 2 cores make
    // clients that give up on time look hung. It costs little: most of the
    // time is spent waiting on those clients, not computing.
    fileParallelism: false,
  },
});
