import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { packageInstalled, profileClient, profileUnavailable } from './profiles.js';
import { runProbe, TLS_PROBES, type ProbeOutput } from './tls-support.js';
import { findExecutable } from './which.js';

const said = (stdout: string, stderr = '', status = 0): ProbeOutput => ({ status, stdout, stderr });

/** What each client prints about itself, with and without TLS (Debian bookworm builds, and the same built without). */
describe('TLS probes read what each client says about itself', () => {
  it('curl: the SSL feature', () => {
    const features = 'Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Largefile libz';
    expect(
      TLS_PROBES.curl.missing(said(`curl 7.88.1\n${features} SSL threadsafe TLS-SRP UnixSockets\n`)),
    ).toBeUndefined();
    expect(TLS_PROBES.curl.missing(said(`curl 7.88.1\n${features} threadsafe UnixSockets\n`))).toMatch(
      /no SSL feature/,
    );
  });

  it('wget: +https', () => {
    expect(
      TLS_PROBES.wget.missing(said('-cares +digest -gpgme +https +ipv6\n+ntlm +opie +psl +ssl/gnutls\n')),
    ).toBeUndefined();
    expect(TLS_PROBES.wget.missing(said('-cares +digest -gpgme -https +ipv6\n+ntlm +opie +psl -ssl\n'))).toMatch(
      /-https/,
    );
  });

  it('swaks: "=== TLS supported", else the line that names the missing module', () => {
    const other = '=== AUTH CRAM-MD5 supported\n=== Socket Transport supported\n';
    expect(TLS_PROBES.swaks.missing(said(`${other}=== TLS supported\n`))).toBeUndefined();
    const without = TLS_PROBES.swaks.missing(
      said(other, '*** IPv6 not available: requires IO::Socket::INET6\n*** TLS not available: requires Net::SSLeay\n'),
    );
    expect(without).toBe('swaks --support: *** TLS not available: requires Net::SSLeay');
  });

  it('msmtp and mpop: a TLS/SSL library other than none', () => {
    for (const probe of [TLS_PROBES.msmtp, TLS_PROBES.mpop]) {
      expect(
        probe.missing(said('msmtp version 1.8.23\nPlatform: x86_64-pc-linux-gnu\nTLS/SSL library: GnuTLS\n')),
      ).toBeUndefined();
      expect(
        probe.missing(said('msmtp version 1.8.23\nPlatform: x86_64-pc-linux-gnu\nTLS/SSL library: none\n')),
      ).toMatch(/none/);
    }
  });

  it('lftp: GnuTLS or OpenSSL among its libraries', () => {
    expect(
      TLS_PROBES.lftp.missing(
        said('LFTP | Version 4.9.2\n\nLibraries used: GnuTLS 3.7.9, idn2 2.3.3, Readline 8.2, zlib 1.2.13\n'),
      ),
    ).toBeUndefined();
    expect(
      TLS_PROBES.lftp.missing(said('LFTP | Version 4.9.2\n\nLibraries used: idn2 2.3.3, Readline 8.2, zlib 1.2.13\n')),
    ).toMatch(/neither GnuTLS nor OpenSSL/);
  });

  it('ncat: --ssl-verify accepted, or its refusal', () => {
    expect(TLS_PROBES.ncat.missing(said('', 'Ncat: Version 7.93 ( https://nmap.org/ncat )\n'))).toBeUndefined();
    const refusal = "Ncat: OpenSSL isn't compiled in. The --ssl-verify option cannot be chosen. QUITTING.\n";
    expect(TLS_PROBES.ncat.missing(said('', refusal, 2))).toBe(`ncat --ssl-verify: ${refusal.trim()}`);
  });
});

describe('an installed client that cannot speak TLS is unavailable, with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conform-tls-probe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a swaks without Net::SSLeay (a stand-in earlier on PATH that answers --support as that swaks does)', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'swaks'),
      '#!/bin/sh\necho "=== Socket Transport supported"\necho "*** TLS not available: requires Net::SSLeay" >&2\n',
    );
    chmodSync(join(bin, 'swaks'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path ?? ''}`;
    try {
      const reason = profileUnavailable('swaks');
      expect(reason).toBe(
        'cannot speak TLS: swaks --support: *** TLS not available: requires Net::SSLeay; needs apt-get install libnet-ssleay-perl libio-socket-ssl-perl',
      );
      let error: unknown;
      try {
        profileClient('swaks');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).code).toBe('CLIENT_UNAVAILABLE');
    } finally {
      process.env.PATH = path;
    }
  });

  it.skipIf(!findExecutable('swaks'))('the real swaks, when Perl cannot load Net::SSLeay', () => {
    const lib = join(dir, 'perl/Net');
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'SSLeay.pm'), 'die "Net::SSLeay hidden by a test\\n";\n');
    const out = runProbe(TLS_PROBES.swaks, 'swaks', { ...process.env, PERL5LIB: join(dir, 'perl') });
    expect(TLS_PROBES.swaks.missing(out)).toBe('swaks --support: *** TLS not available: requires Net::SSLeay');
  });

  it.skipIf(!findExecutable('python3'))('the real python3, when its ssl module cannot load', () => {
    const lib = join(dir, 'python');
    mkdirSync(lib);
    writeFileSync(join(lib, 'ssl.py'), 'raise ImportError("No module named _ssl")\n');
    const out = runProbe(TLS_PROBES.python, 'python3', { ...process.env, PYTHONPATH: lib });
    expect(TLS_PROBES.python.missing(out)).toBe('python3 cannot import ssl (ImportError: No module named _ssl)');
  });

  it('a client that is not installed says so, before any probe', () => {
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(profileUnavailable('lftp')).toMatch(/^needs lftp, which is not installed/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('a library profile is unavailable where Node cannot resolve its npm package (a devDependency)', () => {
    expect(packageInstalled('imapflow')).toBe(true);
    expect(profileUnavailable('imapflow')).toBeUndefined();
    expect(packageInstalled('imapflow', dir)).toBe(false);
    expect(packageInstalled('conform-no-such-package')).toBe(false);
  });
});
