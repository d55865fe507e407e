import { z } from 'zod';
import { CertificateSchema } from '../shared/tls-options.js';
import { ClientCertSchema } from '../shared/client-cert.js';
import { Socks5FaultSchema } from './faults.js';
import { MIN_LONG_HOST } from './long-names.js';
import { Socks5ScriptSchema } from './script.js';

/** RFC 1928 §3: the method codes the proxy can select, by name. */
export const METHODS = { none: 0x00, gssapi: 0x01, 'username-password': 0x02, private: 0x80 } as const;
export type MethodName = keyof typeof METHODS;

/** A case's `server:` block for the SOCKS5 proxy. Every field has a default. */
export const Socks5OptionsSchema = z
  .object({
    /**
     * Methods the proxy accepts, in its order of preference (it selects the first
     * one the client offered). `gssapi` is selected and then never completed.
     * Default `[none]`.
     */
    methods: z
      .array(z.enum(Object.keys(METHODS) as [MethodName, ...MethodName[]]))
      .min(1)
      .default(['none']),
    /** The RFC 1929 account; handed to the client only when `username-password` is accepted. */
    credentials: z
      .object({ user: z.string().min(1).max(255), pass: z.string().min(1).max(255) })
      .strict()
      .default({ user: 'conform', pass: 'conform-socks-secret' }),
    /** Hand the account to the client (proxy URL, CONFORM_USER/PASS) when `username-password` is accepted. Default true. */
    offerCredentials: z.boolean().default(true),
    /** Whether the job's proxy URL is `socks5h://` (the proxy resolves names, `remote`) or `socks5://` (`local`). Default `remote`. */
    resolve: z.enum(['remote', 'local']).default('remote'),
    /**
     * What the client is asked to do (CONFORM_ACTION): `connect` (`get`: fetch the
     * target's URL through a CONNECT tunnel), `bind` (`bind`: have the proxy accept
     * a connection from the peer, RFC 1928 §4 BIND) or `udp-associate` (`udp`: one
     * datagram to a UDP target through the proxy's relay, RFC 1928 §7). Default `connect`.
     */
    command: z.enum(['connect', 'bind', 'udp-associate']).default('connect'),
    /** The server behind the proxy, for `connect`. Default `http`. */
    target: z.enum(['http', 'https']).default('http'),
    /** How the target URL names it: a name (`name`: one only the proxy resolves for socks5h://, `localhost` for socks5://), `ipv4` or `ipv6` literals. Default `name`. */
    address: z.enum(['name', 'ipv4', 'ipv6']).default('name'),
    /** Certificate profile of an `https` target. Default `valid`. */
    certificate: CertificateSchema.default('valid'),
    /** Whether the https target asks for a client certificate in the TLS handshake (servers/shared/client-cert.ts). Default `none`. */
    clientCert: ClientCertSchema.default('none'),
    /** Size of the body the target serves (the peer sends, for `bind`; the reply datagram, for `udp-associate`, at most 60,000). Default 4096 bytes of every byte value. */
    bodySize: z
      .number()
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(4096),
    /**
     * Names generated at the edge of a one-octet length field, by their length in
     * bytes: `user` replaces the account's user name (RFC 1929 §2: ULEN, UNAME 1 to
     * 255 bytes), `host` the target's name under socks5h:// (RFC 1928 §5: one length
     * octet; labels of at most 63 bytes under conform.test, which only the proxy
     * resolves). Above 255 neither can be sent: such a case checks that the client
     * refuses it. Default: none (`credentials.user`, target.conform.test).
     */
    longNames: z
      .object({
        user: z.number().int().min(1).max(1024).optional(),
        host: z.number().int().min(MIN_LONG_HOST).max(1024).optional(),
      })
      .strict()
      .default({}),
    faults: z.array(Socks5FaultSchema).default([]),
    /**
     * Scripted misbehaviour (servers/socks5/script.ts, docs/scripting.md): rules
     * that answer a stage (greeting, auth, request, BIND's peer, a reply datagram,
     * a point in the tunnel) with raw bytes, the proxy's own answer, timing or an
     * ending. Default: none.
     */
    script: Socks5ScriptSchema.default([]),
  })
  .strict()
  .refine((o) => o.command !== 'udp-associate' || o.bodySize <= MAX_DATAGRAM_BODY, {
    message: `a udp-associate reply datagram holds at most ${60_000} bytes`,
    path: ['bodySize'],
  })
  .refine(
    (o) =>
      o.longNames.host === undefined ||
      (o.resolve === 'remote' && o.address === 'name' && (o.command !== 'connect' || o.target === 'http')),
    {
      // A long name only the proxy resolves: socks5h://, a name (not a literal), an http target (an https one is named by its certificate).
      message: 'longNames.host needs resolve: remote, address: name and (for connect) target: http',
      path: ['longNames', 'host'],
    },
  );

/** The largest reply datagram the UDP target sends (it must fit one IPv4 datagram with the SOCKS header). */
export const MAX_DATAGRAM_BODY = 60_000;

/** CONFORM_ACTION for each command. */
export const ACTION_OF = { connect: 'get', bind: 'bind', 'udp-associate': 'udp' } as const;

export type Socks5Options = z.infer<typeof Socks5OptionsSchema>;
