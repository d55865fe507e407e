import type { FlawTable } from '../flaw-types.js';

/** Flaws of the reference client's SMTP side: each breaks one rule of RFC 5321, 3207, 2920 or 4954. */
export const SMTP_FLAWS = {
  'ignore-missing-starttls': {
    explain: 'goes on in plaintext when STARTTLS is not advertised, although TLS is required',
  },
  'ignore-starttls-refusal': {
    explain: 'goes on in plaintext when STARTTLS is answered with anything but 220, although TLS is required',
  },
  'starttls-no-handshake': { explain: 'after the 220 go-ahead, keeps talking plaintext as if TLS were up' },
  'smtp-plaintext-fallback': { explain: 'after a failed TLS handshake, reconnects and sends the mail in plaintext' },
  'keep-replies-after-refusal': {
    explain: 'takes reply lines that came unasked behind a STARTTLS refusal as the replies to its next commands',
  },
  'keep-pre-tls-buffer': {
    explain: 'keeps bytes received after the go-ahead and before the handshake, and reads them as replies inside TLS',
  },
  'no-ehlo-after-starttls': { explain: 'skips EHLO after TLS and keeps the capabilities learned before it' },
  'auth-before-starttls': { explain: 'sends AUTH in plaintext before STARTTLS when the server offers it' },
  'pipeline-after-starttls': { explain: 'sends EHLO in the same write as STARTTLS, before the go-ahead' },
  'repeat-starttls': { explain: 'sends STARTTLS again inside TLS when the server advertises it there' },
  'plaintext-auth-when-optional': {
    explain: 'sends PLAIN/LOGIN credentials over plaintext when TLS is optional and unavailable',
  },
  'pipeline-without-capability': {
    explain: 'sends MAIL, RCPT and DATA in one write whether or not PIPELINING is advertised',
  },
  'no-dot-stuffing': { explain: 'sends message lines starting with "." without doubling the dot' },
  'ignore-data-failure': { explain: 'reports success whatever the reply after the message data' },
  'ignore-rcpt-failure': { explain: 'goes on and reports success when a recipient is refused' },
  'ignore-auth-failure': { explain: 'goes on to MAIL after AUTH is refused' },
  'accept-partial-reply': { explain: 'takes a multi-line reply cut short by a closed connection as complete' },
  'ignore-greeting': { explain: 'sends EHLO after a 554 greeting instead of QUIT' },
  'accept-any-hello-reply': {
    explain: 'takes any reply to EHLO or HELO (221, 354, 421, 5xx) as a greeting without extensions and goes on',
  },
} as const satisfies FlawTable;
