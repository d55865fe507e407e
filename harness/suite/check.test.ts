import { describe, expect, it } from 'vitest';
import { levelProblem } from './check.js';

describe('levels follow the RFC keywords', () => {
  const must = (refs: string[], description?: string) =>
    levelProblem({ level: 'must', refs, ...(description ? { description } : {}) });

  it('accepts a must case that quotes its MUST sentence from a cited section', () => {
    expect(
      must(['RFC 3207 §4.2'], 'RFC 3207 §4.2: "The client MUST discard any knowledge obtained from the server."'),
    ).toBeUndefined();
    expect(must(['RFC 5280 §6.1'], 'As RFC 5280 says, “the path MUST be rejected”.')).toBeUndefined();
  });

  it('accepts a must case that names the CVE of its refs', () => {
    expect(
      must(['CVE-2021-22947', 'RFC 3207 §4.2'], 'Replies injected before TLS (CVE-2021-22947) are not acted on.'),
    ).toBeUndefined();
  });

  it('refuses a must case with no quote, an unquoted keyword, or a quote without a keyword', () => {
    expect(must(['RFC 3207 §4'])).toMatch(/quotes its requirement/);
    expect(must(['RFC 3207 §4'], 'The client MUST stop.')).toMatch(/quotes its requirement/);
    expect(must(['RFC 3207 §4'], 'RFC 3207 says "the client should stop".')).toMatch(/quotes its requirement/);
  });

  it('refuses a must case whose refs name no section and no CVE', () => {
    expect(must(['RFC 3207'], 'RFC 3207: "MUST stop"')).toMatch(/cites an RFC section/);
    expect(must(['curl test 980'], 'CVE-2021-22947')).toMatch(/cites an RFC section/);
  });

  it('asks nothing of should and info cases', () => {
    expect(levelProblem({ level: 'should', refs: ['RFC 2428'] })).toBeUndefined();
    expect(levelProblem({ level: 'info', refs: ['practice'] })).toBeUndefined();
  });
});
