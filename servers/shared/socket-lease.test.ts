/** Where TLS records stop and plaintext starts, as the lease sees it during a clearing (FTP's CCC). */
import { describe, expect, it } from 'vitest';
import { splitRecords } from './socket-lease.js';

const record = (type: number, body: number[]): Buffer =>
  Buffer.from([type, 3, 3, body.length >> 8, body.length & 255, ...body]);

describe('splitRecords', () => {
  it('passes whole records and finds the plaintext behind a close_notify', () => {
    const alert = record(21, [1, 0]);
    const { records, rest, plaintext } = splitRecords(Buffer.concat([alert, Buffer.from('TYPE I\r\n')]));
    expect(records).toEqual([alert]);
    expect(rest.toString()).toBe('TYPE I\r\n');
    expect(plaintext).toBe(true);
  });

  it('waits for a record still arriving, header or body', () => {
    const whole = record(23, [9, 9, 9, 9]);
    for (const cut of [1, 3, 7]) {
      const { records, rest, plaintext } = splitRecords(whole.subarray(0, cut));
      expect(records).toEqual([]);
      expect(rest.length).toBe(cut);
      expect(plaintext).toBe(false);
    }
  });

  it('takes a command line for plaintext from its first byte', () => {
    expect(splitRecords(Buffer.from('NOOP\r\n'))).toMatchObject({ records: [], plaintext: true });
    // A byte that could open a record but a version that cannot.
    expect(splitRecords(Buffer.from([22, 0x41, 0x42]))).toMatchObject({ records: [], plaintext: true });
  });
});
