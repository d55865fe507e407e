/**
 * The reference client's certificate check (verify.ts, through tls.ts's secureConnection) against real
 * TLS servers on 127.0.0.1, each serving one certificate profile: why it refuses, and what each flaw relaxes.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { openCertStore, type CertProfileName } from '../../certs/index.js';
import { tlsJob, tlsPeer, type TlsPeer } from '../../tests/support/tls-peer.js';
import { dhParams } from './server-flight.js';
import { Refused, secureConnection } from './tls.js';
import { dnsIdMatch, dnsName } from './verify.js';

const PROFILES = [
  'valid',
  'wrong-host',
  'expired',
  'self-signed',
  'cn-only',
  'rsa-1024',
  'wildcard',
  'wildcard-nomatch',
] as const satisfies CertProfileName[];
const peers = new Map<CertProfileName, TlsPeer>();
let caFile = '';

beforeAll(async () => {
  const store = openCertStore();
  await Promise.all(
    PROFILES.map(async (p) => {
      const cert = await store.get(p);
      caFile = cert.caFile;
      peers.set(p, await tlsPeer(cert));
    }),
  );
});
afterAll(() => Promise.all([...peers.values()].map((p) => p.close())));

/** "accepted", or the reason the client refused the server of `profile` when it asked for `host`. */
async function verdict(profile: CertProfileName, host: string, ...flaws: string[]): Promise<string> {
  const port = peers.get(profile)!.port;
  const raw = connect({ host: '127.0.0.1', port });
  try {
    const socket = await secureConnection(
      tlsJob(host, port, caFile),
      new Set(flaws),
      new AbortController().signal,
      raw,
    );
    socket.destroy();
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(Refused);
    expect(raw.destroyed).toBe(true);
    return (err as Error).message;
  }
}

describe('refuseCertificate', () => {
  it('accepts a valid chain that names the host, by DNS name or IP address', async () => {
    expect(await verdict('valid', 'localhost')).toBe('accepted');
    expect(await verdict('valid', '127.0.0.1')).toBe('accepted');
    expect(await verdict('wildcard', 'www.conform.test')).toBe('accepted');
  });

  it('refuses a certificate for another host, and a wildcard over two labels (RFC 9525 §6.3)', async () => {
    expect(await verdict('wrong-host', 'localhost')).toBe(
      'certificate rejected: localhost matches none of 1 DNS names',
    );
    expect(await verdict('valid', 'other.example')).toBe(
      'certificate rejected: other.example matches none of 1 DNS names',
    );
    expect(await verdict('wildcard-nomatch', 'a.b.conform.test')).toBe(
      'certificate rejected: a.b.conform.test matches none of 1 DNS names',
    );
  });

  it("refuses an expired and a self-signed certificate with OpenSSL's reason", async () => {
    expect(await verdict('expired', 'localhost')).toBe('certificate rejected: CERT_HAS_EXPIRED');
    expect(await verdict('self-signed', 'localhost')).toBe('certificate rejected: DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('refuses a certificate that names the host only in its CN (RFC 9525 §6.3)', async () => {
    expect(await verdict('cn-only', 'localhost')).toBe('certificate rejected: it has no subjectAltName');
  });

  it('refuses an RSA key under 2048 bits', async () => {
    expect(await verdict('rsa-1024', 'localhost')).toBe('certificate rejected: RSA key of 1024 bits');
  });
});

describe('the flaws that relax it', () => {
  it('skip-verify accepts anything: another host, an expired or self-signed certificate', async () => {
    expect(await verdict('wrong-host', 'localhost', 'skip-verify')).toBe('accepted');
    expect(await verdict('expired', 'localhost', 'skip-verify')).toBe('accepted');
    expect(await verdict('self-signed', 'localhost', 'skip-verify')).toBe('accepted');
  });

  it('skip-hostname-check accepts another host, but still refuses a bad chain', async () => {
    expect(await verdict('wrong-host', 'localhost', 'skip-hostname-check')).toBe('accepted');
    expect(await verdict('cn-only', 'localhost', 'skip-hostname-check')).toBe('accepted');
    expect(await verdict('expired', 'localhost', 'skip-hostname-check')).toBe('certificate rejected: CERT_HAS_EXPIRED');
  });

  it('allow-cn-fallback matches the CN when there is no SAN, and only the host it names', async () => {
    expect(await verdict('cn-only', 'localhost', 'allow-cn-fallback')).toBe('accepted');
    expect(await verdict('cn-only', 'other.example', 'allow-cn-fallback')).toBe(
      'certificate rejected: other.example matches none of 1 DNS names',
    );
    expect(await verdict('wrong-host', 'localhost', 'allow-cn-fallback')).toBe(
      'certificate rejected: localhost matches none of 1 DNS names',
    );
  });

  it('allow-weak-keys accepts the short RSA key', async () => {
    expect(await verdict('rsa-1024', 'localhost', 'allow-weak-keys')).toBe('accepted');
  });
});

describe('DNS-ID matching (RFC 9525 §6.3)', () => {
  test.for([
    ['localhost', 'localhost', true],
    ['localhost', 'LocalHost', true],
    ['www.conform.test', '*.conform.test', true],
    ['a.b.conform.test', '*.conform.test', false],
    ['conform.test', '*.conform.test', false],
    ['www.conform.test', 'w*.conform.test', false],
    ['a.b.conform.test', '*.*.conform.test', false],
    ['www.a.conform.test', 'www.*.conform.test', false],
    ['conform.test', '*.test', false],
    ['localhost.', 'localhost', true],
  ] as const)('%s against %s: %s', ([reference, presented, match]) => {
    expect(dnsIdMatch(reference, presented)).toBe(match);
  });

  test('case-sensitively (the case-sensitive-names flaw), LocalHost is not localhost', () => {
    expect(dnsIdMatch('localhost', 'LocalHost', true)).toBe(false);
  });

  test('a U-label host is checked as its A-label', () => {
    expect(dnsName('bücher.conform.test')).toBe('xn--bcher-kva.conform.test');
    expect(dnsName('localhost')).toBe('localhost');
  });
});

describe('the server flight', () => {
  const record = (type: number, body: Buffer) =>
    Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 255]), body]);
  const message = (type: number, body: Buffer) =>
    Buffer.concat([Buffer.from([type, 0, body.length >> 8, body.length & 255]), body]);
  const p = Buffer.from('ff'.repeat(8), 'hex');
  const ske = message(
    12,
    Buffer.concat([Buffer.from([0, p.length]), p, Buffer.from([0, 1, 2]), Buffer.from([0, 1, 7])]),
  );

  test('the DHE group and public value are read from a ServerKeyExchange split across two records', () => {
    const flight = Buffer.concat([
      record(22, message(2, Buffer.alloc(40))),
      record(22, ske.subarray(0, 5)),
      record(22, ske.subarray(5)),
    ]);
    expect(dhParams(flight)).toEqual({ p, g: Buffer.from([2]), ys: Buffer.from([7]) });
  });

  test('none before ChangeCipherSpec, or when the server sent no ServerKeyExchange', () => {
    expect(
      dhParams(
        Buffer.concat([record(22, message(2, Buffer.alloc(40))), record(20, Buffer.from([1])), record(22, ske)]),
      ),
    ).toBeNull();
    expect(dhParams(Buffer.alloc(0))).toBeNull();
  });
});
