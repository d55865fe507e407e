import { describe, expect, it } from 'vitest';
import { parseSuite } from './load.js';
import { checkCatalogue } from './check.js';

const valid = `
- id: https.demo.ok
  title: ok
  level: must
  refs: [RFC 1 §1]
  description: 'RFC 1 §1: "The client MUST succeed."'
  expect: [{ outcome: success }]
  witnesses: { pass: reference, fail: reference --flaw skip-verify }
`;

describe('suite loading', () => {
  it('loads a valid case with defaults filled in', () => {
    const { cases, problems } = parseSuite('x.yaml', valid, 'https');
    expect(problems).toEqual([]);
    expect(cases[0]).toMatchObject({
      id: 'https.demo.ok',
      protocol: 'https',
      job: { timeoutMs: 5000 },
      source: { file: 'x.yaml', line: 2 },
    });
    // Unset: the job decides it by protocol and target when it is built (run-case.ts).
    expect(cases[0]!.job.requireTls).toBeUndefined();
    expect(cases[0]!.server).toMatchObject({ certificate: 'valid', minVersion: 'TLSv1.2' });
  });

  it('names file, line, case and field for a bad value', () => {
    const text = valid.replace('level: must', 'level: sometimes');
    const { problems } = parseSuite('suites/https/bad.yaml', text, 'https');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      file: 'suites/https/bad.yaml',
      line: 4,
      caseId: 'https.demo.ok',
      field: 'level',
    });
  });

  it('points into the protocol server options', () => {
    const text = valid.replace('  expect:', '  server:\n    certificate: nonesuch\n  expect:');
    const { problems } = parseSuite('s.yaml', text, 'https');
    expect(problems[0]).toMatchObject({ line: 8, caseId: 'https.demo.ok', field: 'server.certificate' });
  });

  it('names the branch of an expectation that went wrong, not just "invalid input"', () => {
    const text = valid.replace('[{ outcome: success }]', '[{ clientHello: { minVersion: TLSv9 } }]');
    const { problems } = parseSuite('s.yaml', text, 'https');
    expect(problems[0]!.field).toBe('expect[0].clientHello.minVersion');
  });

  it('reports a YAML syntax error with its line', () => {
    const { problems } = parseSuite('s.yaml', '- id: x\n  title: [unclosed\n', 'https');
    expect(problems[0]).toMatchObject({ file: 's.yaml', line: 2 });
    expect(problems[0]!.message).toMatch(/YAML syntax/);
  });

  it.each([
    [
      'a duplicate key',
      '- id: https.demo.a\n  title: t\n  level: must\n  refs: [RFC 1]\n  title: u\n',
      5,
      /Map keys must be unique/,
    ],
    [
      'a tab in the indentation',
      '- id: https.demo.a\n  title: t\n  level: must\n  refs: [RFC 1]\n\texpect: []\n',
      5,
      /Unexpected/,
    ],
    [
      'a [ never closed',
      '- id: https.demo.a\n  title: t\n  level: must\n  refs: [RFC 1\n  expect: []\n',
      4,
      /the \[ opened on this line is not closed with \]/,
    ],
    [
      'a { never closed, after a quoted bracket',
      '- id: https.demo.a\n  title: "a [ b"\n  level: must\n  server: { minVersion: TLSv1.2\n  expect: []\n',
      4,
      /the \{ opened on this line is not closed/,
    ],
    [
      'a colon in a plain value',
      '- id: https.demo.a\n  title: t\n  level: must\n  refs: [RFC 1]\n  expect: []\n  description: a: b\n',
      6,
      /Nested mappings/,
    ],
  ])('names the real line of %s', (_what, text, line, message) => {
    const { problems } = parseSuite('s.yaml', text, 'https');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line });
    expect(problems[0]!.message).toMatch(message);
  });

  it('rejects unknown fields (a typo must not be ignored)', () => {
    const { problems } = parseSuite('s.yaml', valid.replace('level: must', 'level: must\n  levle: should'), 'https');
    expect(problems[0]!.message).toMatch(/levle/);
  });

  it('expands a matrix, substituting values everywhere', () => {
    const text = `
- id: https.demo.\${cert}
  title: \${cert} refused
  level: must
  refs: [RFC 5280]
  matrix: { cert: [expired, self-signed] }
  server: { certificate: '\${cert}' }
  expect: [{ outcome: failure }]
  witnesses: { pass: reference, fail: reference --flaw skip-verify }
`;
    const { cases, problems } = parseSuite('m.yaml', text, 'https');
    expect(problems).toEqual([]);
    expect(cases.map((c) => [c.id, (c.server as { certificate: string }).certificate])).toEqual([
      ['https.demo.expired', 'expired'],
      ['https.demo.self-signed', 'self-signed'],
    ]);
  });
});

describe('catalogue consistency check', () => {
  const ctx = { knownFlaws: new Set(['skip-verify']), knownClients: new Set(['reference', 'curl']) };
  const load = (text: string) => parseSuite('c.yaml', text, 'https').cases;

  it('accepts a consistent catalogue', () => {
    expect(() => checkCatalogue(load(valid), ctx)).not.toThrow();
  });

  it('rejects duplicate ids, with both places', () => {
    const cases = [...load(valid), ...load(valid)];
    expect(() => checkCatalogue(cases, ctx)).toThrow(/duplicate id \(first at c\.yaml:2\)/);
  });

  it('rejects a must case that does not quote its requirement (levels follow the RFC keywords)', () => {
    expect(() => checkCatalogue(load(valid.replace(/  description:.*\n/, '')), ctx)).toThrow(
      /a must case quotes its requirement/,
    );
  });

  it('rejects a judged case without witnesses', () => {
    const text = valid.replace(/  witnesses:.*\n/, '');
    expect(() => checkCatalogue(load(text), ctx)).toThrow(/needs witnesses/);
  });

  it('rejects witnesses naming an unknown flaw or client', () => {
    expect(() => checkCatalogue(load(valid.replace('skip-verify', 'skip-everything')), ctx)).toThrow(
      /unknown flaw "skip-everything"/,
    );
    expect(() => checkCatalogue(load(valid.replace('pass: reference', 'pass: netscape')), ctx)).toThrow(
      /unknown client "netscape"/,
    );
  });

  it('rejects an expectation about an event the protocol never records', () => {
    const text = valid.replace('[{ outcome: success }]', '[{ never: credentials }]');
    expect(() => checkCatalogue(load(text), ctx)).toThrow(/never record/);
  });

  it('rejects an id whose prefix is not its protocol', () => {
    expect(() => checkCatalogue(load(valid.replace('https.demo.ok', 'smtp.demo.ok')), ctx)).toThrow(
      /must start with "https\."/,
    );
  });
});
