/**
 * The `server:` option pieces every TLS-speaking protocol shares, written
 * once: the TLS versions a case may bound the server to, and the certificate
 * profile it presents (certs/profiles.ts).
 */
import { z } from 'zod';
import { CERT_PROFILE_NAMES } from '../../certs/index.js';

/** TLS versions a server can be bounded to (`minVersion`, `maxVersion`). */
export const TlsVersionSchema = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);

/** A certificate profile name (`certificate`, FTPS's `dataCertificate`). */
export const CertificateSchema = z.enum(CERT_PROFILE_NAMES as [string, ...string[]]);
