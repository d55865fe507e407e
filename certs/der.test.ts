// The DER encodings, byte for byte against X.690's own examples and what
// OpenSSL writes, and a certificate read back by Node's parser.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { children, namedBits, oid, read, seq, time, tlv, uint } from './der.js';
import { basicConstraints, issueCertificate, name, nameConstraints, subjectAltName, toPem } from './certificate.js';

const hex = (b: Buffer) => b.toString('hex');

describe('DER', () => {
  test('lengths switch to the long form at 128 octets (X.690 §8.1.3)', () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  test('integers are minimal and positive', () => {
    expect(hex(uint(0))).toBe('020100');
    expect(hex(uint(127))).toBe('02017f');
    expect(hex(uint(128))).toBe('02020080');
    expect(hex(uint(256))).toBe('02020100');
    expect(hex(uint(Buffer.from('00000080', 'hex')))).toBe('02020080');
  });

  test('object identifiers pack the first two arcs and use base 128 (X.690 §8.19.5)', () => {
    expect(hex(oid('1.2.840.113549'))).toBe('06062a864886f70d');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
  });

  test('named bits drop trailing zero bits: keyUsage digitalSignature and keyCertSign', () => {
    expect(hex(namedBits([0, 5]))).toBe('03020284');
    expect(hex(namedBits([0]))).toBe('03020780');
  });

  test('times are UTCTime until 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:59.500Z')).toString('latin1', 2)).toBe('491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
  });

  test('what is written reads back', () => {
    const encoded = seq(uint(5), oid('2.5.4.3'));
    const parts = children(read(encoded).content);
    expect(parts.map((p) => p.tag)).toEqual([0x02, 0x06]);
  });
});

describe('a certificate from these parts', () => {
  const root = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = name({ cn: 'der.conform.test', o: 'Conform test certificates DO NOT TRUST' });
  const der = issueCertificate(
    {
      serial: Buffer.from('4142', 'hex'),
      issuer: subject,
      subject,
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2060-01-01T00:00:00Z'),
      publicKey: root.publicKey,
      extensions: [
        basicConstraints(true, 0),
        subjectAltName({ dns: ['der.conform.test'], ip: ['127.0.0.1', '::1'] }),
        nameConstraints({ dns: ['conform.test'], ip: ['10.0.0.0/8'] }),
      ],
    },
    root.privateKey,
    'SHA-256',
  );
  const cert = new X509Certificate(toPem([der]));

  test('parses, verifies under its own key, and says what it was given', () => {
    expect(cert.verify(root.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=der.conform.test\nO=Conform test certificates DO NOT TRUST');
    expect(cert.serialNumber).toBe('4142');
    expect(cert.ca).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:der.conform.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.validTo).toBe('Jan  1 00:00:00 2060 GMT');
  });
});
