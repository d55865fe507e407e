import type { Job } from '../../../contract/job.js';

/** Host names wget reaches without a name mapping: itself, or localhost for a loopback address. */
function reachableWithoutMapping(job: Job): boolean {
  if (!job.addr || job.host === job.addr) return true;
  return job.host === 'localhost' && (job.addr === '127.0.0.1' || job.addr === '::1');
}

/**
 * GNU wget's command line for a job (Debian builds it on GnuTLS, so this
 * profile measures a second TLS stack). Verification stays on, with the CA
 * file given. wget has no `--resolve`, so a host that only CONFORM_ADDR
 * resolves (www.conform.test) is unsupported (docs/contract.md: exit 89).
 * `--tries=1`: wget retries 20 times by default, which would outlive the
 * case's limit and turn one refusal into twenty connections; `--no-config`
 * and `--no-hsts` keep a user's ~/.wgetrc and HSTS cache out of the verdict.
 */
export function wgetArgv(job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'https' || job.action !== 'get' || !reachableWithoutMapping(job)) return 'unsupported';
  return [
    'wget',
    '--no-config',
    '--no-hsts',
    '--no-verbose',
    '--tries=1',
    // A per-read and per-connect limit (wget has no whole-transfer limit).
    `--timeout=${Math.max(1, job.timeoutMs / 1000 - 0.2)}`,
    `--ca-certificate=${job.caFile}`,
    ...(job.clientCert ? [`--certificate=${job.clientCert}`, `--private-key=${job.clientKey}`] : []),
    ...(job.checkRevocation === 'crl' && job.crlFile ? [`--crl-file=${job.crlFile}`] : []),
    `--output-document=${job.outputFile}`,
    job.url,
  ];
}
