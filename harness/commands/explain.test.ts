/** `explain CASE` on real catalogue cases: what the server will do wrong, where the case is defined, how it is judged. */
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../conform.js';
import { explainCase } from './explain.js';
import { findCase } from './find-case.js';

const cases = await loadCatalogue();

describe('explain', () => {
  it.each([
    ['smtp.starttls.refused-454', 'the server advertises STARTTLS but answers it with 454'],
    ['pop3.downgrade.stls-refused', 'CAPA lists STLS but the server answers it'],
    ['ftps.injection.after-234', '234'],
    ['socks5.negotiation.unoffered-method-with-credentials', 'an authentication method the client did not offer'],
  ])('%s names its server misbehaviour, references, source and witnesses', (id, fault) => {
    const c = findCase(cases, id);
    const text = explainCase(c);
    const misbehaviour = text.split('server misbehaviour:\n')[1]?.split('\n\n')[0] ?? '';
    expect(misbehaviour).toContain(fault);
    expect(text).toContain(`references: ${c.refs.join(', ')}`);
    expect(text).toMatch(new RegExp(`defined at: suites/${c.protocol}/[\\w-]+\\.yaml:\\d+`));
    expect(text).toContain('witnesses: passes with "reference"');
  });

  it('says which ids come close to an unknown one', () => {
    expect(() => findCase(cases, 'smtp.starttls.refused')).toThrow(/did you mean:\n {2}smtp\.starttls\./);
  });
});
