import type { ReferenceProtocol } from '../context.js';
import { UNSUPPORTED } from '../context.js';
import { IMAP_FLAWS } from './flaws.js';
import { retrieveMail } from './retrieve.js';

/** IMAP (RFC 9051, RFC 3501) with STARTTLS or implicit TLS (RFC 8314): CONFORM_ACTION=retrieve fetches message 1 of INBOX. */
export const reference: ReferenceProtocol = {
  flaws: IMAP_FLAWS,
  honours: ['answer-plaintext-banner', 'plaintext-after-hello', 'print-raw-server-text'],
  run: (job, ctx) => (job.action === 'retrieve' ? retrieveMail(job, ctx) : Promise.resolve(UNSUPPORTED)),
};
