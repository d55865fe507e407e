import type { FlawTable } from './types.js';

/** Flaws of the reference client's POP3 side: each breaks one rule of RFC 1939, RFC 2449 or RFC 2595. */
export const POP3_FLAWS = {
  'pop3-ignore-missing-stls': { protocols: ['pop3'], explain: 'goes on in plaintext when STLS is not offered or is refused, even with CONFORM_REQUIRE_TLS=1' },
  'pop3-plaintext-fallback': { protocols: ['pop3'], explain: 'after a failed TLS negotiation, reconnects and logs in without TLS' },
  'pop3-keep-pre-tls-buffer': { protocols: ['pop3'], explain: 'keeps bytes received before the TLS handshake and reads them as if they came inside TLS' },
  'pop3-keep-replies-after-refusal': { protocols: ['pop3'], explain: 'takes lines that came unasked behind an STLS refusal as the replies to its next commands' },
  'pop3-no-capa-after-stls': { protocols: ['pop3'], explain: 'keeps the capabilities learned before TLS instead of asking CAPA again' },
  'pop3-login-before-stls': { protocols: ['pop3'], explain: 'logs in before issuing STLS' },
  'pop3-plaintext-after-hello': { protocols: ['pop3'], explain: 'writes its next command in plaintext right after sending the ClientHello, as if TLS were up' },
  'pop3-pipeline-stls': { protocols: ['pop3'], explain: 'sends CAPA right behind STLS, in the same write, before the go-ahead' },
  'pop3-restart-stls': { protocols: ['pop3'], explain: 'issues STLS again when it is advertised inside TLS' },
  'pop3-no-unstuffing': { protocols: ['pop3'], explain: 'leaves the extra leading dot of byte-stuffed lines in the message' },
  'pop3-accept-truncated-retr': { protocols: ['pop3'], explain: 'takes a connection closed before the "." line as the end of the message' },
  'pop3-err-as-empty': { protocols: ['pop3'], explain: 'takes -ERR to the login or to RETR as an empty maildrop and reports success' },
  'print-raw-server-text': { protocols: ['smtp', 'pop3'], explain: "prints the server's text (a refused greeting, a reply) with its control bytes raw, escape sequences included" },
} as const satisfies FlawTable;
