import { shouldNotMet } from '../run/summary.js';
import type { Reporter } from './reporter.js';

/** TAP version 14, streamed as cases finish; failures carry a YAML diagnostic block. */
export function tapReporter(out: NodeJS.WritableStream = process.stdout): Reporter {
  let n = 0;
  let multi = false;
  let strict = false;
  return {
    name: 'tap',
    onBegin(info) {
      out.write(`TAP version 14\n1..${info.cases.length * info.clients.length}\n`);
      multi = info.clients.length > 1;
      strict = info.strict;
    },
    onCaseEnd(r) {
      n++;
      // A should failure without --strict does not fail the run: TAP's TODO says "not ok, and that is not a failure".
      const noted = shouldNotMet(r, strict);
      const directive =
        r.status === 'skip'
          ? ` # SKIP ${r.reason ?? ''}`
          : r.status === 'xfail'
            ? ` # TODO ${r.reason ?? ''}`
            : noted
              ? ` # TODO should-level, fails the run only with --strict: ${r.reason ?? ''}`
              : '';
      const ok = r.status === 'pass' || r.status === 'skip';
      out.write(`${ok ? 'ok' : 'not ok'} ${n} - ${r.id}${multi ? ` [${r.client}]` : ''}${directive}\n`);
      if (r.status === 'fail' || r.status === 'error') {
        out.write(
          `  ---\n  message: ${JSON.stringify(r.reason ?? '')}\n  severity: ${r.status === 'error' ? 'error' : r.level}\n  rerun: ${JSON.stringify(r.repro)}\n  ...\n`,
        );
      }
    },
  };
}
