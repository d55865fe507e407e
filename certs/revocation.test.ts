// The revocation data a case's responder serves, checked by an independent
// verifier: `openssl verify -crl_check` reads the CRL, `openssl ocsp` the
// OCSP response (its signature by the root and the leaf's status), and
// `openssl x509` the leaf's pointers.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCertStore, type CertStore } from './index.js';
import { crlToPem } from './revocation.js';

const run = promisify(execFile);
const URLS = { crl: 'http://127.0.0.1:4711/root.crl', ocsp: 'http://127.0.0.1:4711/ocsp' };
let dir: string;
let store: CertStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-revocation-'));
  store = openCertStore({ dir: join(dir, 'store') });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The case's leaf, CRL and OCSP response on disk, as PEM and DER. */
async function files(profile: 'revoked' | 'revocation-good' | 'must-staple') {
  const cert = await store.revocable(profile, URLS);
  const leaf = join(dir, `${profile}.pem`);
  const crl = join(dir, `${profile}.crl`);
  const ocsp = join(dir, `${profile}.ocsp`);
  await writeFile(leaf, cert.certChainPem.slice(0, cert.certChainPem.indexOf('-----END CERTIFICATE-----') + 26));
  await writeFile(
    `${leaf}.issuer`,
    cert.certChainPem.slice(cert.certChainPem.indexOf('-----END CERTIFICATE-----') + 26),
  );
  await writeFile(crl, cert.crls.map(crlToPem).join(''));
  await writeFile(ocsp, cert.ocsp);
  return { cert, leaf, crl, ocsp };
}

async function verifyWithCrl(profile: 'revoked' | 'revocation-good'): Promise<string> {
  const { cert, leaf, crl } = await files(profile);
  const chain = join(dir, `${profile}.chain.pem`);
  await writeFile(chain, cert.certChainPem.slice(cert.certChainPem.indexOf('-----END CERTIFICATE-----') + 26));
  // -crl_check_all: the intermediate is checked against the root's CRL too, as Node's `crl` option does.
  const args = ['verify', '-CAfile', cert.caFile, '-untrusted', chain, '-crl_check_all', '-CRLfile', crl, leaf];
  try {
    return (await run('openssl', args)).stdout.trim();
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '');
  }
}

async function ocspStatus(profile: 'revoked' | 'revocation-good'): Promise<string> {
  const { cert, leaf, ocsp } = await files(profile);
  const args = [
    'ocsp',
    '-respin',
    ocsp,
    '-issuer',
    `${leaf}.issuer`,
    '-CAfile',
    cert.caFile,
    '-cert',
    leaf,
    '-no_nonce',
  ];
  const { stdout, stderr } = await run('openssl', args);
  return `${stdout}${stderr}`;
}

describe('revocation data (openssl)', () => {
  it('a revoked leaf is refused by openssl verify with the CRL, a good one passes', async () => {
    expect(await verifyWithCrl('revoked')).toMatch(/certificate revoked/);
    expect(await verifyWithCrl('revocation-good')).toMatch(/: OK$/);
  });

  it('the OCSP response verifies against the root and says revoked, or good', async () => {
    const revoked = await ocspStatus('revoked');
    expect(revoked).toMatch(/Response verify OK/);
    expect(revoked).toMatch(/: revoked/);
    const good = await ocspStatus('revocation-good');
    expect(good).toMatch(/Response verify OK/);
    expect(good).toMatch(/: good/);
  });

  it('the leaf points at the case responder, and a must-staple leaf carries the TLS feature', async () => {
    const { leaf } = await files('must-staple');
    const { stdout } = await run('openssl', ['x509', '-in', leaf, '-noout', '-text']);
    expect(stdout).toContain('URI:http://127.0.0.1:4711/root.crl');
    expect(stdout).toContain('OCSP - URI:http://127.0.0.1:4711/ocsp');
    expect(stdout).toMatch(/TLS Feature:\s+status_request/);
    expect((await store.revocable('must-staple', URLS)).staple).toBeNull();
    expect((await store.revocable('revoked', URLS)).staple).not.toBeNull();
  });

  it('each call issues a new leaf (a case of its own), and a profile without revocation is refused', async () => {
    const [a, b] = await Promise.all([store.revocable('revoked', URLS), store.revocable('revoked', URLS)]);
    expect(a.serial.equals(b.serial)).toBe(false);
    await expect(store.revocable('valid', URLS)).rejects.toThrow(/no revocation setting/);
  });
});
