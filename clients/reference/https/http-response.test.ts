/** The reference client's HTTP/1.1 response reader, fed bytes as a socket would deliver them (RFC 9112). */
import { describe, expect, it } from 'vitest';
import { ResponseReader, TruncatedError } from './http-response.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Pushes the pieces in order; the response once the reader says it is complete, or undefined. */
function feed(reader: ResponseReader, pieces: readonly string[]) {
  let done;
  for (const p of pieces) done = reader.push(b(p)) ?? done;
  return done;
}

/** The error end() throws, for assertions on its class, code and message. */
function endError(reader: ResponseReader, clean = true): unknown {
  try {
    reader.end(clean);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('status line and headers', () => {
  it('reads the status and the headers, names lower-cased and values trimmed', () => {
    const r = new ResponseReader().push(b('HTTP/1.1 404 Not Found\r\nX-Thing:  a b \r\nContent-Length: 0\r\n\r\n'));
    expect(r).toEqual({ status: 404, headers: { 'x-thing': 'a b', 'content-length': '0' }, body: Buffer.alloc(0) });
  });

  it('takes HTTP/1.0 and refuses anything that is not an HTTP/1.x status line', () => {
    expect(new ResponseReader().push(b('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))?.status).toBe(200);
    expect(() => new ResponseReader().push(b('HTTP/2 200\r\n\r\n'))).toThrow(/not an HTTP response: HTTP\/2 200/);
    expect(() => new ResponseReader().push(b('220 smtp.example ESMTP\r\n\r\n'))).toThrow(/not an HTTP response/);
  });

  it('takes a status code of three digits only, with or without a reason phrase', () => {
    expect(new ResponseReader().push(b('HTTP/1.1 204\r\nContent-Length: 0\r\n\r\n'))?.status).toBe(204);
    expect(() => new ResponseReader().push(b('HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n'))).toThrow(
      /not an HTTP response: HTTP\/1.1 2000 OK/,
    );
    expect(() => new ResponseReader().push(b('HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n'))).toThrow(
      /not an HTTP response/,
    );
  });

  it('waits for the end of the head however it is split, the blank line too', () => {
    const reader = new ResponseReader();
    expect(feed(reader, ['HTTP/1.1 2', '00 OK\r\nContent-Le', 'ngth: 2\r\n\r'])).toBeUndefined();
    expect(reader.push(b('\nhi'))?.body.toString()).toBe('hi');
  });

  it('reads past 1xx interim responses to the final one (RFC 9110 §15.2)', () => {
    const reader = new ResponseReader();
    expect(
      feed(reader, ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n', '\r\n']),
    ).toBeUndefined();
    const r = reader.push(b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    expect(r).toMatchObject({ status: 200, headers: { 'content-length': '2' } });
    expect(r?.body.toString()).toBe('ok');
  });

  it('reads a head of 64 KiB that came in 1 KiB pieces', () => {
    const big = 'x'.repeat(65536);
    const text = `HTTP/1.1 200 OK\r\nX-Big: ${big}\r\nContent-Length: 3\r\n\r\nabc`;
    const pieces = text.match(/[^]{1,1024}/g)!;
    const r = feed(new ResponseReader(), pieces);
    expect(r?.headers['x-big']).toHaveLength(65536);
    expect(r?.body.toString()).toBe('abc');
  });
});

describe('Content-Length framing', () => {
  it('is complete at exactly Content-Length bytes, and ignores any byte beyond', () => {
    const reader = new ResponseReader();
    expect(feed(reader, ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'])).toBeUndefined();
    expect(reader.push(b('loEXTRA'))?.body.toString()).toBe('hello');
  });

  it('a body cut short is a truncation (RFC 9112 §8), with how much came', () => {
    const reader = new ResponseReader();
    feed(reader, ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc']);
    const err = endError(reader);
    expect(err).toBeInstanceOf(TruncatedError);
    expect(err).toMatchObject({ code: 'TRUNCATED', message: 'body truncated: 3 of 10 bytes' });
  });

  it('an end before the head is complete is a truncation', () => {
    const reader = new ResponseReader();
    feed(reader, ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n']);
    expect(endError(reader)).toMatchObject({
      code: 'TRUNCATED',
      message: 'the connection ended before the response head',
    });
  });

  it('an end after the response is complete changes nothing', () => {
    const reader = new ResponseReader();
    const done = feed(reader, ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']);
    expect(reader.end(false)).toBe(done);
  });

  it('a Content-Length that is not 1*DIGIT is an unrecoverable error (RFC 9112 §6.3)', () => {
    for (const value of ['-1', '1e1', '0x10', '', '+5', '5 5']) {
      expect(
        () => new ResponseReader().push(b(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\n0123456789abcdef`)),
        value,
      ).toThrow(/invalid Content-Length/);
    }
  });

  it('Content-Length fields that differ are an error; a list of one value repeated is that value', () => {
    expect(() =>
      new ResponseReader().push(b('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello')),
    ).toThrow(/invalid Content-Length/);
    expect(() => new ResponseReader().push(b('HTTP/1.1 200 OK\r\nContent-Length: 3, 5\r\n\r\nhello'))).toThrow(
      /invalid Content-Length/,
    );
    expect(new ResponseReader().push(b('HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello!'))?.body.toString()).toBe(
      'hello',
    );
    expect(
      new ResponseReader()
        .push(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\nhello!'))
        ?.body.toString(),
    ).toBe('hello');
  });

  it('with accept-truncated (lenient), an early end delivers what came', () => {
    const reader = new ResponseReader(true);
    feed(reader, ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc']);
    expect(reader.end(false).body.toString()).toBe('abc');
  });
});

describe('chunked framing (RFC 9112 §7.1)', () => {
  const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';

  it('decodes chunks, upper- and lower-case hex sizes, and overrides Content-Length', () => {
    const r = new ResponseReader().push(
      b(
        `HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nA\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n`,
      ),
    );
    expect(r?.body.toString()).toBe('hello0123456789abcdefghijk');
  });

  it('completes only at the last chunk, fed one byte at a time', () => {
    const reader = new ResponseReader();
    const text = `${head}3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`;
    const results = [...text].map((c) => reader.push(b(c)));
    expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
    expect(results.at(-1)?.body.toString()).toBe('abcde');
  });

  it('ignores a chunk extension on a data chunk (RFC 9112 §7.1.1)', () => {
    expect(new ResponseReader().push(b(`${head}5;name=value\r\nhello\r\n0\r\n\r\n`))?.body.toString()).toBe('hello');
  });

  it('a body that stops before its last chunk is a truncation', () => {
    const reader = new ResponseReader();
    feed(reader, [`${head}5\r\nhello\r\n5\r\nwor`]);
    expect(endError(reader)).toMatchObject({
      code: 'TRUNCATED',
      message: 'chunked body truncated before its last chunk',
    });
  });

  it('with accept-truncated (lenient), an early end delivers the chunks decoded so far', () => {
    const reader = new ResponseReader(true);
    feed(reader, [`${head}5\r\nhello\r\n5\r\nwor`]);
    expect(reader.end(false).body.toString()).toBe('hellowor');
  });

  it('a chunk size that is no hex number is an error', () => {
    expect(() => new ResponseReader().push(b(`${head}zz\r\nhello\r\n0\r\n\r\n`))).toThrow('bad chunk size');
    expect(() => new ResponseReader().push(b(`${head}-1\r\nhello\r\n0\r\n\r\n`))).toThrow('bad chunk size');
    expect(() => new ResponseReader().push(b(`${head}0x5\r\nhello\r\n0\r\n\r\n`))).toThrow('bad chunk size');
  });

  it('chunk data not followed by CRLF is a framing error, not data to skip', () => {
    expect(() => new ResponseReader().push(b(`${head}5\r\nhelloXY0\r\n\r\n`))).toThrow(/not followed by CRLF/);
  });

  it('completes when the last chunk carries an extension (RFC 9112 §7.1.1)', () => {
    expect(feed(new ResponseReader(), [head, '5\r\nhello\r\n', '0;done=1\r\n\r\n'])?.body.toString()).toBe('hello');
  });

  it('completes after a trailer section, and not before its blank line (RFC 9112 §7.1.2)', () => {
    const reader = new ResponseReader();
    expect(feed(reader, [`${head}5\r\nhello\r\n0\r\nX-Checksum: 1\r\n`])).toBeUndefined();
    expect(reader.push(b('\r\n'))?.body.toString()).toBe('hello');
  });

  it('completes when the last chunk came in three pieces', () => {
    expect(feed(new ResponseReader(), [`${head}5\r\nhello\r\n0`, '\r\n', '\r\n'])?.body.toString()).toBe('hello');
  });

  it('lines ended by a bare LF are not taken for the chunked framing (a strict reader)', () => {
    const reader = new ResponseReader();
    expect(reader.push(b(`${head}5\nhello\n0\n\n`))).toBeUndefined();
    expect(endError(reader)).toBeInstanceOf(TruncatedError);
  });
});

describe('close-delimited framing', () => {
  const text = 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it';

  it('ends with the connection when the end is authenticated (close_notify)', () => {
    const reader = new ResponseReader();
    expect(feed(reader, [text])).toBeUndefined();
    expect(reader.end(true).body.toString()).toBe('all of it');
  });

  it("an end without close_notify may be an attacker's cut: a truncation", () => {
    const reader = new ResponseReader();
    feed(reader, [text]);
    expect(endError(reader, false)).toMatchObject({
      code: 'TRUNCATED',
      message: 'close-delimited body ended without TLS close_notify',
    });
  });

  it('with accept-truncated (lenient), an unauthenticated end still delivers the body', () => {
    const reader = new ResponseReader(true);
    feed(reader, [text]);
    expect(reader.end(false).body.toString()).toBe('all of it');
  });
});
