/**
 * The job a client under test is given: docs/contract.md's environment, typed. The
 * names of the variables are public and stable; add to them, never rename.
 *
 * A leaf: the harness writes a job with it and clients (the reference client,
 * module clients) read one, and it imports nothing, so neither depends on the other.
 * The protocol is a name from the registry (harness/protocols.ts).
 */

export interface Job {
  case: string;
  protocol: string;
  action: string;
  url: string;
  host: string;
  port: number;
  addr: string;
  tls: 'implicit' | 'explicit' | 'none';
  requireTls: boolean;
  caFile: string;
  user: string;
  pass: string;
  clientCert: string;
  clientKey: string;
  ftpMode: 'passive' | 'active' | '';
  ftpType: 'I' | 'A' | '';
  ftpProt: 'P' | 'C' | '';
  /** FTPS: clear the control connection (CCC, RFC 4217 §5) once logged in and PROT P is set. */
  ftpCcc: boolean;
  mailFrom: string;
  mailTo: string;
  inputFile: string;
  outputFile: string;
  proxyUrl: string;
  /**
   * Revocation checking the client is asked for: `crl` (against CONFORM_CRL_FILE,
   * also served at the certificate's CRL distribution point), `ocsp` (ask the
   * certificate's OCSP responder), `staple` (require a stapled OCSP response,
   * RFC 6066 §8), or '' (none asked).
   */
  checkRevocation: 'crl' | 'ocsp' | 'staple' | '';
  /** PEM CRL of the issuer of the server's certificate, when the case has one; else ''. */
  crlFile: string;
  timeoutMs: number;
  workdir: string;
  /** Path of the JSON copy of the environment (CONFORM_JOB). */
  jobFile: string;
}

/** The variables of docs/contract.md, in its order; every one is set for every case. */
export function jobEnv(job: Job): Record<string, string> {
  return {
    CONFORM_CASE: job.case,
    CONFORM_PROTOCOL: job.protocol,
    CONFORM_ACTION: job.action,
    CONFORM_URL: job.url,
    CONFORM_HOST: job.host,
    CONFORM_PORT: String(job.port),
    CONFORM_ADDR: job.addr,
    CONFORM_TLS: job.tls,
    CONFORM_REQUIRE_TLS: job.requireTls ? '1' : '0',
    CONFORM_CA_FILE: job.caFile,
    CONFORM_USER: job.user,
    CONFORM_PASS: job.pass,
    CONFORM_CLIENT_CERT: job.clientCert,
    CONFORM_CLIENT_KEY: job.clientKey,
    CONFORM_FTP_MODE: job.ftpMode,
    CONFORM_FTP_TYPE: job.ftpType,
    CONFORM_FTP_PROT: job.ftpProt,
    // `1` asks for CCC, `0` does not; empty outside FTPS.
    CONFORM_FTP_CCC: job.protocol === 'ftps' ? (job.ftpCcc ? '1' : '0') : '',
    CONFORM_MAIL_FROM: job.mailFrom,
    CONFORM_MAIL_TO: job.mailTo,
    CONFORM_INPUT_FILE: job.inputFile,
    CONFORM_OUTPUT_FILE: job.outputFile,
    CONFORM_PROXY_URL: job.proxyUrl,
    CONFORM_CHECK_REVOCATION: job.checkRevocation,
    CONFORM_CRL_FILE: job.crlFile,
    CONFORM_TIMEOUT_MS: String(job.timeoutMs),
    CONFORM_WORKDIR: job.workdir,
    CONFORM_JOB: job.jobFile,
  };
}

/** Reads a job back from an environment (for clients written against the contract). */
export function jobFromEnv(env: NodeJS.ProcessEnv): Job {
  const get = (name: string): string => env[name] ?? '';
  return {
    case: get('CONFORM_CASE'),
    protocol: get('CONFORM_PROTOCOL'),
    action: get('CONFORM_ACTION'),
    url: get('CONFORM_URL'),
    host: get('CONFORM_HOST'),
    port: Number(get('CONFORM_PORT')),
    addr: get('CONFORM_ADDR'),
    tls: get('CONFORM_TLS') as Job['tls'],
    requireTls: get('CONFORM_REQUIRE_TLS') === '1',
    caFile: get('CONFORM_CA_FILE'),
    user: get('CONFORM_USER'),
    pass: get('CONFORM_PASS'),
    clientCert: get('CONFORM_CLIENT_CERT'),
    clientKey: get('CONFORM_CLIENT_KEY'),
    ftpMode: get('CONFORM_FTP_MODE') as Job['ftpMode'],
    ftpType: get('CONFORM_FTP_TYPE') as Job['ftpType'],
    ftpProt: get('CONFORM_FTP_PROT') as Job['ftpProt'],
    ftpCcc: get('CONFORM_FTP_CCC') === '1',
    mailFrom: get('CONFORM_MAIL_FROM'),
    mailTo: get('CONFORM_MAIL_TO'),
    inputFile: get('CONFORM_INPUT_FILE'),
    outputFile: get('CONFORM_OUTPUT_FILE'),
    proxyUrl: get('CONFORM_PROXY_URL'),
    checkRevocation: get('CONFORM_CHECK_REVOCATION') as Job['checkRevocation'],
    crlFile: get('CONFORM_CRL_FILE'),
    timeoutMs: Number(get('CONFORM_TIMEOUT_MS')) || 5000,
    workdir: get('CONFORM_WORKDIR'),
    jobFile: get('CONFORM_JOB'),
  };
}
