import type { FlawTable } from '../flaw-types.js';

/** Flaws of the reference client's IMAP side: each breaks one rule of RFC 9051, RFC 3501, RFC 2595 or RFC 8314. */
export const IMAP_FLAWS = {
  'imap-ignore-missing-starttls': {
    explain: 'goes on in plaintext when STARTTLS is not offered or is refused, even with CONFORM_REQUIRE_TLS=1',
  },
  'imap-plaintext-fallback': { explain: 'after a failed TLS negotiation, reconnects and logs in without TLS' },
  'imap-login-before-starttls': { explain: 'logs in before issuing STARTTLS' },
  'imap-keep-pre-tls-buffer': {
    explain: 'keeps bytes received before the TLS handshake and reads them as if they came inside TLS',
  },
  'imap-keep-capabilities': {
    explain:
      "keeps the capabilities learned before TLS (the STARTTLS answer's included) instead of asking CAPABILITY again",
  },
  'imap-keep-replies-after-refusal': {
    explain: 'takes responses that came unasked behind a STARTTLS refusal as the answers to its next commands',
  },
  'imap-pipeline-starttls': {
    explain: 'sends CAPABILITY right behind STARTTLS, in the same write, before the tagged OK',
  },
  'imap-plaintext-after-hello': {
    explain: 'writes its next command in plaintext right after sending the ClientHello, as if TLS were up',
  },
  'imap-restart-starttls': { explain: 'issues STARTTLS again when it is advertised inside TLS' },
  'imap-login-despite-logindisabled': { explain: 'sends LOGIN although the server advertises LOGINDISABLED' },
  'imap-accept-preauth': {
    explain: 'takes a PREAUTH greeting on a plaintext connection as a session to use, even with CONFORM_REQUIRE_TLS=1',
  },
  'imap-accept-foreign-tag': {
    explain: 'takes a tagged completion with any tag, one it never sent included, as the end of its command',
  },
  'imap-accept-truncated-literal': { explain: 'takes a connection closed inside a literal as the end of the message' },
  'imap-literal-by-lines': {
    explain: 'reads a literal line by line up to a line that closes the response, instead of by its octet count',
  },
  'imap-no-as-empty': {
    explain:
      'takes a BYE, NO or BAD greeting, or NO to the login, SELECT or FETCH, as an empty mailbox and reports success',
  },
  'imap-show-plaintext-alert': {
    explain: 'shows the text of an [ALERT] that came without TLS, as if the server had said it',
  },
  'imap-hide-alerts': { explain: 'never shows its user an [ALERT], not even one that came inside TLS' },
  'imap-reject-unsolicited': {
    explain:
      'gives up when untagged data no command of its asked for (LIST, STATUS, FETCH, EXISTS …) comes before its login, where RFC 9051 §7 has a client accept any response at all times',
  },
  'imap-keep-unsolicited-fetch': {
    explain:
      'keeps message data from every FETCH response it reads, ones no FETCH of its asked for (before the login, in plaintext) included, and delivers the first for message 1',
  },
  'imap-assume-capabilities': {
    explain:
      'takes a refused CAPABILITY command for a list of IMAP4rev1 alone and goes on, instead of stopping with no list',
  },
} as const satisfies FlawTable;
