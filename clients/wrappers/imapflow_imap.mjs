#!/usr/bin/env node
/**
 * A Conform client for imapflow (CONFORM_PROTOCOL=imap, CONFORM_ACTION=retrieve),
 * configured as a careful application would: implicit TLS with `secure`,
 * STARTTLS required with `doSTARTTLS: true` when the job requires TLS (left to
 * imapflow's default, STARTTLS when offered, when it only allows it; never
 * with a server without TLS), the CA file as the only trust anchor, TLS 1.2 at
 * least, the case's host name for SNI and verification while connecting to
 * CONFORM_ADDR (as curl --resolve). It opens INBOX, fetches message 1's source
 * (`fetchOne('1', { source: true })`: FETCH 1 BODY.PEEK[]) and writes it as
 * received. Exit: 0 retrieved, 1 failed, 89 unsupported.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';

import { revocationOptions, startDeadline, unsupported } from './conform-common.mjs';

const env = process.env;
if (env.CONFORM_PROTOCOL !== 'imap' || env.CONFORM_ACTION !== 'retrieve')
  unsupported(`${env.CONFORM_PROTOCOL} ${env.CONFORM_ACTION}`);
const host = env.CONFORM_HOST;
const { timeout, timer: deadline } = startDeadline(env);
// The package's CommonJS build (its `require` export, what a CommonJS application loads): the
// same library as the ES module build, loaded in about 0.2 s of CPU instead of 0.35 s, which
// counts against the short time limits of the cases whose server stalls or never starts TLS.
const { ImapFlow } = createRequire(import.meta.url)('imapflow');

// doSTARTTLS true: STARTTLS or nothing; false: plaintext only; unset: STARTTLS when offered.
const required = env.CONFORM_TLS === 'explicit' && env.CONFORM_REQUIRE_TLS === '1';
const starttls = env.CONFORM_TLS === 'none' ? false : required ? true : undefined;
const client = new ImapFlow({
  host: env.CONFORM_ADDR || host,
  port: Number(env.CONFORM_PORT),
  secure: env.CONFORM_TLS === 'implicit',
  ...(starttls === undefined ? {} : { doSTARTTLS: starttls }),
  // RFC 6066 §3: no SNI for an IP literal; Node then checks the IP against the certificate.
  ...(isIP(host) ? {} : { servername: host }),
  auth: { user: env.CONFORM_USER, pass: env.CONFORM_PASS },
  tls: {
    ca: readFileSync(env.CONFORM_CA_FILE),
    ...revocationOptions(env),
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(isIP(host) ? {} : { servername: host }),
    ...(env.CONFORM_CLIENT_CERT
      ? { cert: readFileSync(env.CONFORM_CLIENT_CERT), key: readFileSync(env.CONFORM_CLIENT_KEY) }
      : {}),
  },
  logger: false,
  connectionTimeout: timeout,
  greetingTimeout: timeout,
  socketTimeout: timeout,
});
// A connection error after connect() resolved comes as an event; without a listener it would be an uncaught exception.
client.on('error', (err) => {
  console.error(`${err.code ?? 'ERROR'}: ${String(err.message).replace(/\n/g, ' ')}`);
  process.exit(1);
});

// RFC 9051 §7.1: an ALERT received inside TLS is presented to the user; one received without
// TLS may be a man in the middle's words and is ignored. imapflow reports both; the application
// (this wrapper) tells them apart by the socket it came on. Control bytes are escaped.
client.on('alert', (alert) => {
  if (client.socket?.encrypted) console.error(`ALERT: ${String(alert.message).replace(/[\x00-\x1f\x7f-\x9f]/g, '?')}`);
});

try {
  await client.connect();
  await client.mailboxOpen('INBOX');
  const message = await client.fetchOne('1', { source: true });
  if (!message || !message.source) throw new Error('FETCH returned no message 1');
  writeFileSync(env.CONFORM_OUTPUT_FILE, message.source);
  await client.logout();
  clearTimeout(deadline);
  process.exit(0);
} catch (err) {
  const text = err.responseText ? ` (${err.responseText})` : '';
  console.error(`${err.code ?? 'ERROR'}: ${String(err.message).replace(/\n/g, ' ')}${text}`);
  process.exit(1);
}
