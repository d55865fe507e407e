#!/usr/bin/env node
/**
 * A Conform client for mpop (GnuTLS on Debian), which needs a configuration
 * file for its password and an MDA to deliver to. Follows docs/contract.md for
 * CONFORM_PROTOCOL=pop3, CONFORM_ACTION=retrieve; 89 for anything else.
 *
 * It writes an mpop account into CONFORM_WORKDIR (mode 0600, as mpop insists),
 * with verification on and CONFORM_CA_FILE as the only trust anchors, STLS for
 * explicit TLS (mpop has no opportunistic mode: it stops when STLS fails, which
 * CONFORM_REQUIRE_TLS=0 allows but does not ask), and this same file as the
 * MDA, which mpop runs once per message, in order: message 1 is the first.
 *
 * mpop hands the MDA each message with Unix line endings (LF); the maildrop's
 * messages end every line with CRLF, so CRLF is restored for the comparison.
 * Usage: `mpop_pop3.mjs` (the job in the environment) or `mpop_pop3.mjs --deliver DIR` (the MDA).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXIT_UNSUPPORTED = 89;

/** What the MDA stores of one message at most; the rest is read and dropped, so mpop sees no difference. */
const MAX_STORED = 16 * 1024 * 1024;

/** MDA mode: stdin is one message; store it as DIR/<n>, n counting from 1, bounded. */
async function deliver(dir) {
  const n = readdirSync(dir).length + 1;
  const parts = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    if (size < MAX_STORED) parts.push(chunk.subarray(0, MAX_STORED - size));
    size += chunk.length;
  }
  writeFileSync(join(dir, String(n)), Buffer.concat(parts));
  return 0;
}

/** A value for mpop's configuration file: quoted, with " and \ escaped. */
const quote = (s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** One word of the MDA command, which mpop runs through /bin/sh: special characters backslash-escaped. */
const shellWord = (s) => s.replace(/[^\w./-]/g, (c) => `\\${c}`);

function configuration(env, inbox) {
  const tls = env.CONFORM_TLS;
  const mda = [process.execPath, fileURLToPath(import.meta.url), '--deliver', inbox].map(shellWord).join(' ');
  return [
    'account conform',
    // Connect to CONFORM_ADDR; verify (and send as SNI) CONFORM_HOST, as curl --resolve does.
    `host ${env.CONFORM_ADDR || env.CONFORM_HOST}`,
    `tls_host_override ${env.CONFORM_HOST}`,
    `port ${env.CONFORM_PORT}`,
    `tls ${tls === 'none' ? 'off' : 'on'}`,
    `tls_starttls ${tls === 'explicit' ? 'on' : 'off'}`,
    `tls_trust_file ${env.CONFORM_CA_FILE}`,
    'tls_certcheck on',
    // The CRL when the job asks for a CRL check (GnuTLS then refuses a listed certificate).
    ...(env.CONFORM_CHECK_REVOCATION === 'crl' && env.CONFORM_CRL_FILE ? [`tls_crl_file ${env.CONFORM_CRL_FILE}`] : []),
    ...(env.CONFORM_CLIENT_CERT
      ? [`tls_cert_file ${env.CONFORM_CLIENT_CERT}`, `tls_key_file ${env.CONFORM_CLIENT_KEY}`]
      : []),
    // `on` picks the best method and refuses plaintext ones without TLS; a job without
    // TLS is a user who chose a plaintext server, and must name USER/PASS to use it.
    `auth ${tls === 'none' ? 'user' : 'on'}`,
    `user ${quote(env.CONFORM_USER)}`,
    `password ${quote(env.CONFORM_PASS)}`,
    `timeout ${Math.max(1, Math.floor(Number(env.CONFORM_TIMEOUT_MS || 5000) / 1000) - 1)}`,
    // Deliver as received: no Received header added, nothing deleted on the server, every message.
    'received_header off',
    'keep on',
    'only_new off',
    `uidls_file ${join(env.CONFORM_WORKDIR, 'mpop-uidls')}`,
    `delivery mda ${mda}`,
    '',
  ].join('\n');
}

function main(env) {
  if (env.CONFORM_PROTOCOL !== 'pop3' || env.CONFORM_ACTION !== 'retrieve') {
    process.stderr.write(`unsupported: ${env.CONFORM_PROTOCOL} ${env.CONFORM_ACTION}\n`);
    return EXIT_UNSUPPORTED;
  }
  const inbox = join(env.CONFORM_WORKDIR, 'mpop-inbox');
  mkdirSync(inbox, { recursive: true });
  const rc = join(env.CONFORM_WORKDIR, 'mpoprc');
  writeFileSync(rc, configuration(env, inbox), { mode: 0o600 });
  // No time limit of the wrapper's own: mpop's `timeout` is what is measured (the harness kills a hung client).
  const run = spawnSync('mpop', ['--quiet', '-C', rc, 'conform'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.error) throw run.error;
  if (run.status !== 0) return run.status ?? 1;
  const first = readdirSync(inbox).includes('1') ? readFileSync(join(inbox, '1')) : null;
  if (!first) throw new Error('mpop exited 0 but delivered no message');
  writeFileSync(env.CONFORM_OUTPUT_FILE, Buffer.from(first.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'));
  return 0;
}

try {
  process.exitCode = process.argv[2] === '--deliver' ? await deliver(process.argv[3]) : main(process.env);
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
