#!/usr/bin/env node
/**
 * A Conform client for basic-ftp (CONFORM_PROTOCOL=ftps), configured as a
 * careful application would: `secure: true` (AUTH TLS) or `'implicit'`, the
 * CA file as the only trust anchor, TLS 1.2 at least, the case's host name
 * for SNI and verification while connecting to CONFORM_ADDR. basic-ftp
 * always sends PBSZ 0 / PROT P on a TLS connection, uses TYPE I and passive
 * mode (EPSV, then PASV) only, and parses listings instead of handing them
 * over: active mode, PROT C, TYPE A, `list` and CCC are unsupported (89).
 * Exit: 0 done, 1 failed, 89 unsupported.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

import { revocationOptions, startDeadline, unsupported } from './conform-common.mjs';

const env = process.env;
if (env.CONFORM_PROTOCOL !== 'ftps' || !['download', 'upload'].includes(env.CONFORM_ACTION))
  unsupported(`${env.CONFORM_PROTOCOL} ${env.CONFORM_ACTION}`);
if (env.CONFORM_FTP_MODE === 'active') unsupported('basic-ftp has no active mode');
if (env.CONFORM_FTP_TYPE === 'A') unsupported('basic-ftp transfers in TYPE I only');
if (env.CONFORM_TLS !== 'none' && env.CONFORM_FTP_PROT === 'C')
  unsupported('basic-ftp always protects the data channel on a TLS connection');
if (env.CONFORM_FTP_CCC === '1') unsupported('basic-ftp has no CCC');
if (env.CONFORM_TLS === 'none' && env.CONFORM_REQUIRE_TLS === '1') {
  console.error('the job requires TLS but the server offers none');
  process.exit(1);
}

const host = env.CONFORM_HOST;
const { timeout, timer: deadline } = startDeadline(env);
const { Client } = await import('basic-ftp');
const client = new Client(timeout);
try {
  await client.access({
    host: env.CONFORM_ADDR || host,
    port: Number(env.CONFORM_PORT),
    // No credentials: basic-ftp's own anonymous login (anonymous / guest).
    user: env.CONFORM_USER || undefined,
    password: env.CONFORM_PASS || undefined,
    secure: env.CONFORM_TLS === 'implicit' ? 'implicit' : env.CONFORM_TLS === 'explicit',
    secureOptions: {
      // The identity data connections resume the session under, and the name verified.
      host,
      ca: readFileSync(env.CONFORM_CA_FILE),
      ...revocationOptions(env),
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(isIP(host) ? {} : { servername: host }),
      ...(env.CONFORM_CLIENT_CERT
        ? { cert: readFileSync(env.CONFORM_CLIENT_CERT), key: readFileSync(env.CONFORM_CLIENT_KEY) }
        : {}),
    },
  });
  const path = decodeURIComponent(new URL(env.CONFORM_URL).pathname);
  if (env.CONFORM_ACTION === 'download') await client.downloadTo(env.CONFORM_OUTPUT_FILE, path);
  else await client.uploadFrom(env.CONFORM_INPUT_FILE, path);
  client.close();
  clearTimeout(deadline);
  process.exit(0);
} catch (err) {
  console.error(`${err.code ?? 'ERROR'}: ${String(err.message).replace(/\n/g, ' ')}`);
  process.exit(1);
}
