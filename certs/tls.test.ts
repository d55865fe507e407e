// Real handshakes with Node's tls on 127.0.0.1:0: the materialized files work
// as a server's identity and a client's trust anchors, and Node's own
// verdicts on the trickier profiles are pinned down (they surprise people).
import { mkdtemp, rm } from 'node:fs/promises';
import { isIP, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openCertStore, type CertStore, type MaterializedCert } from './index.js';

let dir: string;
let store: CertStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-certs-tls-'));
  store = openCertStore({ dir });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** How the profile's `securityLevel` reaches OpenSSL through Node's options. */
function levelOptions(cert: MaterializedCert): { ciphers?: string } {
  return cert.securityLevel === null ? {} : { ciphers: `DEFAULT@SECLEVEL=${cert.securityLevel}` };
}

interface Outcome {
  ok: boolean;
  code?: string;
  /** What the server saw of the client's certificate (mutual TLS). */
  clientAuthorized?: boolean;
}

async function handshake(server: MaterializedCert, client: tls.ConnectionOptions = {}): Promise<Outcome> {
  let clientAuthorized: boolean | undefined;
  // Asks for a client certificate but does not insist: the mutual-TLS test
  // reads `authorized`, the others send none.
  const serverOptions = { requestCert: true, rejectUnauthorized: false, ca: server.clientCaPem };
  const listener = tls.createServer(
    { key: server.keyPem, cert: server.certChainPem, ...serverOptions, ...levelOptions(server) },
    (socket) => {
      clientAuthorized = socket.authorized;
      socket.end();
    },
  );
  listener.on('tlsClientError', () => undefined); // the client's rejection is the outcome we want
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  try {
    return await new Promise<Outcome>((resolve) => {
      // RFC 6066 §3: SNI carries DNS names only, so an IP host goes without it.
      const servername = isIP(server.host) ? undefined : server.host;
      const socket = tls.connect({ host: '127.0.0.1', port, ca: server.caPem, servername, ...client }, () => {
        socket.on('end', () => resolve({ ok: true, clientAuthorized }));
        socket.resume();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code }));
    });
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
}

describe('Node tls against the materialized files', () => {
  test('valid: the handshake succeeds with the root as the only trust anchor', async () => {
    expect(await handshake(await store.get('valid'))).toMatchObject({ ok: true });
  });

  test('valid-chain: the server sends the intermediate and the handshake succeeds', async () => {
    expect(await handshake(await store.get('valid-chain'))).toMatchObject({ ok: true });
  });

  test('ip-san: connecting to 127.0.0.1 verifies against the iPAddress entry', async () => {
    expect(await handshake(await store.get('ip-san'))).toMatchObject({ ok: true });
  });

  test('expired: the client refuses with CERT_HAS_EXPIRED', async () => {
    expect(await handshake(await store.get('expired'))).toEqual({ ok: false, code: 'CERT_HAS_EXPIRED' });
  });

  test('client: the server verifies the client certificate against clientCaPem', async () => {
    const client = await store.get('client');
    const outcome = await handshake(await store.get('valid'), { key: client.keyPem, cert: client.certChainPem });
    expect(outcome).toEqual({ ok: true, clientAuthorized: true });
  });
});

describe("Node's own verdicts on the profiles that surprise", () => {
  test('cn-only is accepted: checkServerIdentity falls back to the CN when there is no subjectAltName', async () => {
    expect(await handshake(await store.get('cn-only'))).toMatchObject({ ok: true });
  });

  test('rsa-1024 is accepted at Node’s default security level 1 and refused at level 2', async () => {
    const cert = await store.get('rsa-1024');
    expect(await handshake(cert)).toMatchObject({ ok: true });
    expect(await handshake(cert, { ciphers: 'DEFAULT@SECLEVEL=2' })).toMatchObject({ ok: false });
  });

  test('sha1-signature cannot even be loaded by a server at the default level', async () => {
    const cert = await store.get('sha1-signature');
    expect(cert.securityLevel).toBe(0);
    expect(() => tls.createSecureContext({ key: cert.keyPem, cert: cert.certChainPem })).toThrow(
      expect.objectContaining({ code: 'ERR_SSL_CA_MD_TOO_WEAK' }),
    );
    // Served at level 0, Node's client (level 1) refuses it.
    expect(await handshake(cert)).toMatchObject({ ok: false });
  });

  test('ca-false-intermediate is refused, reported as INVALID_PURPOSE (the last error OpenSSL recorded)', async () => {
    expect(await handshake(await store.get('ca-false-intermediate'))).toEqual({ ok: false, code: 'INVALID_PURPOSE' });
  });
});
