// What the reference client reads of the server's handshake before TLS is
// up: in TLS 1.2 the ServerKeyExchange crosses in the clear, and with it the
// DHE group (RFC 5246 §7.4.3), which Node does not expose beyond its size.
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';

/** A server's DHE group and public value (RFC 5246 §7.4.3 ServerDHParams), unsigned big-endian. */
export interface DhParams {
  p: Buffer;
  g: Buffer;
  ys: Buffer;
}

/** The DHE parameters each TLS 1.2 socket was offered, for the key-exchange check (verify.ts). */
export const dhGroups = new WeakMap<TLSSocket, DhParams>();

const HANDSHAKE = 22;
const SERVER_KEY_EXCHANGE = 12;
/** Enough for any first flight this client meets (a 250 KB certificate chain among them). */
const MAX_FLIGHT = 1 << 20;

/** Collects the handshake records `raw` receives until `stop()` is called. */
export function watchServerFlight(raw: Duplex): { stop(): Buffer } {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    if (size < MAX_FLIGHT) chunks.push(chunk);
    size += chunk.length;
  };
  raw.on('data', onData);
  return {
    stop() {
      raw.off('data', onData);
      return Buffer.concat(chunks);
    },
  };
}

/** The handshake messages of the plaintext records at the start of `flight`, reassembled across records. */
function handshakeBytes(flight: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at + 5 <= flight.length; ) {
    const type = flight[at]!;
    const length = flight.readUInt16BE(at + 3);
    // ChangeCipherSpec or anything else: what follows is no longer plaintext handshake.
    if (type !== HANDSHAKE) break;
    parts.push(flight.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return Buffer.concat(parts);
}

/** The ServerDHParams (dh_p, dh_g, dh_Ys) of a TLS 1.2 ServerKeyExchange in `flight`, or null when there is none. */
export function dhParams(flight: Buffer): DhParams | null {
  const messages = handshakeBytes(flight);
  for (let at = 0; at + 4 <= messages.length; ) {
    const type = messages[at]!;
    const length = messages.readUIntBE(at + 1, 3);
    if (type === SERVER_KEY_EXCHANGE) {
      // dh_p<1..2^16-1>, dh_g<1..2^16-1>, dh_Ys<1..2^16-1>, then the signature.
      const body = messages.subarray(at + 4, at + 4 + length);
      const fields: Buffer[] = [];
      for (let off = 0; fields.length < 3; ) {
        if (off + 2 > body.length) return null;
        const n = body.readUInt16BE(off);
        if (off + 2 + n > body.length) return null;
        fields.push(body.subarray(off + 2, off + 2 + n));
        off += 2 + n;
      }
      const [p, g, ys] = fields as [Buffer, Buffer, Buffer];
      return { p, g, ys };
    }
    at += 4 + length;
  }
  return null;
}
