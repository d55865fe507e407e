import type { EventLog } from './events.js';
import type { CertProfileName, MaterializedCert } from '../../certs/index.js';

/** What the harness hands a protocol server when it starts one for a case. */
export interface ServerContext {
  log: EventLog;
  /** Materializes a named certificate profile (cached on disk). */
  cert(profile: CertProfileName): Promise<MaterializedCert>;
  /** Address to listen on: loopback unless the user chose otherwise. */
  bindHost: string;
  /** NSS key log lines of every TLS session the servers accept. */
  keylog: string[];
}

/** How a client reaches a running server; becomes the job's URL, host and port. */
export interface Endpoint {
  url: string;
  /** The name the client connects to and verifies (may resolve only through CONFORM_ADDR). */
  host: string;
  port: number;
  tls: 'implicit' | 'explicit' | 'none';
  /** PEM trust anchors the client must use. */
  caFile: string;
}

export interface RunningServer {
  endpoint: Endpoint;
  /** The bytes a correct client delivers into CONFORM_OUTPUT_FILE, when the action downloads. */
  expectedOutput?: Buffer;
  /** The bytes the client is given to send (CONFORM_INPUT_FILE): a message, an upload. */
  input?: Buffer;
  /** What the server received of the input, once the client is done (null: nothing arrived). */
  received?: () => Buffer | null;
  /** The account the server accepts; the job's CONFORM_USER / CONFORM_PASS unless the case says otherwise. */
  credentials?: { user: string; pass: string };
  /** Extra job fields the server decides (mail envelope, proxy URL, FTP modes) unless the case sets them. */
  job?: {
    mailFrom?: string;
    mailTo?: string[];
    /** socks5: `socks5h://[user:pass@]host:port` or `socks5://…` (CONFORM_PROXY_URL). */
    proxyUrl?: string;
    ftpMode?: 'passive' | 'active';
    ftpType?: 'I' | 'A';
    ftpProt?: 'P' | 'C';
    /** CONFORM_FTP_CCC: clear the control connection after login (ftps). */
    ftpCcc?: boolean;
    /** The action, when the server decides it (e.g. ftps upload vs download). */
    action?: string;
  };
  /** One line per scripted fault, for reports. */
  faults: string[];
  stop(): Promise<void>;
}
