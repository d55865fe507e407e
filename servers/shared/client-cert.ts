import { z } from 'zod';

/**
 * Whether a server asks the client for a certificate (mutual TLS), one option
 * shared by every protocol that speaks TLS and applied where TLS is set up:
 * the client CA in the context (secure-context.ts), the CertificateRequest and
 * the refusal in the handshake (tls-accept.ts).
 *
 * `request`: a CertificateRequest, the handshake goes on without a certificate
 * (RFC 8446 §4.3.2, RFC 5246 §7.4.4); `require`: the same, and a client that
 * answers with no certificate ends the handshake with an alert
 * (certificate_required in TLS 1.3, RFC 8446 §4.4.2.4; handshake_failure in
 * TLS 1.2, RFC 5246 §7.4.6), so nothing it sends after reaches the protocol.
 */
export const ClientCertSchema = z.enum(['none', 'request', 'require']);
export type ClientCertPolicy = z.infer<typeof ClientCertSchema>;
