import { spawnSync } from 'node:child_process';
import { findExecutable } from './which.js';

/**
 * Whether an installed client can speak TLS. A client can be on PATH and still
 * lack it: Debian's swaks only Recommends libnet-ssleay-perl, so
 * `apt-get install --no-install-recommends swaks` gives a swaks that fails every
 * TLS case with "TLS not available"; a curl, wget, lftp, msmtp, mpop or ncat
 * may be built without a TLS library; a python3 without its ssl module. Such a
 * client is unavailable, with the reason, rather than judged on cases it cannot
 * attempt. The Node profiles need no probe: the harness's own servers need
 * Node's TLS, so it is there whenever anything runs.
 */

/** What a probe command printed, and how it ended. */
export interface ProbeOutput {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why the probe could not run at all (spawn error, time-out). */
  error?: string;
}

/** How to ask an installed client whether it can speak TLS. */
export interface TlsProbe {
  /** The probe command; argv[0] is the client's executable. */
  argv: readonly string[];
  /** What is missing, read from the probe's output; undefined when the client can speak TLS. */
  missing(out: ProbeOutput): string | undefined;
  /** How to get the TLS support, for the message. */
  fix: string;
}

/** A probe that reads the client's self-description for a pattern. */
function prints(argv: readonly string[], pattern: RegExp, absent: string, fix: string): TlsProbe {
  return { argv, missing: (out) => (pattern.test(out.stdout + out.stderr) ? undefined : absent), fix };
}

/** The first line of the probe's standard error that matches `line`, or the fallback. */
function errorLine(out: ProbeOutput, line: RegExp, fallback: string): string {
  return (
    out.stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => line.test(l)) ?? fallback
  );
}

export const TLS_PROBES = {
  // curl -V's Features line names SSL whenever curl has a TLS backend (OpenSSL, GnuTLS, ...).
  curl: prints(
    ['curl', '-V'],
    /^Features:.*\bSSL\b/m,
    'curl -V lists no SSL feature (built without a TLS backend)',
    "Debian's curl (libcurl4 on OpenSSL)",
  ),
  // The same interpreter the python profile resolves: python3 on PATH.
  python: {
    argv: ['python3', '-c', 'import ssl'],
    // A traceback ends with the exception: "ModuleNotFoundError: No module named '_ssl'".
    missing: (out) =>
      out.status === 0
        ? undefined
        : `python3 cannot import ssl (${out.stderr.trim().split('\n').pop() || 'no ssl module'})`,
    fix: "a python3 built with OpenSSL (Debian's python3)",
  },
  // wget --version: "+https" when built with GnuTLS or OpenSSL, "-https" without.
  wget: prints(
    ['wget', '--version'],
    /(^|\s)\+https\b/m,
    'wget --version shows -https (built without GnuTLS or OpenSSL)',
    "Debian's wget (GnuTLS)",
  ),
  // swaks' TLS is Net::SSLeay, loaded at run time: --support prints "=== TLS supported",
  // or "*** TLS not available: requires Net::SSLeay" on standard error.
  swaks: {
    argv: ['swaks', '--support'],
    missing: (out) =>
      /^=== (STARTTLS|TLS) supported/m.test(out.stdout)
        ? undefined
        : `swaks --support: ${errorLine(out, /TLS/, 'no TLS support listed')}`,
    fix: 'apt-get install libnet-ssleay-perl libio-socket-ssl-perl',
  },
  // msmtp and mpop --version: "TLS/SSL library: GnuTLS" (or OpenSSL, libtls), "none" without.
  msmtp: prints(
    ['msmtp', '--version'],
    /^TLS\/SSL library: (?!none)\S/m,
    'msmtp --version: TLS/SSL library: none',
    "Debian's msmtp (GnuTLS)",
  ),
  mpop: prints(
    ['mpop', '--version'],
    /^TLS\/SSL library: (?!none)\S/m,
    'mpop --version: TLS/SSL library: none',
    "Debian's mpop (GnuTLS)",
  ),
  // lftp --version ends with "Libraries used: ..., GnuTLS 3.7.9, ..." (or OpenSSL).
  lftp: prints(
    ['lftp', '--version'],
    /^Libraries used:.*\b(GnuTLS|OpenSSL)\b/m,
    'lftp --version lists neither GnuTLS nor OpenSSL among its libraries',
    "Debian's lftp (GnuTLS)",
  ),
  // ncat built without OpenSSL refuses --ssl-verify ("OpenSSL isn't compiled in") before --version runs.
  ncat: {
    argv: ['ncat', '--ssl-verify', '--version'],
    missing: (out) =>
      out.status === 0 ? undefined : `ncat --ssl-verify: ${errorLine(out, /OpenSSL|ssl/i, 'refused')}`,
    fix: "Debian's ncat (OpenSSL)",
  },
} satisfies Record<string, TlsProbe>;

/** Runs a probe (in this process's environment unless `env` is given): the client's answer, never an exception. */
export function runProbe(
  probe: TlsProbe,
  executable = probe.argv[0]!,
  env: NodeJS.ProcessEnv = process.env,
): ProbeOutput {
  const out = spawnSync(executable, probe.argv.slice(1), {
    encoding: 'utf8',
    env,
    timeout: 15_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    status: out.status,
    stdout: out.stdout ?? '',
    stderr: out.stderr ?? '',
    ...(out.error ? { error: out.error.message } : {}),
  };
}

/** Probe answers per resolved executable: a run asks each client once, however many times its profile is built. */
const answers = new Map<string, string | undefined>();

/**
 * Why the client cannot speak TLS (what is missing, and how to get it), or
 * undefined when it can. The client must be installed; an absent one is the
 * caller's "not installed".
 */
export function tlsMissing(probe: TlsProbe): string | undefined {
  const executable = findExecutable(probe.argv[0]!) ?? probe.argv[0]!;
  const key = [executable, ...probe.argv.slice(1)].join('\0');
  if (!answers.has(key)) {
    const out = runProbe(probe, executable);
    const missing = out.error ? `could not run ${probe.argv.join(' ')}: ${out.error}` : probe.missing(out);
    answers.set(key, missing ? `${missing}; needs ${probe.fix}` : undefined);
  }
  return answers.get(key);
}
