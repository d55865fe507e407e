import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { referenceClient } from '../../clients/reference/index.js';
import { type Job } from '../../contract/job.js';
import { PROTOCOL_NAMES, type Protocol } from '../protocols.js';
import { UsageError } from '../errors.js';
import type { ClientAdapter, ModuleClient } from './adapter.js';
import { runContainedAway } from './spawner-client.js';
import { runModuleClient } from './module-client.js';
import { runInWorker, warmWorkerClients } from './worker-client.js';
import { EXIT_UNSUPPORTED, type ClientOutcome } from './outcome.js';
import { curlArgv } from './profiles/curl.js';
import { socksWrapperArgv } from './profiles/node-socks.js';
import { ncatWrapperArgv } from './profiles/ncat.js';
import { wgetArgv } from './profiles/wget.js';
import { lftpArgv } from './profiles/lftp.js';
import { basicFtpArgv } from './profiles/basic-ftp.js';
import { imapflowArgv } from './profiles/imapflow.js';
import { mpopArgv } from './profiles/mpop.js';
import { swaksArgv } from './profiles/swaks.js';
import { mailWrapperArgv } from './profiles/mail-wrappers.js';
import { findExecutable } from './which.js';
import { TLS_PROBES, tlsMissing, type TlsProbe } from './tls-support.js';
import { splitCommand } from './split-command.js';
import { conformVersion, packageVersion, versionLine } from './version.js';

const repoRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));

/** A built-in client: how to run it for a job. */
interface Profile {
  describe: string;
  /** Executable that must be installed for the profile to work. */
  requires?: string;
  /** npm package that must be installed (a devDependency: an install from the registry may lack it). */
  requiresPackage?: string;
  /** How to ask that executable whether it can speak TLS (every suite needs it). */
  tls?: TlsProbe;
  create(args: string[]): Omit<ClientAdapter, 'label' | 'cliFlags'>;
  /** What the installed client says it is, asked once when the run starts (for reports). */
  version?(): string | undefined;
}

/** An outcome for a job this client cannot do, without starting anything. */
function unsupported(): ClientOutcome {
  return {
    exitCode: EXIT_UNSUPPORTED,
    signal: null,
    hung: false,
    durationMs: 0,
    stdout: '',
    stderr: 'profile does not support this job',
    droppedBytes: 0,
  };
}

/** Revocation checks a client can be asked for (CONFORM_CHECK_REVOCATION). */
type RevocationCheck = Exclude<Job['checkRevocation'], ''>;
const EVERY_CHECK: readonly RevocationCheck[] = ['crl', 'ocsp', 'staple'];

/**
 * A profile that turns each job into a command line. `checks`: the revocation
 * checks the client can make; a job asking for another is one it cannot do (89).
 */
function commandProfile(
  build: (job: Job, args: string[]) => string[] | 'unsupported',
  protocols: readonly Protocol[],
  checks: readonly RevocationCheck[],
) {
  return (args: string[]) => ({
    protocols,
    run: async (job: Job, env: Record<string, string>, limitMs: number) => {
      const argv = job.checkRevocation && !checks.includes(job.checkRevocation) ? 'unsupported' : build(job, args);
      return argv === 'unsupported'
        ? unsupported()
        : runContainedAway(spawnerPath(), { argv, env, cwd: process.cwd(), limitMs });
    },
  });
}

/**
 * The interpreter behind `python3`, resolved once per run: on PATH it may be a
 * launcher (pyenv and asdf shims are shell scripts) that costs a second per
 * start under load, more than the 1.5 s robustness cases leave.
 */
function pythonExecutable(): string {
  const out = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return (out.status === 0 && out.stdout.trim()) || 'python3';
}

/** The reference client compiled to dist/ (built by `npm run build`, run by every npm script). */
export function referenceMainPath(): string {
  return join(repoRoot, 'dist/clients/reference/main.js');
}

/** The compiled helper that starts command-line clients (spawner-client.ts). */
function spawnerPath(): string {
  return join(repoRoot, 'dist/harness/clients/spawner.js');
}

/** The compiled thread that runs the reference client for the `reference` profile (tests run sources, so never the .ts). */
function referenceWorkerPath(): string {
  return join(repoRoot, 'dist/harness/clients/reference-worker.js');
}

export const PROFILES: Record<string, Profile> = {
  reference: {
    describe: 'the strict reference client, in-process (add --flaw NAME to break one rule)',
    create: (args) => {
      referenceClient(args); // validates the flaws now, as a usage error
      // In worker threads of this process: beside the servers' thread, not on it (worker-client.ts).
      const script = referenceWorkerPath();
      warmWorkerClients(script);
      return {
        protocols: PROTOCOL_NAMES,
        inProcess: true,
        run: (job, _env, limitMs) => runInWorker(script, args, job, limitMs),
      };
    },
    version: () =>
      `conform reference client ${conformVersion(repoRoot) ?? '(version unknown)'} on Node.js ${process.version}`,
  },
  'reference-cli': {
    describe: 'the reference client as a separate process, exactly as a --client-cmd client runs',
    create: (args) => {
      referenceClient(args); // validates the flaws now, as a usage error
      return commandProfile(() => [process.execPath, referenceMainPath(), ...args], PROTOCOL_NAMES, EVERY_CHECK)(args);
    },
    version: () =>
      `conform reference client ${conformVersion(repoRoot) ?? '(version unknown)'} on Node.js ${process.version}`,
  },
  curl: {
    describe: 'curl, strict (--cacert, --resolve, no -k)',
    requires: 'curl',
    tls: TLS_PROBES.curl,
    create: commandProfile(
      (job) => curlArgv(job, false),
      ['https', 'smtp', 'pop3', 'imap', 'ftps', 'socks5'],
      ['crl', 'staple'],
    ),
    version: () => versionLine(['curl', '--version']),
  },
  'curl-insecure': {
    describe: 'curl -k: certificate checks off (the certificate cases must fail it)',
    requires: 'curl',
    tls: TLS_PROBES.curl,
    create: commandProfile(
      (job) => curlArgv(job, true),
      ['https', 'smtp', 'pop3', 'imap', 'ftps', 'socks5'],
      ['crl', 'staple'],
    ),
    version: () => versionLine(['curl', '--version']),
  },
  python: {
    describe:
      "Python's ssl with http.client / smtplib / poplib / imaplib / ftplib / PySocks, through clients/wrappers/python_<protocol>.py",
    requires: 'python3',
    tls: TLS_PROBES.python,
    create: (args) => {
      const python = pythonExecutable();
      // One wrapper per protocol: http.client, smtplib, poplib, imaplib, ftplib, PySocks.
      return commandProfile(
        (job) => {
          const wrapper = join(repoRoot, `clients/wrappers/python_${job.protocol}.py`);
          return existsSync(wrapper) ? [python, wrapper] : 'unsupported';
        },
        ['https', 'smtp', 'pop3', 'imap', 'ftps', 'socks5'],
        // Python's ssl loads CRLs (VERIFY_CRL_CHECK_LEAF); it has no OCSP, stapled or asked.
        ['crl'],
      )(args);
    },
    version: () =>
      versionLine([
        pythonExecutable(),
        '-c',
        'import sys, ssl; print("Python", sys.version.split()[0], "with", ssl.OPENSSL_VERSION)',
      ]),
  },
  wget: {
    describe:
      'GNU wget (GnuTLS on Debian), --ca-certificate, no --no-check-certificate; names only CONFORM_ADDR maps are unsupported',
    requires: 'wget',
    tls: TLS_PROBES.wget,
    create: commandProfile((job) => wgetArgv(job), ['https'], ['crl']),
    version: () => versionLine(['wget', '--version']),
  },
  mpop: {
    describe:
      'mpop (GnuTLS on Debian), POP3 only, through clients/wrappers/mpop_pop3.mjs: certificate checks on, CONFORM_CA_FILE only',
    requires: 'mpop',
    tls: TLS_PROBES.mpop,
    create: commandProfile((job) => mpopArgv(job), ['pop3'], ['crl']),
    version: () => versionLine(['mpop', '--version']),
  },
  swaks: {
    describe: 'swaks (Perl, Net::SSLeay/OpenSSL) with --tls-verify --tls-ca-path; SMTP only',
    requires: 'swaks',
    tls: TLS_PROBES.swaks,
    create: commandProfile((job) => swaksArgv(repoRoot, job), ['smtp'], []),
    version: () => versionLine(['swaks', '--version']),
  },
  msmtp: {
    describe: 'msmtp (GnuTLS) through clients/wrappers/msmtp_smtp.sh, --tls-trust-file; SMTP only',
    requires: 'msmtp',
    tls: TLS_PROBES.msmtp,
    create: commandProfile((job) => mailWrapperArgv(repoRoot, 'msmtp', job), ['smtp'], ['crl']),
    version: () => versionLine(['msmtp', '--version']),
  },
  nodemailer: {
    describe:
      'nodemailer (npm) with requireTLS and a strict tls.ca, through clients/wrappers/nodemailer_smtp.mjs; SMTP only',
    create: commandProfile((job) => mailWrapperArgv(repoRoot, 'nodemailer', job), ['smtp'], ['crl']),
    version: () => packageVersion(repoRoot, 'nodemailer'),
  },
  lftp: {
    describe: 'lftp (GnuTLS on Debian) with ftp:ssl-force, ssl:verify-certificate and CONFORM_CA_FILE only; FTPS only',
    requires: 'lftp',
    tls: TLS_PROBES.lftp,
    create: commandProfile((job) => lftpArgv(job), ['ftps'], ['crl']),
    version: () => versionLine(['lftp', '--version']),
  },
  'basic-ftp': {
    describe:
      'basic-ftp (npm) with secure TLS options and a strict CA, through clients/wrappers/basicftp_ftps.mjs; FTPS only',
    requires: 'node',
    create: commandProfile((job) => basicFtpArgv(repoRoot, job), ['ftps'], ['crl']),
    version: () => packageVersion(repoRoot, 'basic-ftp'),
  },
  imapflow: {
    describe:
      'imapflow (npm) with doSTARTTLS when TLS is required and a strict tls.ca, through clients/wrappers/imapflow_imap.mjs; IMAP only',
    requires: 'node',
    requiresPackage: 'imapflow',
    create: commandProfile((job) => imapflowArgv(repoRoot, job), ['imap'], ['crl']),
    version: () => packageVersion(repoRoot, 'imapflow'),
  },
  'node-socks': {
    describe:
      'the `socks` npm library (SocksClient) with Node tls and http, through clients/wrappers/socks_socks5.mjs; SOCKS5 only',
    requires: 'node',
    create: commandProfile((job) => socksWrapperArgv(repoRoot, job), ['socks5'], ['crl']),
    version: () => packageVersion(repoRoot, 'socks'),
  },
  ncat: {
    describe:
      "nmap's ncat (--proxy-type socks5, --ssl-verify with --ssl-trustfile) through clients/wrappers/ncat_socks5.mjs; SOCKS5 get only",
    requires: 'ncat',
    tls: TLS_PROBES.ncat,
    create: commandProfile((job) => ncatWrapperArgv(repoRoot, job), ['socks5'], []),
    version: () => versionLine(['ncat', '--version']),
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES);

/**
 * Why a built-in profile cannot run here (its program is not installed, or it
 * cannot speak TLS), or undefined when it can. The TLS probe runs once per
 * program and run.
 */
export function profileUnavailable(name: string): string | undefined {
  const profile = PROFILES[name];
  if (profile?.requiresPackage && !packageInstalled(profile.requiresPackage)) {
    return `needs the npm package ${profile.requiresPackage}, which is not installed (npm install --save-dev ${profile.requiresPackage})`;
  }
  if (!profile?.requires) return undefined;
  if (!findExecutable(profile.requires))
    return `needs ${profile.requires}, which is not installed (on Debian: apt-get install ${profile.requires})`;
  const missing = profile.tls && tlsMissing(profile.tls);
  return missing ? `cannot speak TLS: ${missing}` : undefined;
}

/** Whether Node resolves the package from this repository (or `root`), as its wrapper's import will. */
export function packageInstalled(name: string, root = repoRoot): boolean {
  try {
    createRequire(join(root, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** `--client "NAME [ARGS…]"`: a built-in profile, optionally with arguments (e.g. flaws). */
export function profileClient(spec: string): ClientAdapter {
  const [name = '', ...args] = splitCommand(spec);
  const profile = PROFILES[name];
  if (!profile) {
    throw new UsageError(
      'UNKNOWN_CLIENT',
      `unknown client "${name}"; built-in profiles:\n${PROFILE_NAMES.map((n) => `  ${n.padEnd(14)} ${PROFILES[n]!.describe}`).join('\n')}`,
    );
  }
  const unavailable = profileUnavailable(name);
  if (unavailable) throw new UsageError('CLIENT_UNAVAILABLE', `client "${name}" ${unavailable}`);
  let created;
  try {
    created = profile.create(args);
  } catch (err) {
    throw new UsageError('BAD_FLAG', `client "${spec}": ${(err as Error).message}`);
  }
  const version = profile.version?.();
  return { label: spec.trim(), cliFlags: ['--client', spec.trim()], ...(version ? { version } : {}), ...created };
}

/**
 * `--client-cmd "CMD"`: any program, split like a shell would but run without one.
 * It runs in the user's working directory, so relative paths in CMD work;
 * CONFORM_WORKDIR is its scratch directory.
 */
export function commandClient(command: string): ClientAdapter {
  const argv = splitCommand(command);
  if (!argv.length) throw new UsageError('BAD_FLAG', '--client-cmd is empty');
  const program = argv[0]!;
  if (!findExecutable(program) && !existsSync(program))
    throw new UsageError('CLIENT_UNAVAILABLE', `--client-cmd: cannot find program "${program}"`);
  return {
    label: command,
    cliFlags: ['--client-cmd', command],
    protocols: PROTOCOL_NAMES,
    run: (job, env, limitMs) => runContainedAway(spawnerPath(), { argv, env, cwd: process.cwd(), limitMs }),
  };
}

/**
 * `--client-module FILE`: a JavaScript module exporting `run(job, { signal, log })`
 * that resolves with an exit status, run in-process (for authors of Node client
 * libraries who want to test without spawning).
 */
export async function moduleClient(file: string): Promise<ClientAdapter> {
  const url = pathToFileURL(resolve(file)).href;
  let mod: { run?: unknown; default?: { run?: unknown } };
  try {
    mod = (await import(url)) as typeof mod;
  } catch (err) {
    throw new UsageError('CLIENT_UNAVAILABLE', `--client-module: cannot load ${file}: ${(err as Error).message}`);
  }
  const run = typeof mod.run === 'function' ? mod.run : mod.default?.run;
  if (typeof run !== 'function')
    throw new UsageError('BAD_FLAG', `--client-module: ${file} exports no run(job, { signal, log }) function`);
  const client: ModuleClient = { run: run as ModuleClient['run'] };
  return {
    label: `module ${file}`,
    cliFlags: ['--client-module', file],
    protocols: PROTOCOL_NAMES,
    inProcess: true,
    run: (job, _env, limitMs) => runModuleClient(client, job, limitMs),
  };
}
