import { z } from 'zod';
import { CaseSchema } from '../harness/suite/case-schema.js';
import { PROTOCOLS } from '../harness/protocols.js';
import type { Protocol } from '../harness/job.js';

/**
 * The JSON Schema editors use to complete and check a protocol's suite files
 * (YAML language servers read `# yaml-language-server: $schema=…`): the case
 * schema with that protocol's server options in place of the open `server` map.
 */
export function suiteJsonSchema(protocol: Protocol): object {
  const def = PROTOCOLS[protocol];
  const caseSchema = def ? CaseSchema.extend({ server: def.optionsSchema.optional() }) : CaseSchema;
  const schema = z.toJSONSchema(z.array(caseSchema).min(1), { io: 'input', unrepresentable: 'any' });
  return { ...schema, title: `Conform ${protocol} suite file`, $id: `conform-${protocol}-suite` };
}

export const SCHEMA_PROTOCOLS = Object.keys(PROTOCOLS) as Protocol[];
