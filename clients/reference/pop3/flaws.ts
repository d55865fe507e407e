import type { FlawTable } from '../flaw-types.js';

/** Flaws of the reference client's POP3 side: each breaks one rule of RFC 1939, RFC 2449 or RFC 2595. */
export const POP3_FLAWS = {
  'pop3-ignore-missing-stls': {
    explain: 'goes on in plaintext when STLS is not offered or is refused, even with CONFORM_REQUIRE_TLS=1',
  },
  'pop3-plaintext-fallback': { explain: 'after a failed TLS negotiation, reconnects and logs in without TLS' },
  'pop3-keep-pre-tls-buffer': {
    explain: 'keeps bytes received before the TLS handshake and reads them as if they came inside TLS',
  },
  'pop3-keep-replies-after-refusal': {
    explain: 'takes lines that came unasked behind an STLS refusal as the replies to its next commands',
  },
  'pop3-no-capa-after-stls': { explain: 'keeps the capabilities learned before TLS instead of asking CAPA again' },
  'pop3-login-before-stls': { explain: 'logs in before issuing STLS' },
  'pop3-plaintext-after-hello': {
    explain: 'writes its next command in plaintext right after sending the ClientHello, as if TLS were up',
  },
  'pop3-pipeline-stls': { explain: 'sends CAPA right behind STLS, in the same write, before the go-ahead' },
  'pop3-restart-stls': { explain: 'issues STLS again when it is advertised inside TLS' },
  'pop3-no-unstuffing': { explain: 'leaves the extra leading dot of byte-stuffed lines in the message' },
  'pop3-accept-truncated-retr': { explain: 'takes a connection closed before the "." line as the end of the message' },
  'pop3-err-as-empty': { explain: 'takes -ERR to the login or to RETR as an empty maildrop and reports success' },
} as const satisfies FlawTable;
