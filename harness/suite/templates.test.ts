import { describe, expect, test } from 'vitest';
import type { SuiteFile } from './files.js';
import { instantiateTemplates, TLS_TARGETS } from './templates.js';

const file = (text: string): SuiteFile[] => [
  { protocol: 'tls', path: 'suites/tls/t.yaml', displayName: 'suites/tls/t.yaml', text },
];

const REFUSED = `- id: tls.certificate.expired
  title: An expired certificate is refused
  level: must
  refs: [RFC 5280 §6.1.3]
  description: 'RFC 5280 §6.1.3: "The certificate MUST satisfy each of the following"'
  server: { certificate: expired }
  expect: [refused]
  witnesses: { pass: reference, fail: reference --flaw skip-verify }
`;

describe('TLS templates', () => {
  test('one template becomes a case per protocol and TLS mode, named <protocol>.<group>.<mode>-<name>', async () => {
    const { cases, problems } = await instantiateTemplates(file(REFUSED));
    expect(problems).toEqual([]);
    // In the registry's order (harness/protocols.ts), each protocol's modes as its descriptor lists them.
    expect(cases.map((c) => c.id).sort()).toEqual(
      [
        'https.certificate.expired',
        'smtp.certificate.starttls-expired',
        'smtp.certificate.implicit-expired',
        'imap.certificate.starttls-expired',
        'imap.certificate.implicit-expired',
        'pop3.certificate.stls-expired',
        'pop3.certificate.implicit-expired',
        'ftps.certificate.explicit-expired',
        'ftps.certificate.implicit-expired',
        'socks5.certificate.expired',
      ].sort(),
    );
    expect(cases).toHaveLength(TLS_TARGETS.length);
  });

  test('each instance gets its mode, its protocol’s refs and its title label; every instance points at the template', async () => {
    const { cases } = await instantiateTemplates(file(REFUSED));
    const smtp = cases.find((c) => c.id === 'smtp.certificate.starttls-expired')!;
    expect(smtp.server).toMatchObject({ tls: 'starttls', certificate: 'expired' });
    expect(smtp.title).toBe('An expired certificate is refused (SMTP, STARTTLS)');
    expect(smtp.refs).toEqual(['RFC 5280 §6.1.3', 'RFC 8314 §5.3']);
    expect(cases.find((c) => c.protocol === 'socks5')!.server).toMatchObject({
      target: 'https',
      certificate: 'expired',
    });
    expect(new Set(cases.map((c) => `${c.source.file}:${c.source.line}`))).toEqual(new Set(['suites/tls/t.yaml:1']));
  });

  test('"refused" and "accepted" are spelled out per protocol', async () => {
    const accepted = REFUSED.replace('[refused]', '[accepted, { never: plaintext-on-tls-port }]');
    const { cases } = await instantiateTemplates(
      file(`${REFUSED}${accepted.replace('tls.certificate.expired', 'tls.certificate.ok')}`),
    );
    const expectOf = (id: string) => cases.find((c) => c.id === id)!.expect;
    expect(expectOf('https.certificate.expired')).toEqual([{ outcome: 'failure' }, { never: 'command' }]);
    expect(expectOf('pop3.certificate.stls-expired')).toEqual([
      { outcome: 'failure' },
      { never: 'credentials' },
      { never: { type: 'command', layer: 'tls' } },
    ]);
    expect(expectOf('smtp.certificate.implicit-expired')).toContainEqual({ delivered: 'nothing' });
    expect(expectOf('socks5.certificate.expired')).toEqual([
      { outcome: 'failure' },
      { never: { type: 'command', verb: 'GET' } },
    ]);
    expect(expectOf('smtp.certificate.starttls-ok')).toEqual([
      { outcome: 'success' },
      { delivered: 'input' },
      { never: 'plaintext-on-tls-port' },
    ]);
    expect(expectOf('ftps.certificate.explicit-ok')).toEqual([
      { outcome: 'success' },
      { output: 'served' },
      { never: 'plaintext-on-tls-port' },
    ]);
  });

  test('protocols: and modes: first narrow the instances', async () => {
    const narrowed = REFUSED.replace('level: must', 'level: must\n  protocols: [smtp, https]\n  modes: first');
    const { cases } = await instantiateTemplates(file(narrowed));
    expect(cases.map((c) => c.id)).toEqual(['https.certificate.expired', 'smtp.certificate.starttls-expired']);
  });

  test('a template’s own matrix still expands, inside each instance', async () => {
    const matrix = REFUSED.replace('tls.certificate.expired', 'tls.certificate.${cert}')
      .replace('{ certificate: expired }', "{ certificate: '${cert}' }")
      .replace('level: must', 'level: must\n  protocols: [pop3]\n  matrix: { cert: [expired, self-signed] }');
    const { cases } = await instantiateTemplates(file(matrix));
    expect(cases.map((c) => c.id)).toEqual([
      'pop3.certificate.stls-expired',
      'pop3.certificate.stls-self-signed',
      'pop3.certificate.implicit-expired',
      'pop3.certificate.implicit-self-signed',
    ]);
  });

  test('problems name the template file, its line and the field, through the spelled-out words', async () => {
    const typo = (id: string, server: string, outcome: string) => `- id: tls.certificate.${id}
  title: t
  level: must
  refs: [RFC 5280 §6.1.3]
  description: 'RFC 5280 §6.1.3: "The certificate MUST satisfy each of the following"'
  server: { certificate: ${server} }
  expect:
    - refused
    - { outcome: ${outcome} }
  witnesses: { pass: reference, fail: reference --flaw skip-verify }
`;
    const server = await instantiateTemplates(file(`${REFUSED}${typo('server', 'expird', 'failure')}`));
    expect(server.problems.find((p) => p.caseId === 'https.certificate.server')).toMatchObject({
      file: 'suites/tls/t.yaml',
      line: 14,
      field: 'server.certificate',
    });
    // The fourth expectation of the SMTP instance is the template's second, on line 17.
    const expectation = await instantiateTemplates(file(`${REFUSED}${typo('expect', 'expired', 'sucess')}`));
    expect(expectation.problems.find((p) => p.caseId === 'smtp.certificate.starttls-expect')).toMatchObject({
      line: 17,
      field: 'expect[4].outcome',
    });
  });

  test('a template id must start with tls., and protocols must speak TLS', async () => {
    const { problems } = await instantiateTemplates(
      file(
        REFUSED.replace('tls.certificate.expired', 'https.certificate.expired').replace(
          'level: must',
          'level: must\n  protocols: [gopher]',
        ),
      ),
    );
    expect(problems.map((p) => p.field)).toEqual(['id', 'protocols.0']);
    expect(problems.every((p) => p.line > 0)).toBe(true);
  });
});
