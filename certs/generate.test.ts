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
import { x509 } from './x509.js';

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
const root = (): X509Certificate => new X509Certificate(certs.valid.caPem);

describe('every certificate', () => {
  test('says DO NOT TRUST in its subject', () => {
    const all = [root(), ...CERT_PROFILE_NAMES.flatMap(chain)];
    for (const cert of all) expect(cert.subject).toContain('DO NOT TRUST');
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
    const parsed = new x509.X509Certificate(certs['sha1-signature'].certChainPem);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-1' } });
  });

  test('unknown-critical-ext carries the private OID, marked critical', () => {
    const parsed = new x509.X509Certificate(certs['unknown-critical-ext'].certChainPem);
    expect(parsed.extensions.find((e) => e.type === '1.3.6.1.4.1.55555.1')).toMatchObject({ critical: true });
  });

  test('client-auth-eku and client are for clientAuth only; the others for serverAuth', () => {
    expect(leaf('client-auth-eku').keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(leaf('client').keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(leaf('client').subject).toContain('CN=conform-client');
    expect(leaf('valid').keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
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

  test('OpenSSL accepts what a correct client accepts, except the CN fallback', () => {
    const disagree = CERT_PROFILE_NAMES.filter((name) => {
      const p = resolveProfile(name);
      return p.accept !== (p.opensslError === null);
    });
    expect(disagree).toEqual(['cn-only']);
  });
});
