#!/usr/bin/env node
/**
 * A Conform client for the `socks` npm library (CONFORM_PROTOCOL=socks5),
 * configured as a careful application would. socks5h:// hands the proxy the
 * name, socks5:// resolves it here first (the library sends whatever host it
 * is given). Exit: 0 done, 1 failed, 89 unsupported.
 *
 * - get: SocksClient.createConnection opens the tunnel to CONFORM_URL's host;
 *   an https:// target gets TLS over the tunnel with the CA file as the only
 *   trust anchor and the target's name for SNI and verification.
 * - bind (RFC 1928 BIND): `new SocksClient({ command: 'bind' })` as the
 *   library's README shows: 'bound' (first reply), then 'established' (second
 *   reply, the peer connected) with the socket; the input goes to the peer and
 *   what it sends until it closes to CONFORM_OUTPUT_FILE. The library's
 *   `timeout` ends at 'bound'; the wait for the peer is bounded by the job's
 *   deadline.
 * - udp (UDP ASSOCIATE): `command: 'associate'` declaring the local UDP
 *   socket's address and port, 'established' names the relay, the input goes
 *   as one SocksClient.createUDPFrame datagram and the answer is read with
 *   SocksClient.parseUDPFrame; the TCP connection stays open meanwhile. The
 *   library owns no UDP socket and leaves these to the application, which
 *   does them here: the UDP socket is connected to the relay (the kernel
 *   drops other senders), a frame with frameNumber (FRAG) other than 0 is
 *   dropped (no reassembly), and a datagram parseUDPFrame cannot parse is
 *   dropped; the datagram is sent again every second until an answer comes.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

import { revocationOptions, startDeadline, unsupported } from './conform-common.mjs';

/** How often the datagram is sent again while no answer came (UDP may lose it). */
const RESEND_MS = 1000;

const env = process.env;
if (env.CONFORM_PROTOCOL !== 'socks5' || !['get', 'bind', 'udp'].includes(env.CONFORM_ACTION))
  unsupported(`${env.CONFORM_PROTOCOL} ${env.CONFORM_ACTION}`);
const { timeout, timer } = startDeadline(env);
// The timer must not keep a finished client alive.
timer.unref();

const fail = (err) => {
  console.error(`failed: ${err?.message ?? err}`);
  process.exit(1);
};

try {
  const { SocksClient } = await import('socks');
  const proxyUrl = new URL(env.CONFORM_PROXY_URL);
  if (proxyUrl.protocol !== 'socks5:' && proxyUrl.protocol !== 'socks5h:')
    unsupported(`proxy scheme ${proxyUrl.protocol}`);
  const user = decodeURIComponent(proxyUrl.username) || env.CONFORM_USER;
  const pass = decodeURIComponent(proxyUrl.password) || env.CONFORM_PASS;
  const proxy = {
    host: env.CONFORM_ADDR || proxyUrl.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxyUrl.port) || 1080,
    type: 5,
    ...(user || pass ? { userId: user, password: pass } : {}),
  };
  const target = new URL(env.CONFORM_URL);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  /** The host to name in the request or datagram: the name for socks5h, the address this side resolved for socks5. */
  const named = async () => (proxyUrl.protocol === 'socks5:' && !isIP(host) ? (await lookup(host)).address : host);
  const actions = { get, bind, udp };
  await actions[env.CONFORM_ACTION]({ SocksClient, proxy, target, host, dest: await named() });
  process.exit(0);
} catch (err) {
  fail(err);
}

async function get({ SocksClient, proxy, target, host, dest }) {
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const { socket } = await SocksClient.createConnection({
    proxy,
    command: 'connect',
    destination: { host: dest, port },
    timeout,
  });
  const stream =
    target.protocol === 'https:'
      ? tlsConnect({
          socket,
          ca: readFileSync(env.CONFORM_CA_FILE),
          ...revocationOptions(env),
          rejectUnauthorized: true,
          minVersion: 'TLSv1.2',
          // An IP literal is no SNI (RFC 6066 §3), but it is still the name to verify: Node checks `host` (else 'localhost').
          ...(isIP(host) ? { host } : { servername: host }),
          // The client certificate the job gives, presented when the server asks (CONFORM_CLIENT_CERT/KEY).
          ...(env.CONFORM_CLIENT_CERT
            ? { cert: readFileSync(env.CONFORM_CLIENT_CERT), key: readFileSync(env.CONFORM_CLIENT_KEY) }
            : {}),
        })
      : socket;
  const body = await new Promise((resolve, reject) => {
    const req = request(
      {
        createConnection: () => stream,
        path: `${target.pathname}${target.search}`,
        headers: { host: target.host, connection: 'close' },
      },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP status ${res.statusCode}`));
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          res.complete ? resolve(Buffer.concat(chunks)) : reject(new Error('the response ended early')),
        );
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('the response was aborted')));
      },
    );
    req.on('error', reject);
    req.end();
  });
  writeFileSync(env.CONFORM_OUTPUT_FILE, body);
}

async function bind({ SocksClient, proxy, target, dest }) {
  const input = readFileSync(env.CONFORM_INPUT_FILE);
  const body = await new Promise((resolve, reject) => {
    const client = new SocksClient({
      proxy,
      command: 'bind',
      destination: { host: dest, port: Number(target.port) },
      timeout,
    });
    client.on('bound', (info) =>
      console.error(`the proxy listens for the peer at ${info.remoteHost.host}:${info.remoteHost.port}`),
    );
    client.on('established', ({ socket, remoteHost }) => {
      console.error(`the peer connected from ${remoteHost?.host}:${remoteHost?.port}`);
      const chunks = [];
      socket.on('data', (c) => chunks.push(c));
      socket.once('end', () => resolve(Buffer.concat(chunks)));
      socket.once('error', (e) => reject(new Error(`the connection failed: ${e.message}`)));
      socket.once('close', () => reject(new Error('the connection closed before the peer ended its data')));
      socket.write(input);
    });
    client.on('error', reject);
    client.connect();
  });
  writeFileSync(env.CONFORM_OUTPUT_FILE, body);
}

async function udp({ SocksClient, proxy, target, dest }) {
  const input = readFileSync(env.CONFORM_INPUT_FILE);
  const family = isIP(proxy.host) === 6 ? 'udp6' : 'udp4';
  const local = createSocket(family);
  await new Promise((resolve, reject) => {
    local.once('error', reject);
    local.bind(0, family === 'udp6' ? '::1' : '127.0.0.1', resolve);
  });
  // RFC 1928 §7: DST.ADDR/DST.PORT say where the datagrams will come from (the README: "your local ip").
  const { address, port } = local.address();
  const { remoteHost, socket: control } = await new Promise((resolve, reject) => {
    const client = new SocksClient({ proxy, command: 'associate', destination: { host: address, port }, timeout });
    client.on('established', resolve);
    client.on('error', reject);
    client.connect();
  });
  // The association lives as long as this connection: keep it open, and know when it ends.
  const closed = new Promise((_, reject) => {
    control.once('close', () => reject(new Error('the proxy closed the TCP connection of the association')));
    control.on('error', () => undefined);
  });
  // An unspecified BND.ADDR means the proxy's own address (the library then reports proxy.ipaddress, unset here).
  const relay = {
    host: !remoteHost.host || /^(0\.0\.0\.0|::)$/.test(remoteHost.host) ? proxy.host : remoteHost.host,
    port: remoteHost.port,
  };
  console.error(`the relay is at ${relay.host}:${relay.port}`);
  await new Promise((resolve, reject) =>
    local.connect(relay.port, relay.host, (err) => (err ? reject(err) : resolve())),
  );
  const packet = SocksClient.createUDPFrame({ remoteHost: { host: dest, port: Number(target.port) }, data: input });
  const answer = await Promise.race([
    closed,
    new Promise((resolve) => {
      const send = () => local.send(packet);
      const resend = setInterval(send, RESEND_MS);
      local.on('message', (message) => {
        let frame;
        try {
          frame = SocksClient.parseUDPFrame(message);
        } catch (err) {
          return console.error(`dropped a datagram parseUDPFrame cannot parse: ${err.message}`);
        }
        if (frame.frameNumber !== 0) return console.error(`dropped a fragment (frameNumber ${frame.frameNumber})`);
        clearInterval(resend);
        resolve(frame.data);
      });
      send();
    }),
  ]);
  writeFileSync(env.CONFORM_OUTPUT_FILE, answer);
  control.destroy();
  local.close();
}
