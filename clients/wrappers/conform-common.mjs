/**
 * What Conform's Node client wrappers share (as conform_common.py does for the
 * Python ones): the exit-status convention of docs/contract.md, the job's deadline
 * and its revocation check.
 */

import { readFileSync } from 'node:fs';

/** Exits 89: this client cannot do what the case asks. */
export function unsupported(why) {
  console.error(`unsupported: ${why}`);
  process.exit(89);
}

/**
 * The libraries' own timeouts bound each wait, not the job: the whole job is
 * bounded here, from the process's start (loading Node and the library is part
 * of the client's time). Returns CONFORM_TIMEOUT_MS and the timer, so a wrapper
 * that finishes can clear it.
 */
export function startDeadline(env) {
  const timeout = Number(env.CONFORM_TIMEOUT_MS) || 5000;
  const timer = setTimeout(
    () => {
      console.error('CONFORM_TIMEOUT_MS elapsed');
      process.exit(1);
    },
    Math.max(100, timeout - 150 - performance.now()),
  );
  return { timeout, timer };
}

/**
 * Node's TLS options for the revocation check the job asks for: the CRLs of
 * CONFORM_CRL_FILE (one per element: Node reads one CRL per PEM given), with
 * which OpenSSL checks the whole chain. Node verifies no OCSP answer, stapled
 * or asked for, so `ocsp` and `staple` are jobs these clients cannot do (89).
 */
export function revocationOptions(env) {
  const check = env.CONFORM_CHECK_REVOCATION;
  if (check === 'ocsp' || check === 'staple') unsupported(`no OCSP in Node's tls (${check})`);
  if (check !== 'crl' || !env.CONFORM_CRL_FILE) return {};
  const pem = readFileSync(env.CONFORM_CRL_FILE, 'latin1');
  return { crl: pem.match(/-----BEGIN X509 CRL-----[^-]+-----END X509 CRL-----\n?/g) ?? [] };
}
