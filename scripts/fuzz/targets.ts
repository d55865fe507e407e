import fc from 'fast-check';
import { RequestHeadParser } from '../../servers/https/machine.js';
import { LineReader, LineTooLongError } from '../../servers/shared/line-reader.js';
import type { Protocol } from '../../harness/protocols.js';
import { smtpProperty } from './smtp.js';
import { pop3Property } from './pop3.js';
import { socks5DatagramProperty, socks5Property } from './socks5.js';
import { ftpsProperty } from './ftps.js';

/** One fuzz target: a property over generated input that must hold (nothing may throw). */
export interface FuzzTarget {
  protocol: Protocol | 'shared';
  name: string;
  property: fc.IPropertyWithHooks<unknown[]> | fc.IProperty<unknown[]>;
}

/** Bytes that look like protocol traffic often enough to get past the first checks. */
export const protocolish = fc
  .oneof(
    fc.uint8Array({ maxLength: 2048 }),
    fc
      .array(
        fc.constantFrom(
          'GET ',
          '/',
          ' HTTP/1.1',
          '\r\n',
          '\n',
          'Host: x',
          ':',
          '\r\n\r\n',
          '\x16\x03\x01',
          '\x00',
          'EHLO a',
          'STARTTLS',
          '.',
          'AUTH PLAIN ',
          'CAPA',
          'STLS',
          'USER a',
          'PASS b',
          'RETR 1',
          'A'.repeat(5000),
        ),
        { maxLength: 40 },
      )
      .map((parts) => Buffer.from(parts.join(''), 'latin1')),
  )
  .map((b) => Buffer.from(b));

/** Splits bytes into chunks at arbitrary points, as TCP may deliver them. */
export const chunked = fc.tuple(protocolish, fc.array(fc.nat(), { maxLength: 8 })).map(([bytes, cuts]) => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(last, p));
    last = p;
  }
  return chunks;
});

export const TARGETS: FuzzTarget[] = [
  {
    protocol: 'https',
    name: 'HTTP request head parser',
    property: fc.property(chunked, (chunks) => {
      const parser = new RequestHeadParser();
      for (const chunk of chunks) {
        const r = parser.push(chunk);
        if (r.kind !== 'more') break;
      }
    }),
  },
  {
    protocol: 'shared',
    name: 'bounded line reader',
    property: fc.property(chunked, (chunks) => {
      const reader = new LineReader(1000);
      try {
        for (const chunk of chunks) {
          reader.push(chunk);
          reader.lines();
        }
      } catch (err) {
        if (!(err instanceof LineTooLongError)) throw err;
      }
    }),
  },
  { protocol: 'smtp', name: 'SMTP machine (lines, chunks, upgrades, faults)', property: smtpProperty },
  { protocol: 'pop3', name: 'POP3 machine (lines, upgrades, faults)', property: pop3Property },
  { protocol: 'ftps', name: 'FTPS control machine (commands, upgrades, faults)', property: ftpsProperty },
  {
    protocol: 'socks5',
    name: 'SOCKS5 machine (greeting, auth, request bytes in any chunks)',
    property: socks5Property,
  },
  { protocol: 'socks5', name: 'SOCKS5 UDP relay header parser', property: socks5DatagramProperty },
];
