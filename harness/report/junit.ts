import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Builder, TestCase } from 'junit-report-builder';
import type { CaseResult } from '../run/result.js';
import { failsRun, shouldNotMet } from '../run/summary.js';
import type { ClientInfo, Reporter } from './reporter.js';
import { failureDetail, transcript } from './transcript.js';

/** Loaded on first use: `list` and `serve` never pay for it (~90 ms). */
async function loadBuilder(): Promise<Builder> {
  const mod = (await import('junit-report-builder')) as unknown as { default: Builder & { default?: Builder } };
  // A CommonJS module whose typings describe an ES default export; take whichever shape loaded.
  return mod.default.default ?? mod.default;
}

/**
 * CDATA cannot hold "]]>", and the XML builder splits only the first one, so a
 * client that prints it twice would break the report: write it as our
 * transcripts write other awkward bytes.
 */
function cdataSafe(text: string): string {
  return text.replace(/]]>/g, ']]\\x3e');
}

/**
 * `<skipped message="…"/>`: the builder writes a bare <skipped/>, so the
 * reason is set on the element it built (the xmlbuilder node, which escapes it).
 */
function skipWithMessage(tc: TestCase, message: string): void {
  tc.skipped();
  const build = tc.build.bind(tc);
  tc.build = (parent) => {
    const element = build(parent);
    for (const child of element.children) {
      const node = child as typeof element;
      if (node.name === 'skipped') node.att('message', message);
    }
    return element;
  };
}

export interface JunitOptions {
  /** `should` failures are <failure>s (--strict); without it they are notes, as they do not fail the run. */
  strict: boolean;
  /** The run's start, each testsuite's `timestamp`. */
  startedAt?: Date;
  /** Versions of the clients, recorded as testsuite properties. */
  clients?: ClientInfo[];
}

/** What a passing case's <system-out> holds: its checklist and transcript. */
function passDetail(r: CaseResult): string {
  return `${r.title}\nreferences: ${r.refs.join(', ')}\n${r.checks.map((c) => `${c.met ? 'met' : 'observed not'}: ${c.expectation}`).join('\n')}\n\n${transcript(r.events, 60)}`;
}

/**
 * JUnit XML as docs/contract.md shapes it: a testsuite per protocol (and client),
 * one testcase per case (name = id, classname = protocol, or
 * `<client>.<protocol>` when several clients ran), <failure> with the unmet
 * expectation as message and the transcript as body, <skipped message>,
 * <error>. What is a <failure> is exactly what fails the run (failsRun), so a
 * CI viewer shows the verdict the exit status gives: a `should` failure
 * without --strict is a note (a testsuite property and the case's
 * <system-out>), not a failure.
 */
export async function buildJunit(results: CaseResult[], opts: JunitOptions = { strict: false }): Promise<string> {
  const clients = [...new Set(results.map((r) => r.client))];
  const multi = clients.length > 1;
  // The run's clients name the report even when it holds no case (an empty shard).
  const builder = (await loadBuilder())
    .newBuilder()
    .name(`conform (${(clients.length ? clients : (opts.clients ?? []).map((c) => c.label)).join(', ')})`);
  const protocols = [...new Set(results.map((r) => r.protocol))];
  for (const client of clients)
    for (const protocol of protocols) {
      const group = results.filter((x) => x.protocol === protocol && x.client === client);
      if (!group.length) continue;
      const suite = builder.testSuite().name(multi ? `${protocol} [${client}]` : protocol);
      // Seconds the cases took, summed as Surefire does (cases overlap when several workers run).
      suite.time(group.reduce((sum, r) => sum + r.durationMs, 0) / 1000);
      if (opts.startedAt) suite.timestamp(opts.startedAt);
      suite.property('client', client);
      const version = opts.clients?.find((c) => c.label === client)?.version;
      if (version) suite.property('client-version', version);
      suite.property('strict', String(opts.strict));
      // The schema allows no properties on a testcase: each noted should-failure is a suite property naming it.
      for (const r of group) if (shouldNotMet(r, opts.strict)) suite.property('should-not-met', r.id);
      const classname = multi ? `${client}.${protocol}` : protocol;
      for (const r of group) {
        const tc = suite
          .testCase()
          .className(classname)
          .name(r.id)
          .time(r.durationMs / 1000);
        if (failsRun(r, opts.strict))
          tc.failure(`[${r.level}] ${r.reason ?? 'failed'}`, r.level).stacktrace(cdataSafe(failureDetail(r)));
        else if (shouldNotMet(r, opts.strict)) {
          tc.standardOutput(
            cdataSafe(
              `NOTE: should-level expectation not met; this does not fail the run (only --strict makes it a failure)\n${failureDetail(r)}`,
            ),
          );
        } else if (r.status === 'error')
          tc.error(
            `[${r.errorCode ?? 'HARNESS'}] ${r.reason ?? 'harness error'}`,
            r.errorCode ?? 'harness',
            cdataSafe(failureDetail(r)),
          );
        else if (r.status === 'skip') {
          skipWithMessage(tc, r.reason ?? 'skipped');
          tc.standardOutput(cdataSafe(r.reason ?? 'skipped'));
        } else if (r.status === 'xfail') {
          // As pytest reports xfail: skipped, with the reason, so CI stays green but shows it.
          skipWithMessage(tc, r.reason ?? 'expected failure');
          tc.standardOutput(cdataSafe(`${r.reason ?? 'expected failure'}\n\n${failureDetail(r)}`));
        } else tc.standardOutput(cdataSafe(passDetail(r)));
      }
    }
  // The common JUnit schema (Jenkins xUnit's junit-10.xsd) has no `skipped` on
  // <testsuites>; the builder writes one there, so it is taken off. The tag is
  // matched attribute by attribute: a value (the client's label) may hold ">",
  // which XML leaves unescaped in attributes, but never a bare quote.
  return builder.build().replace(/<testsuites\b(?:\s+[\w:.-]+="[^"]*")*/, (tag) => tag.replace(/\s+skipped="\d+"/, ''));
}

export function junitReporter(file: string): Reporter {
  let opts: JunitOptions = { strict: false };
  return {
    name: 'junit',
    onBegin(info) {
      opts = {
        strict: info.strict,
        startedAt: info.startedAt,
        ...(info.clientInfo ? { clients: info.clientInfo } : {}),
      };
    },
    async onEnd(results, summary) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await buildJunit(results, { ...opts, strict: summary.strict }));
    },
  };
}
