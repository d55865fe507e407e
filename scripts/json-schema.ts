import { z } from 'zod';
import { CaseSchema } from '../harness/suite/case-schema.js';
import { PROTOCOLS } from '../harness/protocols.js';
import type { Protocol } from '../harness/protocols.js';

/**
 * The JSON Schema editors use to complete and check a protocol's suite files
 * (YAML language servers read `# yaml-language-server: $schema=…`): the case
 * schema with that protocol's server options in place of the open `server` map.
 */
export function suiteJsonSchema(protocol: Protocol): object {
  const caseSchema = CaseSchema.extend({ server: PROTOCOLS[protocol].optionsSchema.optional() });
  const schema = z.toJSONSchema(z.array(caseSchema).min(1), { io: 'input', unrepresentable: 'any' });
  return { ...schema, title: `Conform ${protocol} suite file`, $id: `conform-${protocol}-suite` };
}

export { PROTOCOL_NAMES as SCHEMA_PROTOCOLS } from '../harness/protocols.js';
