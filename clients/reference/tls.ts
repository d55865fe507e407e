import { connect as tlsConnect, DEFAULT_CIPHERS, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { isIP, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { Job } from '../../contract/job.js';
import type { Flaw } from './flaw-types.js';
import { EofGuard } from './eof-guard.js';
import { dnsName, refuseCertificate } from './verify.js';
import { refuseRevoked, staples } from './revocation.js';
import { whenAborted } from './abort.js';
import { dhGroups, dhParams, watchServerFlight } from './server-flight.js';

/** The client refused to go on (a verdict of its own, not a crash). */
export class Refused extends Error {}

/** The TLS handshake itself failed (alert, close, timeout). */
export class HandshakeFailed extends Error {}

/** The EOF guard under each TLS socket, to ask whether it ended with close_notify. */
export const guards = new WeakMap<Socket, EofGuard>();

/**
 * TLS 1.2 suites offered: ECDHE with AEAD only (RFC 9325 §4.2). No static RSA
 * and no finite-field DHE (RFC 9325 §4.1: implementations SHOULD NOT
 * negotiate either), no CBC (§4.2: SHOULD NOT without encrypt_then_mac).
 * TLS 1.3's suites are Node's defaults, all AEAD.
 */
const TLS12_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The reference client's TLS settings for a job: strict, each rule relaxable by one flaw. */
export async function tlsOptions(job: Job, flaws: ReadonlySet<Flaw>, legacyOnly: boolean): Promise<ConnectionOptions> {
  const legacy = legacyOnly || flaws.has('accept-legacy-tls');
  // Security level 0 lets OpenSSL accept SHA-1 signatures and short keys (a flaw's doing only).
  const level0 = legacy || flaws.has('allow-weak-keys');
  // TLS 1.0 and 1.1 have no AEAD suites: the legacy flaws offer OpenSSL's whole default list.
  const suites = legacy ? 'DEFAULT' : flaws.has('legacy-ciphers') ? DEFAULT_CIPHERS : TLS12_SUITES;
  const servername =
    isIP(job.host) || flaws.has('omit-sni') ? undefined : flaws.has('wrong-sni') ? 'other.example' : dnsName(job.host);
  const withCert = job.clientCert && !flaws.has('no-client-cert');
  return {
    host: job.addr || job.host,
    port: job.port,
    ...(servername ? { servername } : {}),
    ca: await readFile(job.caFile),
    // Verified after the handshake by refuseCertificate(), so that flaws can relax one rule at a time.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    minVersion: legacy ? 'TLSv1' : 'TLSv1.2',
    maxVersion: legacyOnly ? 'TLSv1' : 'TLSv1.3',
    ciphers: level0 ? `${suites}:@SECLEVEL=0` : suites,
    ...(withCert ? { cert: await readFile(job.clientCert), key: await readFile(job.clientKey) } : {}),
    // A staple is always asked for, and checked when it comes (revocation.ts); CRLs only when the job asks.
    // Missing from @types/node's ConnectionOptions; tls.connect passes it to the TLSSocket.
    ...({ requestOCSP: true } as ConnectionOptions),
    ...(job.checkRevocation === 'crl' && job.crlFile && !flaws.has('ignore-revocation')
      ? { crl: pemBlocks(await readFile(job.crlFile, 'latin1')) }
      : {}),
    ...(flaws.has('x25519-only') ? { ecdhCurve: 'X25519' } : {}),
  };
}

/** Each PEM block of a bundle: Node's `crl` option reads one CRL per element. */
function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN [^-]+-----[^-]+-----END [^-]+-----\n?/g) ?? [];
}

/**
 * TLS over `raw` (a fresh TCP connection, or one that just got a STARTTLS
 * go-ahead): resolves once the handshake completes, before any verification.
 */
export function handshake(options: ConnectionOptions, signal: AbortSignal, raw: Socket): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const guard = new EofGuard(raw);
    const flight = watchServerFlight(raw);
    const socket = tlsConnect({ ...options, socket: guard });
    guards.set(socket, guard);
    // Node emits null when the server sent no status (with requestOCSP, at every handshake).
    socket.once('OCSPResponse', (response: Buffer | null) => {
      if (response?.length) staples.set(socket, response);
    });
    const onAbort = (): void => {
      socket.destroy();
      reject(new Refused('timed out during the handshake'));
    };
    const stop = whenAborted(signal, onAbort);
    const onError = (err: Error): void => {
      stop();
      flight.stop();
      socket.destroy();
      reject(new HandshakeFailed(err.message));
    };
    socket.once('secureConnect', () => {
      stop();
      socket.off('error', onError);
      const group = dhParams(flight.stop());
      if (group) dhGroups.set(socket, group);
      resolve(socket);
    });
    socket.on('error', onError);
    // A socket that fails is destroyed, and that is how the protocol code learns of it (its reads end): an
    // alert that comes late (the server's answer to plaintext behind the hello) is no crash of the client.
    socket.on('error', () => undefined);
  });
}

/**
 * The whole secure connection as protocols other than HTTPS need it: handshake
 * over `raw`, then the certificate check; throws Refused or HandshakeFailed.
 */
export async function secureConnection(
  job: Job,
  flaws: ReadonlySet<Flaw>,
  signal: AbortSignal,
  raw: Socket,
): Promise<TLSSocket> {
  if (job.tls === 'implicit' && flaws.has('answer-plaintext-banner')) await answerBanner(raw, plaintextLogin(job));
  // curl 7.78's desynchronised state (CVE-2021-22947): the client believes it upgraded and talks on in the clear.
  if (flaws.has('plaintext-after-hello')) afterHello(raw, () => raw.write(plaintextLogin(job)));
  const pending = handshake(await tlsOptions(job, flaws, false), signal, raw);
  const socket = await pending;
  const refusal = refuseCertificate(socket, job.host, flaws) ?? (await refuseRevoked(socket, job, flaws, signal));
  if (refusal) {
    socket.destroy();
    throw new Refused(refusal);
  }
  return socket;
}

/** What the plaintext-after-hello flaw leaks: the login a protocol would send next, and SMTP's envelope. */
function plaintextLogin(job: Job): string {
  if (job.protocol === 'smtp') {
    const auth = job.user ? `AUTH PLAIN ${Buffer.from(`\0${job.user}\0${job.pass}`).toString('base64')}\r\n` : '';
    return `${auth}MAIL FROM:<${job.mailFrom}>\r\n`;
  }
  return `USER ${job.user || 'anonymous'}\r\nPASS ${job.pass || 'conform@'}\r\n`;
}

/** Runs `then` right after the ClientHello is written: call it before the handshake starts. */
export function afterHello(raw: Socket, then: () => void): void {
  // The next write on the raw socket is the ClientHello (TLS writes through the EOF guard, which calls raw.write):
  // the leak follows it in the same turn, as the desynchronised client sends it, whatever the load.
  const write = raw.write;
  raw.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    raw.write = write;
    const ok = write.apply(this, args);
    if (!raw.destroyed) then();
    return ok;
  } as Socket['write'];
}

/** How long the answer-plaintext-banner flaw listens for a banner before starting TLS as usual. */
const BANNER_WAIT_MS = 200;

/**
 * The answer-plaintext-banner flaw: a server that writes plaintext first on an
 * implicit-TLS port is answered in plaintext (the login it asks for), and the
 * session then fails; a server that stays silent gets a ClientHello as usual.
 * `login` is the protocol's login line (IMAP's differs from the POP3-style default).
 */
export function answerBanner(raw: Socket, login: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.pause();
      if (chunk[0] === 0x16) {
        raw.unshift(chunk);
        return resolve();
      }
      raw.write(login);
      setTimeout(() => reject(new Refused('the server spoke plaintext on an implicit-TLS port')), 100);
    };
    const timer = setTimeout(() => {
      raw.off('data', onData);
      raw.pause();
      resolve();
    }, BANNER_WAIT_MS);
    raw.on('data', onData);
  });
}
