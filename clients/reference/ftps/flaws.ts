import type { FlawTable } from '../flaw-types.js';

/** Flaws of the reference client's FTPS side: each breaks one rule of RFC 959, RFC 4217 or RFC 2428. */
export const FTPS_FLAWS = {
  'ftps-user-before-auth': { explain: 'sends USER and PASS before AUTH TLS' },
  'ftps-ignore-auth-refusal': {
    explain: 'goes on in plaintext when AUTH TLS is refused, even with CONFORM_REQUIRE_TLS=1',
  },
  'ftps-trust-greeting-230': {
    explain: 'takes a 230 greeting as a finished login and skips AUTH TLS (CVE-2021-22946)',
  },
  'ftps-keep-pre-tls-buffer': {
    explain: 'reads bytes received before the TLS handshake as replies that came inside TLS (CVE-2021-22947)',
  },
  'ftps-keep-pipelined-replies': {
    explain:
      'keeps replies that came unasked behind a refused AUTH TLS and reads them as answers to its next commands (AUTH SSL after a 504, then USER), as curl did before 7.79.0 (CVE-2021-22947)',
  },
  'ftps-ccc-before-login': {
    explain: 'sends CCC before USER and PASS, so its credentials cross the cleared control connection in plaintext',
  },
  'ftps-ccc-clear-data': {
    explain: 'sends PROT C after CCC and opens its data connections in clear, whatever the server answers',
  },
  'ftps-pipeline-auth': { explain: 'sends USER right behind AUTH TLS, before the 234' },
  'ftps-skip-pbsz': { explain: 'sends PROT P without PBSZ 0 first' },
  'ftps-clear-data': { explain: 'never sends PROT P: the data connection stays in clear' },
  'ftps-ignore-prot-refusal': { explain: 'transfers in clear when PROT P is refused, even with CONFORM_REQUIRE_TLS=1' },
  'ftps-follow-pasv-address': {
    explain: 'connects to the address the PASV reply names instead of the control connection’s peer (CVE-2020-8284)',
  },
  'ftps-no-session-reuse': {
    explain: 'starts a fresh TLS session on the data connection instead of resuming the control one',
  },
  'ftps-accept-truncated': {
    explain: 'takes a data connection closed early (no close_notify, short of SIZE, 426) as a complete transfer',
  },
  'ftps-accept-missing-150': {
    explain:
      'takes a 226 that came instead of 150/125 as the end of the transfer and keeps what the data connection held',
  },
  'ftps-pasv-after-epsv-all': { explain: 'announces EPSV ALL and then sends PASV anyway' },
  'ftps-ascii-no-conversion': { explain: 'writes TYPE A data as it came, CRLF line endings left in' },
  'ftps-ignore-type-refusal': { explain: 'goes on in the default TYPE A when TYPE I is refused' },
  'ftps-wrong-mode': { explain: 'always uses passive mode, whatever CONFORM_FTP_MODE asks' },
  'ftps-pasv-only': { explain: 'uses PASV and PORT only, never EPSV or EPRT, and gives up when they are refused' },
} as const satisfies FlawTable;
