#!/usr/bin/env node
/**
 * A Conform client for the `socks` npm library (CONFORM_PROTOCOL=socks5,
 * CONFORM_ACTION=get): SocksClient opens the tunnel to CONFORM_URL's host
 * through CONFORM_PROXY_URL, configured as a careful application would:
 * socks5h:// hands the proxy the name, socks5:// resolves it here first (the
 * library sends whatever host it is given); an https:// target gets TLS over
 * the tunnel with the CA file as the only trust anchor and the target's name
 * for SNI and verification. Exit: 0 fetched, 1 failed, 89 unsupported.
 */
import { lookup } from 'node:dns/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

import { startDeadline, unsupported } from './conform-common.mjs';

const env = process.env;
if (env.CONFORM_PROTOCOL !== 'socks5' || env.CONFORM_ACTION !== 'get') unsupported(`${env.CONFORM_PROTOCOL} ${env.CONFORM_ACTION}`);
const { timeout, timer } = startDeadline(env);
// The timer must not keep a finished client alive.
timer.unref();

const fail = (err) => {
  console.error(`failed: ${err?.message ?? err}`);
  process.exit(1);
};

try {
  const { SocksClient } = await import('socks');
  const proxy = new URL(env.CONFORM_PROXY_URL);
  if (proxy.protocol !== 'socks5:' && proxy.protocol !== 'socks5h:') process.exit(89);
  const target = new URL(env.CONFORM_URL);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const dest = proxy.protocol === 'socks5:' && !isIP(host) ? (await lookup(host)).address : host;
  const user = decodeURIComponent(proxy.username) || env.CONFORM_USER;
  const pass = decodeURIComponent(proxy.password) || env.CONFORM_PASS;
  const { socket } = await SocksClient.createConnection({
    proxy: {
      host: env.CONFORM_ADDR || proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port) || 1080,
      type: 5,
      ...(user || pass ? { userId: user, password: pass } : {}),
    },
    command: 'connect',
    destination: { host: dest, port },
    timeout,
  });
  const stream = target.protocol === 'https:'
    ? tlsConnect({ socket, ca: readFileSync(env.CONFORM_CA_FILE), rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(isIP(host) ? {} : { servername: host }) })
    : socket;
  const body = await new Promise((resolve, reject) => {
    const req = request({ createConnection: () => stream, path: `${target.pathname}${target.search}`, headers: { host: target.host, connection: 'close' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP status ${res.statusCode}`));
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.complete ? resolve(Buffer.concat(chunks)) : reject(new Error('the response ended early'))));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the response was aborted')));
    });
    req.on('error', reject);
    req.end();
  });
  writeFileSync(env.CONFORM_OUTPUT_FILE, body);
  process.exit(0);
} catch (err) {
  fail(err);
}
