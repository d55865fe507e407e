import type { FlawTable } from './types.js';

/** Flaws of the reference client's SMTP side: each breaks one rule of RFC 5321, 3207, 2920 or 4954. */
export const SMTP_FLAWS = {
  'ignore-missing-starttls': { protocols: ['smtp'], explain: 'goes on in plaintext when STARTTLS is not advertised, although TLS is required' },
  'ignore-starttls-refusal': { protocols: ['smtp'], explain: 'goes on in plaintext when STARTTLS is answered with anything but 220, although TLS is required' },
  'starttls-no-handshake': { protocols: ['smtp'], explain: 'after the 220 go-ahead, keeps talking plaintext as if TLS were up' },
  'smtp-plaintext-fallback': { protocols: ['smtp'], explain: 'after a failed TLS handshake, reconnects and sends the mail in plaintext' },
  'keep-replies-after-refusal': { protocols: ['smtp'], explain: 'takes reply lines that came unasked behind a STARTTLS refusal as the replies to its next commands' },
  'keep-pre-tls-buffer': { protocols: ['smtp'], explain: 'keeps bytes received after the go-ahead and before the handshake, and reads them as replies inside TLS' },
  'no-ehlo-after-starttls': { protocols: ['smtp'], explain: 'skips EHLO after TLS and keeps the capabilities learned before it' },
  'auth-before-starttls': { protocols: ['smtp'], explain: 'sends AUTH in plaintext before STARTTLS when the server offers it' },
  'pipeline-after-starttls': { protocols: ['smtp'], explain: 'sends EHLO in the same write as STARTTLS, before the go-ahead' },
  'repeat-starttls': { protocols: ['smtp'], explain: 'sends STARTTLS again inside TLS when the server advertises it there' },
  'plaintext-auth-when-optional': { protocols: ['smtp'], explain: 'sends PLAIN/LOGIN credentials over plaintext when TLS is optional and unavailable' },
  'pipeline-without-capability': { protocols: ['smtp'], explain: 'sends MAIL, RCPT and DATA in one write whether or not PIPELINING is advertised' },
  'no-dot-stuffing': { protocols: ['smtp'], explain: 'sends message lines starting with "." without doubling the dot' },
  'ignore-data-failure': { protocols: ['smtp'], explain: 'reports success whatever the reply after the message data' },
  'ignore-rcpt-failure': { protocols: ['smtp'], explain: 'goes on and reports success when a recipient is refused' },
  'ignore-auth-failure': { protocols: ['smtp'], explain: 'goes on to MAIL after AUTH is refused' },
  'accept-partial-reply': { protocols: ['smtp'], explain: 'takes a multi-line reply cut short by a closed connection as complete' },
  'ignore-greeting': { protocols: ['smtp'], explain: 'sends EHLO after a 554 greeting instead of QUIT' },
  'accept-any-hello-reply': { protocols: ['smtp'], explain: 'takes any reply to EHLO or HELO (221, 354, 421, 5xx) as a greeting without extensions and goes on' },
} as const satisfies FlawTable;
