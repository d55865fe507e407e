import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';

/**
 * A client's known results (as BoringSSL's per-shim expectation lists): the
 * cases it is expected to fail or skip, each with the reason found by
 * investigating it. Everything not listed is expected to pass.
 */
const ExpectationFileSchema = z.object({
  /** Which client and version the file was measured with. */
  client: z.string().min(1),
  fail: z.record(z.string(), z.string().min(1, 'every expected failure needs its reason')).default({}),
  skip: z.record(z.string(), z.string().min(1, 'every expected skip needs its reason')).default({}),
}).strict();

export type ClientExpectations = z.infer<typeof ExpectationFileSchema>;

export async function loadExpectations(file: string): Promise<ClientExpectations> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new UsageError('BAD_FLAG', `cannot read expectation file ${file}: ${err.message}`);
  });
  const parsed = ExpectationFileSchema.safeParse(parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError('BAD_FLAG', `${file}: field ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** What the file expects of a case: `fail`, `skip`, or `pass` when it is not listed. */
export function expectedVerdict(exp: ClientExpectations, id: string): { verdict: 'pass' | 'fail' | 'skip'; reason?: string } {
  if (exp.fail[id]) return { verdict: 'fail', reason: exp.fail[id] };
  if (exp.skip[id]) return { verdict: 'skip', reason: exp.skip[id] };
  return { verdict: 'pass' };
}
