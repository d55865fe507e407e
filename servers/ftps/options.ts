import { z } from 'zod';
import { CertificateSchema, TlsVersionSchema } from '../shared/tls-options.js';
import { ClientCertSchema } from '../shared/client-cert.js';
import { FtpsFaultSchema } from './faults.js';
import { FILE_NAMES } from './tree.js';
import { FtpsScriptSchema } from './script.js';

/** The data connection commands (RFC 959 §4.1.2 PASV/PORT, RFC 2428 EPSV/EPRT). */
export const DATA_COMMANDS = ['PASV', 'EPSV', 'PORT', 'EPRT'] as const;
export type DataCommand = (typeof DATA_COMMANDS)[number];

/** A case's `server:` block for the FTPS server. Every field has a default, like vsftpd with ssl_enable=YES. */
export const FtpsOptionsSchema = z
  .object({
    /**
     * `explicit`: AUTH TLS offered, login accepted either way (default; a
     * client's mistake shows on the wire); `explicit-required`: 530 to USER
     * before AUTH (vsftpd's force_local_logins_ssl); `implicit`: TLS from the
     * first byte (port 990 style); `none`: no TLS at all.
     */
    tls: z.enum(['none', 'explicit', 'explicit-required', 'implicit']).default('explicit'),
    /** Certificate profile the server presents on the control connection, and on data connections unless `dataCertificate` says otherwise. Default `valid`. */
    certificate: CertificateSchema.default('valid'),
    /** Whether the server asks for a client certificate in the TLS handshake (servers/shared/client-cert.ts). Default `none`. */
    clientCert: ClientCertSchema.default('none'),
    /**
     * Certificate profile of the data connections, when it differs from the
     * control connection's. They then get their own TLS context and session
     * store, so no session of the control connection can be resumed on them:
     * every data connection is a full handshake showing this certificate
     * (a resumed session would carry the control one's authentication instead).
     * Default: the control connection's certificate, sessions shared.
     */
    dataCertificate: CertificateSchema.optional(),
    /** Lowest TLS version accepted. Default TLSv1.2. */
    minVersion: TlsVersionSchema.default('TLSv1.2'),
    /** Highest TLS version accepted. Default TLSv1.3. */
    maxVersion: TlsVersionSchema.default('TLSv1.3'),
    /** The data connection commands accepted (others get 502). Default all four. */
    dataCommands: z
      .array(z.enum(DATA_COMMANDS))
      .min(1)
      .default([...DATA_COMMANDS]),
    /** RFC 4217 §9: `required`: RETR/STOR/LIST before PROT P get 521 (vsftpd's force_local_data_ssl). Default required (when TLS is on). */
    protP: z.enum(['required', 'optional']).default('required'),
    /** The data connection's TLS session must resume the control connection's (vsftpd's require_ssl_reuse). Default false. */
    requireSessionReuse: z.boolean().default(false),
    /**
     * Anonymous FTP (RFC 1635; vsftpd's anonymous_enable): USER anonymous or ftp
     * logs in with any password, and the job carries no credentials
     * (CONFORM_USER and CONFORM_PASS empty), so the client logs in as anonymous
     * of its own accord. Default false.
     */
    anonymous: z.boolean().default(false),
    /**
     * CCC (RFC 4217 §5): `accepted`: 200 inside TLS, then TLS is shut down with
     * close_notify and the control connection goes on in plaintext, data
     * connections keeping their PROT level and PBSZ / PROT refused from then on;
     * `refused`: 500, as vsftpd, which does not implement CCC. Default: accepted
     * when the job asks for CCC (`transfer.ccc`), refused otherwise.
     */
    ccc: z.enum(['accepted', 'refused']).optional(),
    /** The account the server accepts; it becomes CONFORM_USER / CONFORM_PASS. Default conform / conform-ftp-secret. */
    credentials: z
      .object({
        user: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[^\s\0]+$/)
          .default('conform'),
        pass: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[^\s\0]+$/)
          .default('conform-ftp-secret'),
      })
      .strict()
      .prefault({}),
    /**
     * What the job does (CONFORM_ACTION) and on which file of the virtual tree:
     * `download` RETRs /pub/<file>, `upload` STORs it to /upload/<file>, `list`
     * lists /pub/. Default download of the binary file.
     */
    transfer: z
      .object({
        action: z.enum(['download', 'upload', 'list']).default('download'),
        file: z.enum(FILE_NAMES).default('binary.bin'),
        /** CONFORM_FTP_MODE, CONFORM_FTP_TYPE, CONFORM_FTP_PROT. Default passive, I, P (C without TLS). */
        mode: z.enum(['passive', 'active']).default('passive'),
        type: z.enum(['I', 'A']).default('I'),
        prot: z.enum(['P', 'C']).optional(),
        /** CONFORM_FTP_CCC=1: the client is asked to clear the control connection (CCC) once logged in and PROT P is set. Default false. */
        ccc: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /**
     * Scripted misbehaviour (servers/shared/script/schema.ts, servers/ftps/script.ts):
     * rules that answer the greeting or a command with any reply or bytes, and
     * `data` actions that change the data work a command opens (a foreign PASV
     * address, no 150, a refused, clear, cut or reset data connection). Default none.
     */
    script: FtpsScriptSchema.default([]),
    faults: z.array(FtpsFaultSchema).default([]),
  })
  .strict()
  .refine((o) => !(o.requireSessionReuse && o.dataCertificate && o.dataCertificate !== o.certificate), {
    // A data certificate of its own means no session can be resumed: requiring reuse would refuse every data connection.
    message:
      'requireSessionReuse cannot be combined with a dataCertificate of its own: its data connections can never resume the control session',
    path: ['dataCertificate'],
  });

export type FtpsOptions = z.infer<typeof FtpsOptionsSchema>;

/** Whether CCC is accepted: as the case says, else when its job asks for it. */
export function cccAccepted(options: FtpsOptions): boolean {
  return (options.ccc ?? (options.transfer.ccc ? 'accepted' : 'refused')) === 'accepted';
}
