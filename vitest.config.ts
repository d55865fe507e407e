import { defineConfig } from 'vitest/config';

/**
 * Tests of pure code and of one server on a socket: many short files, run
 * side by side (each file's start-up costs more than most of its tests).
 */
const UNIT = [
  'contract/**/*.test.ts',
  'servers/**/*.test.ts',
  'harness/**/*.test.ts',
  'certs/**/*.test.ts',
  'clients/**/*.test.ts',
  'tests/import-rules.test.ts',
  'tests/plugins.test.ts',
  'tests/format.test.ts',
  'tests/docs.test.ts',
  'tests/json-schema.test.ts',
  'tests/stands-alone.test.ts',
  'tests/config.test.ts',
  'tests/typecheck.test.ts',
];

/**
 * Live tests whose verdicts do not hang on a client's timing (an installed
 * package, the CLI's reports, scripted faults against the in-process reference,
 * hostile bytes, clients that fail at once or are killed at their limit):
 * run beside the unit tests (vitest wants one worker count for projects run
 * together), so their waiting on npm, tsc, Chromium and tshark overlaps the
 * unit tests' CPU. (Containment stays live: its client that opens 3,000
 * connections fell short of them in its limit beside the unit tests.)
 */
const BESIDE = [
  'tests/package.test.ts',
  'tests/readme-commands.test.ts',
  'tests/merge.test.ts',
  'tests/html-report.test.ts',
  'tests/artifacts.test.ts',
  'tests/contract-doc.test.ts',
  'tests/serve-script.test.ts',
  'tests/socket-campaign.test.ts',
  'tests/security.test.ts',
  'tests/earned-pass.test.ts',
];

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**'],
    globalSetup: ['./tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, pool: 'threads', maxWorkers: 3, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'beside', include: BESIDE, maxWorkers: 3, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'live',
          include: ['tests/**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', ...UNIT.filter((g) => g.startsWith('tests/')), ...BESIDE],
          sequence: { groupOrder: 1 },
          // Files one after another, after the others: they run real clients
          // against real servers with time limits, and two such files side by
          // side on 2 cores make clients that give up on time look hung. They do
          // their own waiting in parallel inside (witness groups, profiles at once).
          fileParallelism: false,
        },
      },
    ],
  },
});
