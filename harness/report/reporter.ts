import type { Case } from '../suite/case.js';
import type { CaseResult } from '../run/result.js';
import type { Summary } from '../run/summary.js';

/** A client under test as reports name it. */
export interface ClientInfo {
  /** The label: the profile with its arguments, the command line, or `module FILE`. */
  label: string;
  /** What the client says it is (`curl 8.5.0 …`), when the run could ask it; reports show the label otherwise. */
  version?: string;
}

/** The run's selection, as the results file records it (merge checks that shards agree on it). */
export interface SelectionInfo {
  protocols?: string[];
  grep?: string;
  /** 1-based shard index and count, for a sharded run. */
  shard?: { index: number; total: number };
}

export interface RunInfo {
  cases: Case[];
  /** Labels of the clients under test, in run order. */
  clients: string[];
  /** The clients with their versions where known, in the same order. */
  clientInfo?: ClientInfo[];
  /** Cases run at once (absent when results are replayed by `merge`). */
  workers?: number;
  /** Replayed by `merge`: how many results files it read. */
  mergedFiles?: number;
  /** `should` failures fail the run (--strict). */
  strict: boolean;
  /** When the run started (merge: the earliest shard's start). */
  startedAt: Date;
  selection?: SelectionInfo;
}

/** Reporters implement the hooks they need (as Playwright's do). */
export interface Reporter {
  name: string;
  onBegin?(info: RunInfo): void | Promise<void>;
  onCaseEnd?(result: CaseResult): void | Promise<void>;
  onEnd?(results: CaseResult[], summary: Summary): void | Promise<void>;
}

/**
 * Fans every hook out to each reporter; a reporter that throws is named on
 * stderr and dropped, so one broken reporter cannot end the run or the others.
 */
export class ReporterMux {
  private readonly active: Reporter[];
  readonly faults: string[] = [];

  constructor(reporters: Reporter[]) {
    this.active = [...reporters];
  }

  private async each(hook: (r: Reporter) => void | Promise<void>): Promise<void> {
    for (const reporter of [...this.active]) {
      try {
        await hook(reporter);
      } catch (err) {
        const message = `reporter ${reporter.name} failed and was disabled: ${(err as Error).message}`;
        this.faults.push(message);
        process.stderr.write(`conform: ${message}\n`);
        this.active.splice(this.active.indexOf(reporter), 1);
      }
    }
  }

  onBegin(info: RunInfo): Promise<void> {
    return this.each((r) => r.onBegin?.(info));
  }
  onCaseEnd(result: CaseResult): Promise<void> {
    return this.each((r) => r.onCaseEnd?.(result));
  }
  onEnd(results: CaseResult[], summary: Summary): Promise<void> {
    return this.each((r) => r.onEnd?.(results, summary));
  }
}
