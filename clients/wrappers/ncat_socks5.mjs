#!/usr/bin/env node
/**
 * A Conform client for ncat, nmap's netcat (CONFORM_PROTOCOL=socks5, `get`),
 * configured as a careful user would. ncat does the SOCKS5 negotiation and the
 * TLS; it only moves bytes, so this script speaks the HTTP it carries:
 *
 *   ncat --proxy ADDR:PORT --proxy-type socks5 --proxy-dns remote|local
 *        [--ssl --ssl-verify --ssl-trustfile CA] -w T HOST PORT
 *
 * socks5h:// is `--proxy-dns remote` (ncat sends the name), socks5:// is
 * `--proxy-dns local` (ncat resolves it and sends the address). Credentials go
 * in NCAT_PROXY_AUTH (ncat's documented equivalent of --proxy-auth user:pass,
 * kept off the command line). https:// adds --ssl-verify with the CA file as
 * the only trust anchors (--ssl-trustfile replaces ncat's defaults); ncat sends
 * the target's name as SNI and checks it against the certificate itself. -w
 * (connect and TLS handshake) is ncat's own time limit, set to the job's;
 * nothing here adds another, so a stall ncat does not bound is seen as ncat's.
 * (-i is left out: its timer outlives a finished transfer, and ncat then exits
 * 1 with "Idle timeout expired" after every successful one.)
 *
 * ncat is spawned without a shell. Node's HTTP parser runs over its standard
 * input and output: a GET with `Connection: close` goes in, and only a 200
 * response whose body is complete (Content-Length or chunked framing) counts;
 * its body goes to CONFORM_OUTPUT_FILE, and ncat must exit 0 too.
 *
 * bind and udp: ncat's SOCKS5 client sends only CONNECT (do_proxy_socks5 in
 * ncat_connect.c), so 89. Exit: 0 done, 1 failed, 89 unsupported.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';

import { unsupported } from './conform-common.mjs';

const env = process.env;
if (env.CONFORM_PROTOCOL !== 'socks5') unsupported(`${env.CONFORM_PROTOCOL} ${env.CONFORM_ACTION}`);
if (env.CONFORM_ACTION !== 'get')
  unsupported(`${env.CONFORM_ACTION}: ncat's SOCKS5 client sends only CONNECT (no BIND, no UDP ASSOCIATE)`);

const proxyUrl = new URL(env.CONFORM_PROXY_URL);
if (proxyUrl.protocol !== 'socks5:' && proxyUrl.protocol !== 'socks5h:')
  unsupported(`proxy scheme ${proxyUrl.protocol}`);
const target = new URL(env.CONFORM_URL);
if (target.protocol !== 'http:' && target.protocol !== 'https:') unsupported(`target scheme ${target.protocol}`);

const proxyHost = env.CONFORM_ADDR || proxyUrl.hostname.replace(/^\[|\]$/g, '');
const user = decodeURIComponent(proxyUrl.username) || env.CONFORM_USER;
const pass = decodeURIComponent(proxyUrl.password) || env.CONFORM_PASS;
const host = target.hostname.replace(/^\[|\]$/g, '');
const port = target.port || (target.protocol === 'https:' ? '443' : '80');
const limit = `${Number(env.CONFORM_TIMEOUT_MS) || 5000}ms`;

const argv = [
  '--proxy',
  `${isIP(proxyHost) === 6 ? `[${proxyHost}]` : proxyHost}:${proxyUrl.port || 1080}`,
  '--proxy-type',
  'socks5',
  '--proxy-dns',
  proxyUrl.protocol === 'socks5h:' ? 'remote' : 'local',
  ...(target.protocol === 'https:' ? ['--ssl', '--ssl-verify', '--ssl-trustfile', env.CONFORM_CA_FILE] : []),
  ...(target.protocol === 'https:' && env.CONFORM_CLIENT_CERT
    ? ['--ssl-cert', env.CONFORM_CLIENT_CERT, '--ssl-key', env.CONFORM_CLIENT_KEY]
    : []),
  '-w',
  limit,
  host,
  port,
];
const childEnv = { ...env };
delete childEnv.NCAT_PROXY_AUTH;
if (user || pass) childEnv.NCAT_PROXY_AUTH = `${user}:${pass}`;

const ncat = spawn('ncat', argv, { env: childEnv, stdio: ['pipe', 'pipe', 'inherit'] });
const exited = new Promise((resolve) => {
  ncat.once('error', (err) => resolve({ code: null, why: `cannot run ncat: ${err.message}` }));
  ncat.once('exit', (code, signal) =>
    resolve({ code, why: signal ? `ncat died of ${signal}` : `ncat exited ${code}` }),
  );
});
// ncat's standard input and output are the tunnel, for Node's HTTP client.
const tunnel = Duplex.from({ readable: ncat.stdout, writable: ncat.stdin });
tunnel.on('error', () => undefined);

const body = await new Promise((resolve) => {
  const req = request(
    {
      createConnection: () => tunnel,
      path: `${target.pathname}${target.search}`,
      headers: { host: target.host, connection: 'close' },
    },
    (res) => {
      if (res.statusCode !== 200) return resolve(new Error(`HTTP status ${res.statusCode}`));
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(res.complete ? Buffer.concat(chunks) : new Error('the response ended early')));
      res.on('error', resolve);
      res.on('aborted', () => resolve(new Error('the response was aborted')));
    },
  );
  req.on('error', resolve);
  req.end();
});
// Done with the tunnel either way: ncat ends once its standard input does.
ncat.stdin.end();
const { code, why } = await exited;
if (body instanceof Error) {
  console.error(`failed: ${body.message} (${why})`);
  process.exit(1);
}
if (code !== 0) {
  console.error(`failed: ${why}`);
  process.exit(1);
}
writeFileSync(env.CONFORM_OUTPUT_FILE, body);
process.exit(0);
