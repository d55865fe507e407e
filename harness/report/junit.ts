import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Builder } from 'junit-report-builder';

/** Loaded on first use: `list` and `serve` never pay for it (~90 ms). */
async function loadBuilder(): Promise<Builder> {
  const mod = (await import('junit-report-builder')) as unknown as { default: Builder & { default?: Builder } };
  // A CommonJS module whose typings describe an ES default export; take whichever shape loaded.
  return mod.default.default ?? mod.default;
}
import type { CaseResult } from '../run/result.js';
import type { Reporter } from './reporter.js';
import { failureDetail, transcript } from './transcript.js';

/**
 * CDATA cannot hold "]]>", and the XML builder splits only the first one, so a
 * client that prints it twice would break the report: write it as our
 * transcripts write other awkward bytes.
 */
function cdataSafe(text: string): string {
  return text.replace(/]]>/g, ']]\\x3e');
}

/**
 * JUnit XML as CONTRACT.md shapes it: a testsuite per protocol, one testcase
 * per case (name = id, classname = protocol), <failure> with the unmet
 * expectation as message and the transcript as body, <skipped/>, <error>.
 */
export async function buildJunit(results: CaseResult[]): Promise<string> {
  const clients = [...new Set(results.map((r) => r.client))];
  const builder = (await loadBuilder()).newBuilder().name(`conform (${clients.join(', ')})`);
  const protocols = [...new Set(results.map((r) => r.protocol))];
  // One testsuite per protocol, and per client when several were compared.
  for (const client of clients) for (const protocol of protocols) {
    const group = results.filter((x) => x.protocol === protocol && x.client === client);
    if (!group.length) continue;
    const suite = builder.testSuite().name(clients.length > 1 ? `${protocol} [${client}]` : protocol);
    suite.property('client', client);
    for (const r of group) {
      const tc = suite.testCase().className(protocol).name(r.id).time(r.durationMs / 1000);
      if (r.status === 'fail') tc.failure(`[${r.level}] ${r.reason ?? 'failed'}`, r.level).stacktrace(cdataSafe(failureDetail(r)));
      else if (r.status === 'error') tc.error(`[${r.errorCode ?? 'HARNESS'}] ${r.reason ?? 'harness error'}`, r.errorCode ?? 'harness', cdataSafe(failureDetail(r)));
      else if (r.status === 'skip') tc.skipped().standardOutput(cdataSafe(r.reason ?? 'skipped'));
      // As pytest reports xfail: skipped, with the reason, so CI stays green but shows it.
      else if (r.status === 'xfail') tc.skipped().standardOutput(cdataSafe(`${r.reason ?? 'expected failure'}\n\n${failureDetail(r)}`));
      else tc.standardOutput(cdataSafe(`${r.title}\nreferences: ${r.refs.join(', ')}\n${r.checks.map((c) => `${c.met ? 'met' : 'observed not'}: ${c.expectation}`).join('\n')}\n\n${transcript(r.events, 60)}`));
    }
  }
  // The common JUnit schema (Jenkins xUnit's junit-10.xsd) has no `skipped` on
  // <testsuites>; the builder writes one there, so it is taken off. The tag is
  // matched attribute by attribute: a value (the client's label) may hold ">",
  // which XML leaves unescaped in attributes, but never a bare quote.
  return builder.build().replace(/<testsuites\b(?:\s+[\w:.-]+="[^"]*")*/, (tag) => tag.replace(/\s+skipped="\d+"/, ''));
}

export function junitReporter(file: string): Reporter {
  return {
    name: 'junit',
    async onEnd(results) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await buildJunit(results));
    },
  };
}
