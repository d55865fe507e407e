/**
 * Tells TLS records from anything else in what a client sends after its
 * ClientHello. A client that believes it is inside TLS when it is not (a
 * STARTTLS go-ahead it misread, CVE-2021-22947's desynchronised state) writes
 * its next commands in the clear right behind its hello; the server's TLS stack
 * then fails with "wrong version number" and, without this, those bytes were
 * never seen. Pure: bytes in, the plaintext found out.
 */

/** RFC 8446 §5.1 / RFC 5246 §6.2.1: change_cipher_spec(20), alert(21), handshake(22), application_data(23), heartbeat(24). */
const CONTENT_TYPES = new Set([20, 21, 22, 23, 24]);
/** RFC 8446 §5.2: a record is at most 2^14 + 256 bytes of ciphertext; TLS 1.2 allows 2^14 + 2048. */
const MAX_RECORD = 2 ** 14 + 2048;
const HEADER = 5;

/** Whether five bytes can start a TLS record: a known content type, version 3.x, a length TLS allows. */
export function isRecordHeader(h: Buffer): boolean {
  return CONTENT_TYPES.has(h[0]!) && h[1] === 0x03 && h[2]! <= 0x04 && h.readUInt16BE(3) <= MAX_RECORD;
}

/**
 * Walks a byte stream record by record (header, then as many bytes as it says),
 * across chunk boundaries. At the first position where no record header stands,
 * the stream is no longer TLS: everything from there on is plaintext.
 */
export class TlsRecordScanner {
  /** Bytes of the record body still to skip. */
  private skip = 0;
  /** A header split across chunks. */
  private partial = Buffer.alloc(0);
  private desynced = false;

  private seen = false;
  /** Times the stream turned back into records after plaintext. */
  resynced = 0;

  /** True once non-TLS bytes were seen. */
  get plaintext(): boolean {
    return this.seen;
  }

  /**
   * Feeds the next chunk; returns the plaintext bytes in it (empty while the
   * stream is TLS). A client writes a record or a command line at a time, so a
   * chunk that starts with a record header after plaintext is TLS again (the
   * client's own session goes on behind the bytes it leaked).
   */
  push(chunk: Buffer): Buffer {
    if (this.desynced) {
      if (chunk.length < HEADER || !isRecordHeader(chunk.subarray(0, HEADER))) return this.plainUntilRecord(chunk);
      this.desynced = false;
      this.resynced++;
    }
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const need = HEADER - this.partial.length;
      const take = chunk.subarray(at, at + need);
      const header = Buffer.concat([this.partial, take]);
      if (header.length < HEADER) {
        // Not enough to decide; a plaintext line this short is judged with the next chunk (or at the end).
        this.partial = header;
        return Buffer.alloc(0);
      }
      if (!isRecordHeader(header)) {
        this.desynced = true;
        this.seen = true;
        const held = this.partial;
        this.partial = Buffer.alloc(0);
        return this.plainUntilRecord(Buffer.concat([held, chunk.subarray(at)]));
      }
      this.partial = Buffer.alloc(0);
      at += take.length;
      this.skip = header.readUInt16BE(3);
    }
    return Buffer.alloc(0);
  }

  /**
   * Plaintext up to a record header that opens a line: the client's own
   * session going on behind its leaked line, read in the same chunk. From
   * there the stream is records again, as when a chunk starts with one.
   */
  private plainUntilRecord(bytes: Buffer): Buffer {
    for (let nl = bytes.indexOf(0x0a); nl >= 0 && nl + 1 + HEADER <= bytes.length; nl = bytes.indexOf(0x0a, nl + 1)) {
      if (!isRecordHeader(bytes.subarray(nl + 1, nl + 1 + HEADER))) continue;
      this.desynced = false;
      this.resynced++;
      return Buffer.concat([bytes.subarray(0, nl + 1), this.push(bytes.subarray(nl + 1))]);
    }
    return bytes;
  }

  /** The stream ended: a short tail that never made a whole header is plaintext if it cannot start one. */
  end(): Buffer {
    const tail = this.partial;
    this.partial = Buffer.alloc(0);
    if (this.desynced || !tail.length) return Buffer.alloc(0);
    const looksLikeRecord = CONTENT_TYPES.has(tail[0]!) && (tail.length < 2 || tail[1] === 0x03);
    if (looksLikeRecord) return Buffer.alloc(0);
    this.desynced = true;
    this.seen = true;
    return tail;
  }
}
