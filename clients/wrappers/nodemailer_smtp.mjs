#!/usr/bin/env node
/**
 * A Conform client for nodemailer (CONFORM_PROTOCOL=smtp, CONFORM_ACTION=send),
 * configured as a careful application would: requireTLS when TLS is required,
 * secure for implicit TLS, the CA file as the only trust anchor, TLS 1.2 at
 * least, the case's host name for SNI and verification. The raw message is
 * sent as is (nodemailer dot-stuffs it). Exit: 0 sent, 1 failed, 89 unsupported.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

import { revocationOptions, startDeadline, unsupported } from './conform-common.mjs';

const env = process.env;
if (env.CONFORM_PROTOCOL !== 'smtp' || env.CONFORM_ACTION !== 'send')
  unsupported(`${env.CONFORM_PROTOCOL} ${env.CONFORM_ACTION}`);
const host = env.CONFORM_HOST;
const { timeout, timer: deadline } = startDeadline(env);
const { default: nodemailer } = await import('nodemailer');
const transport = nodemailer.createTransport({
  host: env.CONFORM_ADDR || host,
  port: Number(env.CONFORM_PORT),
  secure: env.CONFORM_TLS === 'implicit',
  requireTLS: env.CONFORM_TLS === 'explicit' && env.CONFORM_REQUIRE_TLS === '1',
  ignoreTLS: env.CONFORM_TLS === 'none',
  name: 'client.conform.test',
  ...(env.CONFORM_USER ? { auth: { user: env.CONFORM_USER, pass: env.CONFORM_PASS } } : {}),
  tls: {
    ca: readFileSync(env.CONFORM_CA_FILE),
    ...revocationOptions(env),
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    // RFC 6066 §3: no SNI for an IP literal; Node then checks the IP against the certificate.
    ...(isIP(host) ? {} : { servername: host }),
    // The client certificate the job gives, presented when the server asks (CONFORM_CLIENT_CERT/KEY).
    ...(env.CONFORM_CLIENT_CERT
      ? { cert: readFileSync(env.CONFORM_CLIENT_CERT), key: readFileSync(env.CONFORM_CLIENT_KEY) }
      : {}),
  },
  connectionTimeout: timeout,
  greetingTimeout: timeout,
  socketTimeout: timeout,
});
try {
  const to = env.CONFORM_MAIL_TO.split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const info = await transport.sendMail({
    envelope: { from: env.CONFORM_MAIL_FROM, to },
    raw: readFileSync(env.CONFORM_INPUT_FILE),
  });
  if (info.rejected?.length) throw new Error(`recipients refused: ${info.rejected.join(', ')}`);
  clearTimeout(deadline);
  process.exit(0);
} catch (err) {
  console.error(`${err.code ?? 'ERROR'}: ${String(err.message).replace(/\n/g, ' ')}`);
  process.exit(1);
}
