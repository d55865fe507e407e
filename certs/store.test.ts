// The cache: what is reused, what is remade and when, and that concurrent
// writers never hand out a key, chain and CA file that do not belong together.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CERT_PROFILE_NAMES, generateAll, openCertStore, type MaterializedCert } from './index.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const at = (offsetMs: number) => () => new Date(Date.now() + offsetMs);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-certs-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The leaf was signed by the key of the root in the profile's own CA file. */
function issuedByCaFile(cert: MaterializedCert): boolean {
  const leaf = new X509Certificate(cert.certChainPem);
  return leaf.verify(new X509Certificate(cert.caPem).publicKey);
}

describe('cache', () => {
  test('a second store on the same folder reads every profile back without generating', async () => {
    const cold = await generateAll({ dir });
    expect(cold.generated).toEqual(CERT_PROFILE_NAMES);
    const warm = await generateAll({ dir });
    expect(warm.generated).toEqual([]);
    for (const name of CERT_PROFILE_NAMES) {
      const { origin: _c, ...before } = cold.certs[name];
      const { origin, ...after } = warm.certs[name];
      expect(origin).toBe('cache');
      expect(after).toEqual(before);
    }
  });

  test('generateAll leaves a record index; an entry naming files that are gone falls back to the folder', async () => {
    const cold = await generateAll({ dir });
    const index = JSON.parse(await readFile(join(dir, 'records.json'), 'utf8')) as {
      records: Record<string, { id: string }>;
    };
    expect(Object.keys(index.records).sort()).toEqual(['ca', ...CERT_PROFILE_NAMES].sort());
    index.records.valid!.id = '0000000000000000';
    await writeFile(join(dir, 'records.json'), JSON.stringify(index));
    // The folder's own current.json is the truth: the generation it names still serves.
    const warm = await openCertStore({ dir }).get('valid');
    expect(warm.origin).toBe('cache');
    expect(warm.keyFile).toBe(cold.certs.valid.keyFile);
  });

  test('one store materializes a profile once, however many ask at the same time', async () => {
    const store = openCertStore({ dir });
    const [a, b] = await Promise.all([store.get('valid'), store.get('valid')]);
    expect(a).toBe(b);
  });

  test('past the leaf age (12 hours) leaves are remade and the CA is kept', async () => {
    const first = await openCertStore({ dir }).get('valid');
    const later = await openCertStore({ dir, now: at(13 * HOUR_MS) }).get('valid');
    expect(later.origin).toBe('generated');
    expect(later.keyFile).not.toBe(first.keyFile);
    expect(later.caFile).toBe(first.caFile);
    expect(issuedByCaFile(later)).toBe(true);
  });

  test('within 7 days of the root expiring, the CA and its dependents are remade', async () => {
    const first = await openCertStore({ dir }).get('valid-chain');
    const later = await openCertStore({ dir, now: at(360 * DAY_MS) }).get('valid-chain');
    expect(later.origin).toBe('generated');
    expect(later.caFile).not.toBe(first.caFile);
    const [leaf, intermediate] = later.certChainPem.split(/(?<=-----END CERTIFICATE-----\n)/);
    expect(new X509Certificate(leaf!).verify(new X509Certificate(intermediate!).publicKey)).toBe(true);
    expect(new X509Certificate(intermediate!).verify(new X509Certificate(later.caPem).publicKey)).toBe(true);
  });

  test('a record from the future (the clock stepped back) is not trusted', async () => {
    await openCertStore({ dir }).get('valid');
    const earlier = await openCertStore({ dir, now: at(-HOUR_MS) }).get('valid');
    expect(earlier.origin).toBe('generated');
  });

  test('a profile with a missing file is remade, and the others are kept', async () => {
    const first = await openCertStore({ dir }).get('valid');
    await openCertStore({ dir }).get('expired');
    await unlink(first.certChainFile);
    const store = openCertStore({ dir });
    expect((await store.get('valid')).origin).toBe('generated');
    expect((await store.get('expired')).origin).toBe('cache');
  });

  test('a profile whose definition hash changed is remade', async () => {
    const first = await openCertStore({ dir }).get('wildcard');
    const recordFile = join(dirname(first.keyFile), 'current.json');
    const record = JSON.parse(await readFile(recordFile, 'utf8')) as { defHash: string };
    await writeFile(recordFile, JSON.stringify({ ...record, defHash: 'an older definition' }));
    expect((await openCertStore({ dir }).get('wildcard')).origin).toBe('generated');
  });

  test('private keys are mode 0600 and folders 0700', async () => {
    const cert = await openCertStore({ dir }).get('valid');
    expect((await stat(cert.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(cert.keyFile))).mode & 0o777).toBe(0o700);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const caKeys = (await readdir(dirname(cert.caFile))).filter((f) => f.endsWith('.key.pem'));
    expect(caKeys).toHaveLength(2);
    for (const f of caKeys) expect((await stat(join(dirname(cert.caFile), f))).mode & 0o777).toBe(0o600);
  });

  test('superseded files are deleted once a day old, not before', async () => {
    const first = await openCertStore({ dir }).get('valid');
    const second = await openCertStore({ dir, now: at(13 * HOUR_MS) }).get('valid');
    const folder = dirname(first.keyFile);
    expect(await readdir(folder)).toContain(basename(first.keyFile)); // superseded, but recent
    const old = new Date(Date.now() - 2 * DAY_MS);
    await utimes(first.keyFile, old, old);
    await openCertStore({ dir, now: at(26 * HOUR_MS) }).get('valid');
    const left = await readdir(folder);
    expect(left).not.toContain(basename(first.keyFile));
    expect(left).toContain(basename(second.keyFile));
  });

  test('two stores generating into one empty folder at once each hand out a consistent set', async () => {
    const [a, b] = await Promise.all([generateAll({ dir }), generateAll({ dir })]);
    const c = await generateAll({ dir }); // whichever records won
    for (const run of [a, b, c]) {
      for (const name of ['valid', 'valid-chain', 'expired', 'client'] as const) {
        const cert = run.certs[name];
        expect(await readFile(cert.caFile, 'utf8')).toBe(cert.caPem);
        expect(await readFile(cert.certChainFile, 'utf8')).toBe(cert.certChainPem);
        expect(await readFile(cert.keyFile, 'utf8')).toBe(cert.keyPem);
        if (name !== 'valid-chain') expect(issuedByCaFile(cert)).toBe(true);
      }
      // The client certificate and the servers' client CA come from one root.
      expect(run.certs.client.caPem).toBe(run.certs.valid.clientCaPem);
    }
  });

  test('an unknown profile is a usage error with a stable code', async () => {
    const store = openCertStore({ dir });
    await expect(store.get('nope' as never)).rejects.toMatchObject({ code: 'CERT_UNKNOWN_PROFILE' });
  });

  test('cold and warm materialization stay fast (targets: 500 ms and 20 ms, unloaded)', async () => {
    // Generous bounds: the suite shares two cores with other test files.
    const cold = await generateAll({ dir });
    const warm = await generateAll({ dir });
    expect(cold.ms).toBeLessThan(2_000);
    expect(warm.ms).toBeLessThan(200);
  });
});
