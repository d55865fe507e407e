/** key_share groups read from real ClientHellos (Node's OpenSSL key-shares the first group of its list). */
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { keyShareGroups } from './key-share.js';
import { listenOn } from './listen.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** The first chunk a TLS client sends with these groups (a whole ClientHello record on loopback). */
async function helloWith(ecdhCurve: string, maxVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3'): Promise<Buffer> {
  let got!: (b: Buffer) => void;
  const first = new Promise<Buffer>((resolve) => (got = resolve));
  const server = createServer((s) =>
    s.once('data', (b: Buffer) => {
      got(b);
      s.destroy();
    }),
  );
  cleanups.push(() => server.close());
  const port = await listenOn(server);
  const client = connect({ port, host: '127.0.0.1', ecdhCurve, maxVersion, rejectUnauthorized: false });
  client.on('error', () => undefined);
  cleanups.push(() => client.destroy());
  return first;
}

describe('keyShareGroups', () => {
  it('names the group a client key-shares', async () => {
    expect(keyShareGroups(await helloWith('X25519:P-256'))).toEqual(['X25519']);
    expect(keyShareGroups(await helloWith('P-384:X25519'))).toEqual(['P-384']);
  });

  it('is empty for a TLS 1.2 hello (no key_share) and for bytes that are no hello', async () => {
    expect(keyShareGroups(await helloWith('X25519', 'TLSv1.2'))).toEqual([]);
    expect(keyShareGroups(Buffer.from('EHLO client.example\r\n'))).toEqual([]);
  });
});
