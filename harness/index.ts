/**
 * The public API of conform-harness, for a user's project:
 * `import { defineConfig } from 'conform-harness'` in conform.config.ts, the
 * types a module client implements (ModuleClient, Job), and the shapes of
 * the reports it writes (results.json: ResultsFile, CaseResult, Summary).
 * Nothing here runs anything: the CLI (`npx conform`) does.
 */
import type { CaseResult } from './run/result.js';
import type { Summary } from './run/summary.js';

export { defineConfig, type UserConfig } from './config.js';
export type { Job } from '../contract/job.js';
export type { Protocol } from './protocols.js';
export type { ModuleClient } from './clients/adapter.js';
export type { ClientOutcome } from './clients/outcome.js';
export type { CaseResult } from './run/result.js';
export type { Summary } from './run/summary.js';
export type { ServerEvent, EventType } from '../servers/shared/events.js';

/** reports/results.json (harness/report/json.ts): what `conform merge` reads. */
export interface ResultsFile {
  version: 1;
  /** Whether should-level failures failed the run (`--strict`). */
  strict: boolean;
  summary: Summary;
  results: CaseResult[];
}
