// The on-disk cache of generated certificates.
//
// Layout: <dir>/ca/ holds the shared root and intermediate, <dir>/<profile>/
// each profile's leaf key and chain. Every folder has one `current.json`
// record naming the generation in use; a generation's files are named by its
// random id and never rewritten. Several processes may materialize at once:
// each writes a complete generation under a new id and then swaps the record
// in by rename, so a reader sees either the old generation or the new one,
// never a mix, and the paths it hands to a client stay valid.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { join } from 'node:path';
import type { Signer, Validity } from './generate.js';
import { AUTHORITIES, ORGANIZATION, type AuthorityName } from './authorities.js';
import { resolveProfile, type CertProfileName, type ResolvedProfile } from './profiles.js';

/** Bump when generate.ts changes what it makes from the same definitions. */
const FORMAT = 2;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Leaves are remade after this, well before not-yet-valid's notBefore (+1 day) arrives. */
const MAX_LEAF_AGE_MS = 12 * HOUR_MS;
/** A certificate meant to be valid is remade this long before it expires. */
const EXPIRY_MARGIN_MS = 7 * DAY_MS;
/** How far `now` may lie before a record's generation time (a clock step) and still use it. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Superseded generations are deleted only once this old, so a run still using them keeps its files. */
const PRUNE_AFTER_MS = DAY_MS;
const RECORD = 'current.json';

// A warm run only reads files, so the generator (and the DER encoder under
// it) and the asynchronous file API are loaded when something must be made.
const generator = () => import('./generate.js');
const fsp = (): Promise<typeof FsPromises> => import('node:fs/promises');

interface GenerationRecord {
  format: number;
  /** Hash of the definitions this generation was made from. */
  defHash: string;
  id: string;
  generatedAt: string;
  /** After this, the generation is stale (see freshUntil()). */
  freshUntil: string;
  /** For profiles: the CA generation that issued it. */
  caId?: string;
}

/** A generation's file contents, each read when first asked for (a warm start checks that the files exist, and reads only what a server uses). */
type Contents = readonly (() => string)[];

const inMemory = (pems: readonly string[]): Contents => pems.map((pem) => () => pem);

const INDEX = 'records.json';

/**
 * Every folder's record in one file (`<dir>/records.json`), read once per
 * store: a warm start reads one file, not one per profile. It only caches the
 * folders' own `current.json`, which stay the truth: an entry that is
 * missing, stale or names files that are gone sends the lookup to its folder.
 * It is rewritten whole, by rename, after generations; two processes writing
 * at once may lose an entry, which costs the next start one folder read.
 */
export class RecordIndex {
  private readonly records: Record<string, GenerationRecord>;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly dir: string) {
    let records: Record<string, GenerationRecord> = {};
    try {
      const parsed = JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as { format?: unknown; records?: unknown };
      if (parsed.format === FORMAT && parsed.records && typeof parsed.records === 'object')
        records = parsed.records as typeof records;
    } catch {
      // No index yet (or an unreadable one): every lookup goes to its folder.
    }
    this.records = records;
  }

  /** The indexed record of a folder, if it is well formed. */
  get(folderName: string): GenerationRecord | null {
    const record = this.records[folderName];
    return record && typeof record.id === 'string' && /^[0-9a-f]{16}$/.test(record.id) ? record : null;
  }

  set(folderName: string, record: GenerationRecord): void {
    this.records[folderName] = record;
    this.dirty = true;
  }

  /** Writes the index if anything changed since the last write; calls queue behind each other. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await writeAtomic(join(this.dir, INDEX), `${JSON.stringify({ format: FORMAT, records: this.records })}\n`, 0o644);
    });
    return this.writing;
  }
}

/**
 * The folder's usable generation: the index's entry when it passes `usable`
 * and its files are there, else the folder's own record on the same terms.
 */
function findGeneration(
  index: RecordIndex,
  folder: string,
  name: string,
  files: readonly string[],
  usable: (r: GenerationRecord) => boolean,
): { record: GenerationRecord; contents: Contents } | null {
  const use = (record: GenerationRecord | null) => {
    const contents = record && usable(record) ? recordedGeneration(folder, record.id, files) : null;
    return record && contents ? { record, contents } : null;
  };
  // The folder's record is read only when the index's entry will not do.
  return use(index.get(name)) ?? use(readRecord(folder));
}

export type Origin = 'generated' | 'cache';

/** The shared authorities, read from disk or just made. */
export interface CaBundle {
  id: string;
  rootFile: string;
  rootPem: string;
  origin: Origin;
  /** The signing keys, imported on first use: a warm run never needs them. */
  signer(name: 'root' | 'intermediate'): Promise<Signer>;
}

/** One profile's generation on disk. */
export interface StoredProfile {
  keyFile: string;
  keyPem: string;
  certChainFile: string;
  certChainPem: string;
  generatedAt: Date;
  origin: Origin;
}

const CA_FILES = ['root.pem', 'root.key.pem', 'intermediate.pem', 'intermediate.key.pem'] as const;

export async function loadCa(dir: string, now: Date, keysDir: string, index: RecordIndex): Promise<CaBundle> {
  const folder = join(dir, 'ca');
  const defHash = hash({ ORGANIZATION, root: AUTHORITIES.root, intermediate: AUTHORITIES.intermediate });
  const found = findGeneration(index, folder, 'ca', CA_FILES, (r) => isFresh(r, defHash, now));
  if (found) return caFromPems(folder, found.record.id, found.contents, 'cache');
  const { makeAuthority, certsToPem, privateKeyToPem } = await generator();
  const ctx = { now, keysDir };
  const root = await makeAuthority(AUTHORITIES.root, null, ctx);
  const intermediate = await makeAuthority(AUTHORITIES.intermediate, root.signer, ctx);
  const pems = [
    certsToPem([root.signer.cert]),
    privateKeyToPem(root.signer.privateKey),
    certsToPem([intermediate.signer.cert]),
    privateKeyToPem(intermediate.signer.privateKey),
  ];
  const id = newId();
  const record = {
    defHash,
    generatedAt: now.toISOString(),
    freshUntil: freshUntil(now, [root.validity, intermediate.validity], Infinity).toISOString(),
  };
  await writeGeneration(folder, id, CA_FILES, pems, record);
  index.set('ca', { format: FORMAT, id, ...record });
  const bundle = caFromPems(folder, id, inMemory(pems), 'generated');
  return { ...bundle, signer: async (name) => (name === 'root' ? root.signer : intermediate.signer) };
}

function caFromPems(folder: string, id: string, contents: Contents, origin: Origin): CaBundle {
  const [rootPemOf, rootKey, intermediatePem, intermediateKey] = contents as [
    () => string,
    () => string,
    () => string,
    () => string,
  ];
  // The root is every client's trust anchor: read now. The keys only sign, when something must be made.
  const rootPem = rootPemOf();
  const imported = new Map<string, Promise<Signer>>();
  return {
    id,
    rootFile: join(folder, `${id}.root.pem`),
    rootPem,
    origin,
    signer(name) {
      let signer = imported.get(name);
      if (!signer) {
        const [certPem, keyPem] = name === 'root' ? [rootPem, rootKey()] : [intermediatePem(), intermediateKey()];
        signer = generator().then(({ importSigner }) => importSigner(certPem, keyPem));
        imported.set(name, signer);
      }
      return signer;
    },
  };
}

const PROFILE_FILES = ['key.pem', 'chain.pem'] as const;

export async function loadProfile(
  dir: string,
  name: CertProfileName,
  ca: CaBundle,
  now: Date,
  keysDir: string,
  index: RecordIndex,
): Promise<StoredProfile> {
  const folder = join(dir, name);
  const profile = resolveProfile(name);
  const defHash = hash({ ORGANIZATION, shape: certificateShape(profile) });
  const found = findGeneration(index, folder, name, PROFILE_FILES, (r) => r.caId === ca.id && isFresh(r, defHash, now));
  if (found) return stored(folder, found.record.id, found.contents, new Date(found.record.generatedAt), 'cache');
  const { buildProfile, certsToPem, privateKeyToPem } = await generator();
  const signers = { root: await ca.signer('root'), intermediate: await ca.signer('intermediate') };
  const built = await buildProfile(profile, { now, keysDir, shared: (n) => signers[n] });
  const pems = [privateKeyToPem(built.privateKey), certsToPem(built.chain)];
  const id = newId();
  const record = {
    defHash,
    caId: ca.id,
    generatedAt: now.toISOString(),
    freshUntil: freshUntil(now, built.made, MAX_LEAF_AGE_MS).toISOString(),
  };
  await writeGeneration(folder, id, PROFILE_FILES, pems, record);
  index.set(name, { format: FORMAT, id, ...record });
  return stored(folder, id, inMemory(pems), now, 'generated');
}

function stored(folder: string, id: string, contents: Contents, generatedAt: Date, origin: Origin): StoredProfile {
  const [keyPem, certChainPem] = contents as [() => string, () => string];
  return {
    keyFile: join(folder, `${id}.key.pem`),
    certChainFile: join(folder, `${id}.chain.pem`),
    get keyPem() {
      return keyPem();
    },
    get certChainPem() {
      return certChainPem();
    },
    generatedAt,
    origin,
  };
}

/**
 * Only what shapes the certificate goes into the hash, so that rewording an
 * `explain` or fixing an expected OpenSSL message does not remake anything.
 */
function certificateShape(p: ResolvedProfile): unknown {
  const { explain: _e, refs: _r, accept: _a, opensslError: _o, opensslAuthLevel: _l, ...rest } = p;
  const { host: _h, securityLevel: _s, server: _t, ...shape } = rest;
  return { ...shape, authorities: ownAuthorities(p) };
}

/** The definitions of the per-profile authorities a profile's chain is made of (the shared ones are the CA's). */
function ownAuthorities(p: ResolvedProfile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (n: string): void => {
    const def = AUTHORITIES[n as AuthorityName];
    if (!def || def.shared || n in out) return;
    out[n] = def;
    visit(def.signedBy);
    if ('crossCertifies' in def) visit(def.crossCertifies);
  };
  [p.issuer, ...p.sends].forEach(visit);
  return out;
}

/**
 * The generation stays usable until the first of: `maxAge` has passed (the
 * windows are relative to generation, so they drift), or a certificate that
 * was valid when made comes within EXPIRY_MARGIN_MS of expiring.
 */
function freshUntil(now: Date, certs: readonly Validity[], maxAgeMs: number): Date {
  const t = now.getTime();
  let until = t + maxAgeMs;
  for (const cert of certs) {
    const notAfter = cert.notAfter.getTime();
    if (cert.notBefore.getTime() <= t && t < notAfter) until = Math.min(until, notAfter - EXPIRY_MARGIN_MS);
  }
  return new Date(until);
}

function isFresh(record: GenerationRecord, defHash: string, now: Date): boolean {
  const t = now.getTime();
  return (
    record.format === FORMAT &&
    record.defHash === defHash &&
    t >= Date.parse(record.generatedAt) - CLOCK_SKEW_MS &&
    t < Date.parse(record.freshUntil)
  );
}

function hash(definition: unknown): string {
  return createHash('sha256').update(JSON.stringify({ FORMAT, definition })).digest('hex');
}

function newId(): string {
  return randomBytes(8).toString('hex');
}

// Reads are synchronous on purpose: the files are small and local, and an
// async read costs four thread-pool round trips (open, stat, read, close).
// A warm start reads each folder's record and checks that the files it names
// are there; their contents are read when a server first needs them.

/** A missing or unreadable record is simply a cache miss. */
function readRecord(folder: string): GenerationRecord | null {
  try {
    const record = JSON.parse(readFileSync(join(folder, RECORD), 'utf8')) as GenerationRecord;
    // The id becomes part of file names: accept only what newId() makes.
    return typeof record.id === 'string' && /^[0-9a-f]{16}$/.test(record.id) ? record : null;
  } catch {
    return null;
  }
}

/**
 * The generation's files in order, each read once when first asked for, or
 * null when any is gone (then it is remade). Files are never rewritten under
 * their generation's id, so what is read later is what was checked now.
 */
function recordedGeneration(folder: string, id: string, names: readonly string[]): Contents | null {
  const paths = names.map((n) => join(folder, `${id}.${n}`));
  // existsSync: half the cost of statSync, which builds a Stats object for each file.
  if (!paths.every((path) => existsSync(path))) return null;
  return paths.map((path) => {
    let text: string | undefined;
    return () => (text ??= readFileSync(path, 'utf8'));
  });
}

async function writeGeneration(
  folder: string,
  id: string,
  names: readonly string[],
  pems: readonly string[],
  record: Omit<GenerationRecord, 'format' | 'id'>,
): Promise<void> {
  const { mkdir, chmod } = await fsp();
  await mkdir(folder, { recursive: true, mode: 0o700 });
  // The parent may predate us (or a umask may have widened it): keys live below it.
  await chmod(join(folder, '..'), 0o700);
  await Promise.all(
    names.map((n, i) => writeAtomic(join(folder, `${id}.${n}`), pems[i]!, n.endsWith('key.pem') ? 0o600 : 0o644)),
  );
  // The record goes last: once it names the generation, all its files exist.
  await writeAtomic(join(folder, RECORD), JSON.stringify({ format: FORMAT, id, ...record }, null, 2) + '\n', 0o644);
  await pruneSuperseded(folder, id);
}

/** Write to a unique temporary name, then rename over the target: readers never see half a file. */
async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const { writeFile, rename } = await fsp();
  await writeFile(tmp, data, { mode, flag: 'wx' });
  await rename(tmp, path);
}

/**
 * Deletes files of other generations (and temporaries left by a crash) once
 * they are PRUNE_AFTER_MS old by the real clock (mtimes are real, `now` may not be).
 */
async function pruneSuperseded(folder: string, keepId: string): Promise<void> {
  const cutoff = Date.now() - PRUNE_AFTER_MS;
  const { readdir, stat, unlink } = await fsp();
  for (const name of await readdir(folder)) {
    if (name === RECORD || name.startsWith(`${keepId}.`)) continue;
    const path = join(folder, name);
    const info = await stat(path).catch(() => null);
    // Another process may prune the same file at the same time.
    if (info && info.mtimeMs < cutoff) await unlink(path).catch(() => undefined);
  }
}
