/**
 * Real clients against the real HTTPS suite. Each strict client passes every
 * `must` case except the deviations listed for it, and fails exactly the listed
 * `should` cases, each with the reason found by investigating it. A new failure
 * is a regression in the suite or a change in the client; a listed case that
 * starts passing means the table is stale. Either way, look before editing it.
 * A machine without a program skips its block (CI installs curl, python3, wget).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, runCases } from '../harness/conform.js';
import { profileClient } from '../harness/clients/profiles.js';
import { findExecutable } from '../harness/clients/which.js';
import type { CaseResult } from '../harness/run/result.js';
import type { Case, Level } from '../harness/suite/case.js';

/** Case id → why this client fails it. */
type Deviations = Record<string, string>;

interface Known {
  must: Deviations;
  should: Deviations;
  /** Cases the client answers 89 (unsupported) for. */
  skipped?: string[];
}

/** curl 7.88.1 with OpenSSL 3.0 (Debian 12). */
const CURL: Known = {
  must: {},
  should: {
    'https.hostname.no-cn-fallback':
      "curl's own host check for OpenSSL (verifyhost, lib/vtls/openssl.c) compares the subject CN when the certificate has no subjectAltName; curl -v shows 'common name: localhost (matched)'",
    'https.integrity.close-delimited-no-close-notify':
      'curl 7.88 takes a TCP EOF without close_notify as the end of a close-delimited body, for servers that skip close_notify (curl/curl#4624, #17471)',
    'https.version.no-legacy-offered':
      "curl 7.88's default minimum is TLS 1.0, so supported_versions lists 1.1 and 1.0; Debian's OpenSSL (SECLEVEL=2) still refuses to negotiate them, and curl --tlsv1.2 passes",
  },
};

/** Python 3.11's ssl + http.client through clients/wrappers/python_client.py, with Python's defaults. */
const PYTHON: Known = {
  must: {},
  should: {
    'https.hostname.no-cn-fallback':
      'SSLContext.hostname_checks_common_name defaults to True in 3.11, so OpenSSL falls back to the subject CN when the certificate has no DNS subjectAltName',
    'https.integrity.close-delimited-no-close-notify':
      "http.client's socket is wrapped with suppress_ragged_eofs=True (the default), so an EOF without close_notify reads as the end of the body; Debian's 3.11.2 also sets OP_IGNORE_UNEXPECTED_EOF by default",
  },
};

/** GNU wget 1.21.3 with GnuTLS 3.7.9 (Debian 12), --secure-protocol=auto. */
const WGET_LEGACY_VERSIONS =
  "--secure-protocol=auto takes GnuTLS's default priority (NORMAL), which in 3.7.9 still enables TLS 1.0 and 1.1 (Debian ships no /etc/gnutls/config); wget --secure-protocol=TLSv1_2 passes";
const WGET: Known = {
  must: {
    'https.certificate.client-auth-eku':
      'wget verifies the chain with gnutls_certificate_verify_peers2 and no key-purpose data, so extended key usage is never checked and a clientAuth-only certificate is accepted for a server',
    'https.version.tls10-refused': WGET_LEGACY_VERSIONS,
    'https.version.tls11-refused': WGET_LEGACY_VERSIONS,
    'https.plaintext.redirect-to-http':
      'wget follows redirects by default (up to 20) and does not refuse an https → http downgrade, so the request goes out in plaintext; --max-redirect=0 avoids it',
  },
  should: {
    'https.certificate.rsa-1024': "GnuTLS's default certificate verification profile admits 1024-bit RSA keys",
    'https.hostname.no-cn-fallback':
      'wget checks the name with gnutls_x509_crt_check_hostname, which falls back to the subject CN when the certificate has no DNS subjectAltName',
    'https.version.no-legacy-offered': WGET_LEGACY_VERSIONS,
  },
  // wget has no --resolve: names that only CONFORM_ADDR maps are unsupported (exit 89).
  skipped: ['https.client-hello.sni-wildcard-host', 'https.hostname.wildcard', 'https.hostname.wildcard-one-label-only'],
};

let https: Case[] = [];
beforeAll(async () => {
  https = (await loadCatalogue()).filter((c) => c.protocol === 'https');
});

/** Judged cases at `level` the client did not pass, with what the harness said. */
function notPassed(results: CaseResult[], level: Level): Record<string, string> {
  const bad = results.filter((r) => r.level === level && r.status !== 'pass' && r.status !== 'skip');
  return Object.fromEntries(bad.map((r) => [r.id, `${r.status}: ${r.reason ?? ''}`]));
}

/** The same checks for every strict client: its deviations, exactly, and nothing else. */
function conformsExceptKnown(profile: string, program: string, known: Known): void {
  describe.skipIf(!findExecutable(program))(`${profile} against the https suite`, () => {
    let results: CaseResult[] = [];
    beforeAll(async () => {
      results = await runCases(https, profileClient(profile), { workers: 4 });
    }, 60_000);

    it('runs every case without a harness error', () => {
      expect(results).toHaveLength(https.length);
      expect(results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    });

    it('passes every must case but its listed deviations', () => {
      const failed = notPassed(results, 'must');
      expect(Object.keys(failed).sort(), JSON.stringify(failed, null, 2)).toEqual(Object.keys(known.must).sort());
    });

    it('fails exactly the listed should cases', () => {
      const failed = notPassed(results, 'should');
      expect(Object.keys(failed).sort(), JSON.stringify(failed, null, 2)).toEqual(Object.keys(known.should).sort());
    });

    it('skips only the cases it cannot do', () => {
      expect(results.filter((r) => r.status === 'skip').map((r) => r.id).sort()).toEqual([...(known.skipped ?? [])].sort());
    });
  });
}

conformsExceptKnown('curl', 'curl', CURL);
conformsExceptKnown('python', 'python3', PYTHON);
conformsExceptKnown('wget', 'wget', WGET);

describe.skipIf(!findExecutable('curl'))('curl -k (curl-insecure)', () => {
  it('fails every certificate and hostname case that expects a refusal, having sent its request', async () => {
    const refusals = https.filter(
      (c) => /^https\.(certificate|hostname)\./.test(c.id) && c.expect.some((e) => 'outcome' in e && e.outcome === 'failure'),
    );
    expect(refusals.length).toBeGreaterThanOrEqual(15);
    const results = await runCases(refusals, profileClient('curl-insecure'), { workers: 4 });
    const caught = results.filter(
      (r) => r.status === 'fail' && /reported success|recorded command/.test(r.reason ?? '') && r.events.some((e) => e.type === 'command'),
    );
    const missed = results.filter((r) => !caught.includes(r)).map((r) => `${r.id}: ${r.status} ${r.reason ?? ''}`);
    expect(missed).toEqual([]);
  });
});
