/** A TLS server on 127.0.0.1:0 for unit tests of TLS clients, with the TCP socket under each session at hand. */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContextOptions } from 'node:tls';
import type { Job } from '../../contract/job.js';
import type { MaterializedCert } from '../../certs/index.js';

export interface TlsPeer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `cert` (at its profile's security level); `onSecure` gets each session
 * once its handshake completed, and the raw TCP socket beneath it (to end TCP
 * without a close_notify). `more` adds to the secure context (client CA, ...).
 */
export async function tlsPeer(
  cert: MaterializedCert,
  onSecure: (tls: TLSSocket, raw: Socket) => void = (tls) => tls.end(),
  more: SecureContextOptions & { requestCert?: boolean } = {},
): Promise<TlsPeer> {
  const { requestCert = false, ...context } = more;
  const secureContext = createSecureContext({
    key: cert.keyPem,
    cert: cert.certChainPem,
    ...(cert.securityLevel === null ? {} : { ciphers: `DEFAULT@SECLEVEL=${cert.securityLevel}` }),
    ...context,
  });
  const raws = new Set<Socket>();
  const server = createServer((raw) => {
    raws.add(raw);
    raw.on('close', () => raws.delete(raw));
    const tls = new TLSSocket(raw, { isServer: true, secureContext, requestCert, rejectUnauthorized: false });
    tls.on('error', () => undefined); // a client that refuses the certificate is what some tests want
    tls.once('secure', () => onSecure(tls, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const raw of raws) raw.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A job for a TLS client: the host it verifies, the server it reaches on 127.0.0.1, the CA it trusts. */
export function tlsJob(host: string, port: number, caFile: string, more: Partial<Job> = {}): Job {
  return {
    case: 'unit',
    protocol: 'https',
    action: 'get',
    url: `https://${host}:${port}/`,
    host,
    port,
    addr: '127.0.0.1',
    tls: 'implicit',
    requireTls: true,
    caFile,
    user: '',
    pass: '',
    clientCert: '',
    clientKey: '',
    ftpMode: '',
    ftpType: '',
    ftpProt: '',
    ftpCcc: false,
    mailFrom: '',
    mailTo: '',
    inputFile: '',
    outputFile: '',
    proxyUrl: '',
    checkRevocation: '',
    crlFile: '',
    timeoutMs: 5000,
    workdir: '',
    jobFile: '',
    ...more,
  };
}
