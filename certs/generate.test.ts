// What each generated certificate looks like, field by field, and a check
// that the profile table is consistent with itself.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CERT_PROFILE_NAMES,
  generateAll,
  resolveProfile,
  type CertProfileName,
  type MaterializedCert,
} from './index.js';
import { execFileSync } from 'node:child_process';

const DAY_MS = 86_400_000;
const NOW = new Date();
let dir: string;
let certs: Record<CertProfileName, MaterializedCert>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-certs-generate-'));
  ({ certs } = await generateAll({ dir, now: () => NOW }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function chain(name: CertProfileName): X509Certificate[] {
  const pems = certs[name].certChainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  return (pems ?? []).map((pem) => new X509Certificate(pem));
}
const leaf = (name: CertProfileName): X509Certificate => chain(name)[0]!;
const leafPem = (name: CertProfileName): string => leaf(name).toString();
/** `openssl x509 -text` of one certificate: an independent parser's reading of the DER. */
const opensslText = (pem: string): string =>
  execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
const root = (): X509Certificate => new X509Certificate(certs.valid.caPem);

describe('every certificate', () => {
  test('says DO NOT TRUST in its subject, unless it has none', () => {
    const all = [root(), ...CERT_PROFILE_NAMES.filter((n) => n !== 'no-subject').flatMap(chain)];
    for (const cert of all) expect(cert.subject).toContain('DO NOT TRUST');
    expect(leaf('no-subject').subject).toBeUndefined();
    expect(root().subject).toContain('CN=Conform Root CA DO NOT TRUST');
  });

  test('has a random positive serial number of 16 bytes, none repeated', () => {
    const serials = [root(), ...CERT_PROFILE_NAMES.map(leaf)].map((c) => c.serialNumber);
    for (const s of serials) expect(s).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(new Set(serials).size).toBe(serials.length);
  });

  test('is backdated one day unless its profile is about validity', () => {
    for (const name of CERT_PROFILE_NAMES) {
      const [from, to] = resolveProfile(name).validDays;
      const cert = leaf(name);
      // X.509 times have whole seconds.
      expect(Math.abs(Date.parse(cert.validFrom) - (NOW.getTime() + from * DAY_MS))).toBeLessThan(1000);
      expect(Math.abs(Date.parse(cert.validTo) - (NOW.getTime() + to * DAY_MS))).toBeLessThan(1000);
    }
    expect(resolveProfile('valid').validDays).toEqual([-1, 30]);
    expect(resolveProfile('expired').validDays).toEqual([-30, -1]);
    expect(resolveProfile('not-yet-valid').validDays).toEqual([1, 30]);
  });
});

describe('profiles', () => {
  test('valid names localhost, 127.0.0.1 and ::1', () => {
    expect(leaf('valid').subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  });

  test('valid-chain and ca-false-intermediate send their issuer; missing-intermediate does not', () => {
    expect(chain('valid-chain')).toHaveLength(2);
    expect(chain('ca-false-intermediate')).toHaveLength(2);
    expect(chain('missing-intermediate')).toHaveLength(1);
    expect(leaf('missing-intermediate').issuer).toContain('Conform Intermediate CA');
    expect(chain('ca-false-intermediate')[1]!.ca).toBe(false);
    expect(chain('valid-chain')[1]!.ca).toBe(true);
  });

  test('self-signed and untrusted-root are not issued by the Conform root', () => {
    const self = leaf('self-signed');
    // Not checkIssued(): OpenSSL's issuer check wants keyCertSign, which a leaf lacks.
    expect(self.issuer).toBe(self.subject);
    expect(self.verify(self.publicKey)).toBe(true);
    expect(leaf('untrusted-root').issuer).toContain('CN=Conform Untrusted Root');
    expect(leaf('untrusted-root').verify(root().publicKey)).toBe(false);
  });

  test('cn-only has no subjectAltName at all', () => {
    expect(leaf('cn-only').subjectAltName).toBeUndefined();
    expect(leaf('cn-only').subject).toContain('CN=localhost');
  });

  test('wildcard, wrong-host and ip-san carry only the names they are about', () => {
    expect(leaf('wildcard').subjectAltName).toBe('DNS:*.conform.test');
    expect(leaf('wrong-host').subjectAltName).toBe('DNS:wrong.example');
    expect(leaf('ip-san').subjectAltName).toBe('IP Address:127.0.0.1');
  });

  test('bad-signature still parses but its signature does not verify', () => {
    expect(leaf('valid').verify(root().publicKey)).toBe(true);
    expect(leaf('bad-signature').verify(root().publicKey)).toBe(false);
  });

  test('rsa-1024 has a 1024-bit RSA key; the rest use P-256', () => {
    expect(leaf('rsa-1024').publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 1024 });
    expect(leaf('valid').publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
  });

  test('sha1-signature is signed with ecdsa-with-SHA1', () => {
    expect(opensslText(leafPem('sha1-signature'))).toMatch(/Signature Algorithm: ecdsa-with-SHA1/);
  });

  test('unknown-critical-ext carries the private OID, marked critical', () => {
    expect(opensslText(leafPem('unknown-critical-ext'))).toMatch(/1\.3\.6\.1\.4\.1\.55555\.1: critical/);
  });

  test('client-auth-eku and client are for clientAuth only; the others for serverAuth', () => {
    expect(leaf('client-auth-eku').keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(leaf('client').keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(leaf('client').subject).toContain('CN=conform-client');
    expect(leaf('valid').keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });
});

describe('keys, names and chains of the newer profiles', () => {
  const bits = (name: CertProfileName) => leaf(name).publicKey.asymmetricKeyDetails;

  test('RSA leaves have the size their name says; P-384 and Ed25519 their kinds', () => {
    expect(bits('rsa-2048')).toMatchObject({ modulusLength: 2048 });
    expect(bits('rsa-4096')).toMatchObject({ modulusLength: 4096 });
    expect(bits('rsa-8192')).toMatchObject({ modulusLength: 8192 });
    expect(bits('ecdsa-p384')).toMatchObject({ namedCurve: 'secp384r1' });
    expect(leaf('ed25519').publicKey.asymmetricKeyType).toBe('ed25519');
    expect(chain('rsa-4096-chain')[1]!.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 4096 });
  });

  test('the names: an empty subject with a critical subjectAltName, no CN, 1,000 and 10,000 names with the host last', () => {
    expect(opensslText(leafPem('no-subject'))).toMatch(/X509v3 Subject Alternative Name: critical/);
    expect(leaf('no-cn').subject).toBe('O=Conform test certificates DO NOT TRUST');
    for (const [name, count] of [
      ['sans-1000', 1000],
      ['sans-10000', 10000],
    ] as const) {
      const sans = leaf(name).subjectAltName!.split(', ');
      expect(sans).toHaveLength(count);
      expect(sans.at(-1)).toBe('DNS:localhost');
    }
    expect(resolveProfile('long-host').host).toHaveLength(253);
    expect(leaf('long-host').subjectAltName).toBe(`DNS:${resolveProfile('long-host').host}`);
    expect(leaf('idn-unicode').subjectAltName).toBe('DNS:xn--bcher-kva.conform.test');
  });

  test('the chains are sent as their profiles say, each link signed by the next', () => {
    const sent = (name: CertProfileName) =>
      chain(name)
        .slice(1)
        .map((c) => /CN=([^\n]+)/.exec(c.subject)![1]);
    expect(sent('chain-out-of-order')).toEqual([
      'Conform Upper Intermediate DO NOT TRUST',
      'Conform Lower Intermediate DO NOT TRUST',
    ]);
    expect(sent('pathlen-exceeded')).toEqual([
      'Conform Beyond-pathLen Intermediate DO NOT TRUST',
      'Conform Intermediate CA DO NOT TRUST',
    ]);
    expect(sent('chain-extra-certs')).toEqual([
      'Conform Intermediate CA DO NOT TRUST',
      'Conform Untrusted Root',
      'Conform Root CA DO NOT TRUST',
    ]);
    const [leafCert, upper, lower] = chain('chain-out-of-order');
    expect(leafCert!.verify(lower!.publicKey)).toBe(true);
    expect(lower!.verify(upper!.publicKey)).toBe(true);
    expect(upper!.verify(root().publicKey)).toBe(true);
  });

  test("the cross-certificate carries the root's subject and key, issued by the old root, and is expired", () => {
    const cross = chain('cross-signed-expired-path')[2]!;
    expect(cross.subject).toBe(root().subject);
    expect(cross.publicKey.equals(root().publicKey)).toBe(true);
    expect(cross.issuer).toContain('CN=Conform Old Root DO NOT TRUST');
    expect(Date.parse(cross.validTo)).toBeLessThan(NOW.getTime());
  });

  test('the constrained and broken intermediates carry what they are about', () => {
    const text = (name: CertProfileName) => opensslText(chain(name)[1]!.toString());
    expect(text('name-constraints-dns')).toMatch(/Name Constraints: critical\s+Permitted:\s+DNS:conform\.test/);
    expect(text('name-constraints-excluded')).toMatch(/Excluded:\s+DNS:localhost/);
    expect(text('name-constraints-dirname')).toMatch(/Permitted:\s+DirName:O ?= ?Another organization DO NOT TRUST/);
    expect(text('intermediate-no-certsign')).toMatch(/Key Usage: critical\s+Digital Signature, CRL Sign\n/);
    expect(text('intermediate-critical-ext')).toMatch(/1\.3\.6\.1\.4\.1\.55555\.2: critical/);
    expect(text('sha1-intermediate')).toMatch(/Signature Algorithm: ecdsa-with-SHA1/);
    expect(Date.parse(chain('expired-intermediate')[1]!.validTo)).toBeLessThan(NOW.getTime());
  });
});

describe('the profile table', () => {
  test('every profile explains itself in one line and cites a reference', () => {
    for (const name of CERT_PROFILE_NAMES) {
      const p = resolveProfile(name);
      expect(p.explain, name).toMatch(/^[^\n]{10,120}$/);
      expect(p.refs.length, name).toBeGreaterThan(0);
    }
  });

  test('OpenSSL accepts what a correct client accepts, but for three name checks it leaves to the caller', () => {
    const disagree = CERT_PROFILE_NAMES.filter((name) => {
      const p = resolveProfile(name);
      return p.accept !== (p.opensslError === null);
    });
    // The CN fallback and partial wildcards, which `openssl verify` still allows by default, and
    // U-labels, which it compares as given where a client converts them to A-labels first; and the
    // revocation profiles, which it judges only with their CRL or OCSP answer (certs/revocation.test.ts).
    expect(disagree).toEqual([
      'cn-only',
      'idn-unicode',
      'wildcard-partial',
      'revoked',
      'revoked-unstapled',
      'must-staple',
    ]);
  });
});
