// Public face of certs/: materialize a named certificate profile (from the
// on-disk cache, or freshly generated) as PEM strings and files that servers
// and clients under test can use.
import { resolve } from 'node:path';
import { certsCacheDir, keysCacheDir } from './cache-dir.js';
import { PROFILES, resolveProfile, type CertProfileName, type ServerTls } from './profiles.js';
import { loadCa, loadProfile, RecordIndex, type CaBundle, type Origin } from './store.js';
import type { RevocationUrls } from './revocation.js';

export { AUTHORITIES } from './authorities.js';
export { PROFILES, resolveProfile } from './profiles.js';
export type { CertProfileName, DhGroup, ProfileDefinition, ResolvedProfile, ServerTls } from './profiles.js';
export type { Origin } from './store.js';
export type { RevocationSetting, RevocationUrls } from './revocation.js';

export const CERT_PROFILE_NAMES: readonly CertProfileName[] = Object.freeze(Object.keys(PROFILES) as CertProfileName[]);

export function isCertProfileName(s: string): s is CertProfileName {
  return Object.hasOwn(PROFILES, s);
}

export interface MaterializedCert {
  profile: CertProfileName;
  /** The name the client connects to and verifies. */
  host: string;
  /** One line saying what is wrong with the certificate, for reports. */
  explain: string;
  /** The server's private key (for the `client` profile: the client's), PKCS#8 PEM. */
  keyPem: string;
  /** Exactly what the server presents: the leaf, then any chain it sends. */
  certChainPem: string;
  /** `keyPem` on disk, mode 0600. */
  keyFile: string;
  /** `certChainPem` on disk. */
  certChainFile: string;
  /** PEM trust anchors for the client: the Conform root only, whatever the profile. */
  caFile: string;
  /** Contents of `caFile`. */
  caPem: string;
  /** The CA a server uses to verify client certificates (the Conform root). */
  clientCaPem: string;
  /**
   * OpenSSL security level the server (or, for `client`, the client) must run
   * at to load this certificate, e.g. via `ciphers: 'DEFAULT@SECLEVEL=0'`;
   * null when the default works.
   */
  securityLevel: number | null;
  /**
   * TLS settings the presenting server must use besides the case's own (a
   * static-RSA-only or DHE-only server); null when none. A DH group is named
   * here and turned into parameters by the server (certs/dh-params.ts).
   */
  server: ServerTls | null;
  /** When this profile's generation was made. */
  generatedAt: Date;
  /** Whether this call made it or found it in the cache. */
  origin: Origin;
}

/** A revocation profile's leaf, issued for one case (CertStore.revocable), with what its issuer publishes of it. */
export interface RevocableCert extends MaterializedCert {
  /** The leaf's serial number (the INTEGER's contents). */
  serial: Buffer;
  /** The issuer's CRL (DER), served at the leaf's distribution point: lists the leaf when the profile is revoked. */
  crl: Buffer;
  /**
   * Every CRL a full check of the path needs (DER): the issuer's, and the root's (listing nothing) for
   * an intermediate issuer, as clients that check the whole chain (Node's `crl` option) want.
   */
  crls: Buffer[];
  /** The issuer's OCSP response for the leaf (DER): good or revoked. */
  ocsp: Buffer;
  /** What the server staples when a client asks (RFC 6066 §8): `ocsp`, or null. */
  staple: Buffer | null;
}

export interface CertStore {
  get(profile: CertProfileName): Promise<MaterializedCert>;
  /**
   * A revocation profile's leaf issued now, its CRL distribution point and
   * OCSP responder at `urls` (a case's own responder, on a port known only
   * once it listens), with the CRL and OCSP response the root signs for it.
   * An EC leaf and two signatures: about a millisecond, so made per case.
   */
  revocable(profile: CertProfileName, urls: RevocationUrls): Promise<RevocableCert>;
  /**
   * Writes what this store generated into the folder's record index
   * (store.ts), so that the next start reads one file: generateAll does at
   * its end, a run once its cases are done.
   */
  flush(): Promise<void>;
  /** Where the generated files live. */
  dir: string;
}

export interface CertStoreOptions {
  /** Cache folder. Default: `<repo>/certs/generated` (git-ignored). */
  dir?: string;
  /** Clock for validity windows and staleness. Default: the real one. */
  now?: () => Date;
  /**
   * The RSA key cache, shared by every folder: RSA keys are made once per
   * machine, not per generation. Default: certs/cache-dir.ts keysCacheDir().
   */
  keysDir?: string;
}

/** Usage error with a stable code, so callers can tell it from a generation failure. */
export class CertError extends Error {
  constructor(
    readonly code: 'CERT_UNKNOWN_PROFILE',
    message: string,
  ) {
    super(message);
    this.name = 'CertError';
  }
}

/**
 * `<repo>/certs/generated` in a checkout; the user's cache folder when
 * installed as a package (certs/cache-dir.ts), never inside node_modules.
 */
export function defaultCertsDir(): string {
  return certsCacheDir();
}

/**
 * Opens the cache. Each profile is materialized at most once per store: the
 * first `get` reads or generates it, later ones share that promise.
 */
export function openCertStore(opts: CertStoreOptions = {}): CertStore {
  const dir = resolve(opts.dir ?? defaultCertsDir());
  const now = opts.now ?? (() => new Date());
  const keysDir = resolve(opts.keysDir ?? keysCacheDir());
  let ca: Promise<CaBundle> | undefined;
  let recordIndex: RecordIndex | undefined;
  const index = (): RecordIndex => (recordIndex ??= new RecordIndex(dir));
  const profiles = new Map<CertProfileName, Promise<MaterializedCert>>();

  const loadSharedCa = (): Promise<CaBundle> => {
    ca ??= loadCa(dir, now(), keysDir, index()).catch((err: unknown) => {
      ca = undefined; // let a later call retry
      throw err;
    });
    return ca;
  };

  const materialize = async (profile: CertProfileName): Promise<MaterializedCert> => {
    const bundle = await loadSharedCa();
    const stored = await loadProfile(dir, profile, bundle, now(), keysDir, index());
    const { host, explain, securityLevel, server } = resolveProfile(profile);
    const { keyFile, certChainFile, generatedAt, origin } = stored;
    return {
      profile,
      host,
      explain,
      securityLevel,
      server: server ?? null,
      keyFile,
      certChainFile,
      // Read from disk when a server first needs them (store.ts): a run reads only the profiles its cases use.
      get keyPem() {
        return stored.keyPem;
      },
      get certChainPem() {
        return stored.certChainPem;
      },
      generatedAt,
      origin,
      caFile: bundle.rootFile,
      caPem: bundle.rootPem,
      clientCaPem: bundle.rootPem,
    };
  };

  const revocable = async (profile: CertProfileName, urls: RevocationUrls): Promise<RevocableCert> => {
    const def = resolveProfile(profile);
    if (!def.revocation) throw new Error(`certificate profile "${profile}" has no revocation setting`);
    const base = await materialize(profile);
    const bundle = await loadSharedCa();
    const signers = { root: await bundle.signer('root'), intermediate: await bundle.signer('intermediate') };
    // Loaded only by a run that has revocation cases, as the generator is only by one that generates.
    const { buildProfile, certsToPem, privateKeyToPem } = await import('./generate.js');
    const { authorityInfoAccess, buildCrl, buildOcspResponse, crlDistributionPoints, mustStaple, serialOf } =
      await import('./revocation.js');
    const at = now();
    const { revoked, staple, mustStaple: marked } = def.revocation;
    const built = await buildProfile(def, {
      now: at,
      keysDir,
      shared: (n) => signers[n],
      leafExtensions: [
        crlDistributionPoints(urls.crl),
        authorityInfoAccess(urls.ocsp),
        ...(marked ? [mustStaple()] : []),
      ],
    });
    const issuer = signers[def.issuer === 'intermediate' ? 'intermediate' : 'root'];
    const serial = serialOf(built.chain[0]!);
    const ocsp = buildOcspResponse(issuer, serial, revoked, at);
    const crl = buildCrl(issuer, revoked ? [serial] : [], at);
    return {
      profile,
      host: base.host,
      explain: base.explain,
      securityLevel: base.securityLevel,
      server: base.server,
      keyPem: privateKeyToPem(built.privateKey),
      certChainPem: certsToPem(built.chain),
      // The cached generation's files: the case's own leaf lives in memory only (servers read the PEMs).
      keyFile: base.keyFile,
      certChainFile: base.certChainFile,
      caFile: base.caFile,
      caPem: base.caPem,
      clientCaPem: base.clientCaPem,
      generatedAt: at,
      origin: 'generated',
      serial,
      crl,
      crls: def.issuer === 'intermediate' ? [crl, buildCrl(signers.root, [], at)] : [crl],
      ocsp,
      staple: staple ? ocsp : null,
    };
  };

  return {
    dir,
    revocable,
    flush: () => (recordIndex ? recordIndex.flush() : Promise.resolve()),
    get(profile) {
      if (!isCertProfileName(profile)) {
        const known = CERT_PROFILE_NAMES.join(', ');
        const message = `unknown certificate profile "${profile}" (known: ${known})`;
        return Promise.reject(new CertError('CERT_UNKNOWN_PROFILE', message));
      }
      let pending = profiles.get(profile);
      if (!pending) {
        pending = materialize(profile);
        profiles.set(profile, pending);
        pending.catch(() => profiles.delete(profile));
      }
      return pending;
    },
  };
}

export interface GenerateAllResult {
  dir: string;
  certs: Record<CertProfileName, MaterializedCert>;
  /** Profiles this call had to make (the rest came from the cache). */
  generated: CertProfileName[];
  /** Wall time of the whole call. */
  ms: number;
}

/** Materializes every profile, e.g. once before workers start, or for the bench. */
export async function generateAll(opts: CertStoreOptions = {}): Promise<GenerateAllResult> {
  const started = performance.now();
  const store = openCertStore(opts);
  const all = await Promise.all(CERT_PROFILE_NAMES.map((name) => store.get(name)));
  await store.flush();
  const certs = Object.fromEntries(all.map((c) => [c.profile, c])) as Record<CertProfileName, MaterializedCert>;
  const generated = all.filter((c) => c.origin === 'generated').map((c) => c.profile);
  return { dir: store.dir, certs, generated, ms: performance.now() - started };
}
