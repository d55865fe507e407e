/** The hand-built ClientHello of the weak-suite flaws, read back by the parser the servers use. */
import { PassThrough } from 'node:stream';
import { getExtensionData, readTlsClientHello } from 'read-tls-client-hello';
import { describe, expect, it } from 'vitest';
import { buildClientHello, WEAK_SUITES } from './raw-hello.js';

const parse = (hello: Buffer) => readTlsClientHello(new PassThrough().end(hello));

describe('buildClientHello', () => {
  it('is one handshake record whose length fields add up, offering the modern suites then the weak ones', async () => {
    const hello = buildClientHello({ sni: 'localhost', extraSuites: WEAK_SUITES['offer-rc4'] });
    expect(hello.subarray(0, 3).toString('hex')).toBe('160301');
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello[5]).toBe(1); // client_hello
    const parsed = await parse(hello);
    expect(parsed.cipherSuites).toEqual([0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0x0005, 0xc011]);
    expect(getExtensionData(parsed, 'server_name')?.serverName).toBe('localhost');
    expect(getExtensionData(parsed, 'supported_versions')).toBeTruthy();
  });

  it('carries no server_name when it has no SNI to send', async () => {
    const parsed = await parse(buildClientHello({ sni: null, extraSuites: [] }));
    expect(parsed.extensions.map((e) => e.id)).not.toContain(0);
    expect(parsed.cipherSuites).toHaveLength(7);
  });
});
