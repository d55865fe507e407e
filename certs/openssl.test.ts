// Every profile is checked by an independent verifier, OpenSSL's `verify`,
// configured the way a TLS client verifies a server (purpose sslserver, the
// profile's host). Each profile's `opensslError` is what it must print first.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CERT_PROFILE_NAMES,
  generateAll,
  resolveProfile,
  type CertProfileName,
  type MaterializedCert,
} from './index.js';

const run = promisify(execFile);
let dir: string;
let certs: Record<CertProfileName, MaterializedCert>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-certs-openssl-'));
  ({ certs } = await generateAll({ dir: join(dir, 'store') }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function splitPem(chain: string): string[] {
  return chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
}

/** Runs `openssl verify` as a client would for this profile; returns 'OK' or the first error. */
async function opensslVerify(name: CertProfileName): Promise<string> {
  const cert = certs[name];
  const profile = resolveProfile(name);
  const [leaf, ...sent] = splitPem(cert.certChainPem);
  const leafFile = join(dir, `${name}.leaf.pem`);
  await writeFile(leafFile, leaf!);
  const args = ['verify', '-CAfile', cert.caFile];
  if (sent.length > 0) {
    // What the server sends besides the leaf is untrusted input to path building.
    const sentFile = join(dir, `${name}.sent.pem`);
    await writeFile(sentFile, sent.join(''));
    args.push('-untrusted', sentFile);
  }
  if (profile.role === 'server') {
    args.push('-purpose', 'sslserver');
    args.push(isIP(cert.host) ? '-verify_ip' : '-verify_hostname', cert.host);
  } else {
    args.push('-purpose', 'sslclient');
  }
  if (profile.opensslAuthLevel !== undefined) args.push('-auth_level', String(profile.opensslAuthLevel));
  args.push(leafFile);
  try {
    const { stdout } = await run('openssl', args);
    return stdout.trim().endsWith(': OK') ? 'OK' : `unexpected output: ${stdout}`;
  } catch (err) {
    const { stderr = '', stdout = '' } = err as { stderr?: string; stdout?: string };
    const first = /error \d+ at \d+ depth lookup: (.+)/.exec(stderr + stdout);
    return first?.[1] ?? `no error line in: ${stderr}${stdout}`;
  }
}

describe('openssl verify', () => {
  test.for(CERT_PROFILE_NAMES.map((name) => [name, resolveProfile(name).opensslError ?? 'OK'] as const))(
    '%s: %s',
    async ([name, expected]) => {
      expect(await opensslVerify(name)).toBe(expected);
    },
  );

  test('rsa-1024 passes at OpenSSL level 1: its fault shows only from level 2', async () => {
    const cert = certs['rsa-1024'];
    const leaf = join(dir, 'rsa-1024.leaf.pem');
    await writeFile(leaf, splitPem(cert.certChainPem)[0]!);
    const args = ['verify', '-CAfile', cert.caFile, '-purpose', 'sslserver', '-auth_level', '1', leaf];
    await expect(run('openssl', args)).resolves.toMatchObject({ stdout: expect.stringContaining(': OK') });
  });

  test('cn-only passes because OpenSSL falls back to the subject CN when there is no subjectAltName', async () => {
    // Recorded, not endorsed: RFC 9525 removed the CN fallback, so the
    // profile's `accept` is false even though OpenSSL (and Node) accept it.
    expect(resolveProfile('cn-only')).toMatchObject({ accept: false, opensslError: null, san: null });
    expect(await opensslVerify('cn-only')).toBe('OK');
  });
});
