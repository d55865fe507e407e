import type { Job } from '../../../contract/job.js';

/** A value quoted for lftp's own command language (double quotes, backslash escapes). */
function q(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * lftp (GnuTLS on Debian) for an FTPS job, driven by one `-c` script passed
 * as an argument (no shell runs it). Strict: ftp:ssl-force (AUTH TLS or
 * give up), ssl:verify-certificate with CONFORM_CA_FILE as the only CA, and
 * PROT P or C as asked; passive (EPSV preferred) or active mode; `get -a` /
 * `put -a` for TYPE A; a listing is `ls` (LIST) redirected to the output file.
 * lftp cannot map a name to CONFORM_ADDR, so only names that resolve to it
 * themselves (localhost) are supported.
 */
export function lftpArgv(job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'ftps' || !['download', 'upload', 'list'].includes(job.action)) return 'unsupported';
  if (job.host !== 'localhost' && job.host !== job.addr) return 'unsupported';
  // Two attempts (below) share the job's time limit, less lftp's own start-up; lftp takes fractions of a second.
  const seconds = Math.max(0.5, (job.timeoutMs / 1000 - 0.3) / 2).toFixed(2);
  const tls = job.tls !== 'none';
  const path = decodeURIComponent(new URL(job.url).pathname);
  const ascii = job.ftpType === 'A' ? ' -a' : '';
  const settings = [
    'set cmd:fail-exit yes',
    `set net:timeout ${seconds}`,
    // Two attempts: lftp falls back from a refused EPSV to PASV only on its next try.
    'set net:max-retries 2',
    'set net:reconnect-interval-base 0',
    'set dns:order "inet inet6"',
    `set ssl:ca-file ${q(job.caFile)}`,
    'set ssl:verify-certificate yes',
    'set ssl:check-hostname yes',
    `set ftp:ssl-allow ${tls ? 'yes' : 'no'}`,
    `set ftp:ssl-force ${job.tls === 'explicit' && job.requireTls ? 'yes' : 'no'}`,
    // lftp leaves anonymous logins (a job without credentials) in clear unless told otherwise.
    `set ftp:ssl-allow-anonymous ${tls ? 'yes' : 'no'}`,
    `set ftp:ssl-protect-data ${tls && job.ftpProt !== 'C' ? 'yes' : 'no'}`,
    `set ftp:ssl-protect-list ${tls && job.ftpProt !== 'C' ? 'yes' : 'no'}`,
    `set ftp:passive-mode ${job.ftpMode === 'active' ? 'no' : 'yes'}`,
    'set ftp:prefer-epsv yes',
    // CONFORM_FTP_CCC: lftp sends CCC after login when ftp:ssl-use-ccc is on.
    `set ftp:ssl-use-ccc ${job.ftpCcc ? 'yes' : 'no'}`,
    'set xfer:clobber yes',
    ...(job.clientCert ? [`set ssl:cert-file ${q(job.clientCert)}`, `set ssl:key-file ${q(job.clientKey)}`] : []),
    ...(job.checkRevocation === 'crl' && job.crlFile ? [`set ssl:crl-file ${q(job.crlFile)}`] : []),
  ];
  const scheme = job.tls === 'implicit' ? 'ftps' : 'ftp';
  // No credentials: lftp's own anonymous login.
  const open = `open${job.user ? ` -u ${q(job.user)},${q(job.pass)}` : ''} ${scheme}://${job.host}:${job.port}`;
  const action =
    job.action === 'download'
      ? `get${ascii} ${q(path)} -o ${q(job.outputFile)}`
      : job.action === 'upload'
        ? `put${ascii} ${q(job.inputFile)} -o ${q(path)}`
        : `ls ${q(path)} > ${q(job.outputFile)}`;
  return ['lftp', '-c', [...settings, open, action].join('; ')];
}
