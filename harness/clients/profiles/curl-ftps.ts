import type { Job } from '../../../contract/job.js';
import { curlCommon, curlUpgrade, urlHost } from './curl-common.js';

/**
 * curl's command line for an FTPS job. Explicit TLS is an ftp:// URL with
 * `--ssl-reqd` (AUTH TLS, and PROT P for the data connection) or `--ssl`;
 * implicit TLS an ftps:// URL. Passive (`--ftp-pasv`, EPSV then PASV) or
 * active (`--ftp-port` on the loopback address); `--ftp-ssl-control`
 * (TLS for the login, data in clear) for PROT C; `-B` is TYPE A. Upload is `-T`,
 * a directory URL lists (LIST). CCC (`--ftp-ssl-ccc`) only when CONFORM_FTP_CCC asks.
 */
export function curlFtpsArgv(job: Job, insecure: boolean): string[] | 'unsupported' {
  if (!['download', 'upload', 'list'].includes(job.action)) return 'unsupported';
  const scheme = job.tls === 'implicit' ? 'ftps' : 'ftp';
  const url = `${scheme}://${urlHost(job)}:${job.port}${new URL(job.url).pathname}`;
  return [
    ...curlCommon(job, insecure),
    // --ssl-reqd would win over --ftp-ssl-control (tool_operate.c), so PROT C uses the latter alone.
    ...(job.tls === 'explicit' && job.ftpProt === 'C' ? ['--ftp-ssl-control'] : curlUpgrade(job)),
    ...(job.ftpMode === 'active' ? ['--ftp-port', job.addr || '127.0.0.1'] : ['--ftp-pasv']),
    ...(job.ftpType === 'A' ? ['--use-ascii'] : []),
    // CCC once logged in; curl's default (passive) mode answers the server's close_notify by ending TLS on its side.
    ...(job.ftpCcc ? ['--ftp-ssl-ccc'] : []),
    // No credentials: curl's own anonymous login (anonymous / ftp@example.com).
    ...(job.user ? ['--user', `${job.user}:${job.pass}`] : []),
    ...(job.action === 'upload' ? ['--upload-file', job.inputFile] : ['--output', job.outputFile]),
    url,
  ];
}
