import { domainToASCII } from 'node:url';
import type { Job } from '../../../contract/job.js';

/** The host as a URL writes it (IPv6 literals in brackets). */
export function urlHost(job: Job): string {
  return job.host.includes(':') ? `[${job.host}]` : job.host;
}

/**
 * What every curl command line of the profiles shares: quiet but with errors,
 * the job's time limit, the CA file as the only trust anchors, the name mapped
 * to CONFORM_ADDR with --resolve, the client certificate when given, and -k
 * only for the deliberately insecure profile.
 */
export function curlCommon(job: Job, insecure: boolean): string[] {
  return [
    'curl',
    '--silent',
    '--show-error',
    '--no-progress-meter',
    '--max-time',
    String(Math.max(1, job.timeoutMs / 1000 - 0.2)),
    '--cacert',
    job.caFile,
    // curl looks an internationalized host up by its A-label (libidn2), so that is the name to map.
    ...(job.addr && job.addr !== job.host
      ? ['--resolve', `${urlHost({ ...job, host: domainToASCII(job.host) || job.host })}:${job.port}:${job.addr}`]
      : []),
    ...(job.clientCert ? ['--cert', job.clientCert, '--key', job.clientKey] : []),
    // Revocation as the job asks: the CRL file, or a stapled OCSP response required (curl has no OCSP client).
    ...(job.checkRevocation === 'crl' && job.crlFile ? ['--crlfile', job.crlFile] : []),
    ...(job.checkRevocation === 'staple' ? ['--cert-status'] : []),
    ...(insecure ? ['--insecure'] : []),
  ];
}

/** STARTTLS / STLS for explicit TLS: required (--ssl-reqd) or merely allowed (--ssl). */
export function curlUpgrade(job: Job): string[] {
  if (job.tls !== 'explicit') return [];
  return [job.requireTls ? '--ssl-reqd' : '--ssl'];
}
