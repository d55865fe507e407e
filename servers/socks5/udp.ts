/**
 * RFC 1928 §7: the header of every datagram through the UDP relay,
 * RSV(2) FRAG(1) ATYP(1) DST.ADDR DST.PORT(2) DATA. Pure parsing and encoding.
 */
import { preview } from '../shared/events.js';
import { ATYP_NAMES, encodeAddress, formatIpv6, hex } from './wire.js';

export interface Datagram {
  rsv: number;
  frag: number;
  atyp: 'ipv4' | 'domain' | 'ipv6';
  addr: string;
  port: number;
  data: Buffer;
}

export type Parsed = { ok: true; datagram: Datagram } | { ok: false; why: string };

export function parseDatagram(bytes: Buffer): Parsed {
  if (bytes.length < 4) return { ok: false, why: `${bytes.length} bytes, shorter than any SOCKS5 UDP header` };
  const atyp = ATYP_NAMES[bytes[3]!];
  if (!atyp) return { ok: false, why: `undefined ATYP X'${hex(bytes[3]!)}'` };
  const addrLen = atyp === 'ipv4' ? 4 : atyp === 'ipv6' ? 16 : 1 + (bytes[4] ?? 0);
  if (bytes.length < 4 + addrLen + 2) return { ok: false, why: `${bytes.length} bytes, shorter than its own header` };
  const a = bytes.subarray(4, 4 + addrLen);
  const addr = atyp === 'ipv4' ? [...a].join('.') : atyp === 'ipv6' ? formatIpv6(a) : a.subarray(1).toString('latin1');
  return {
    ok: true,
    datagram: {
      rsv: bytes.readUInt16BE(0),
      frag: bytes[2]!,
      atyp,
      addr,
      port: bytes.readUInt16BE(4 + addrLen),
      data: bytes.subarray(4 + addrLen + 2),
    },
  };
}

/** A datagram with its header; `address` is a literal or a name (encodeAddress). */
export function encodeDatagram(address: string, port: number, data: Buffer, frag = 0): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port);
  return Buffer.concat([Buffer.from([0, 0, frag]), encodeAddress(address), p, data]);
}

/** The header as the proxy records it: `rsv=0000 frag=00 atyp=domain addr=… port=… bytes=…`. */
export function describeDatagram(d: Datagram): string {
  const addr = d.atyp === 'domain' ? preview(Buffer.from(d.addr, 'latin1'), 255) : d.addr;
  return `rsv=${d.rsv.toString(16).padStart(4, '0')} frag=${hex(d.frag)} atyp=${d.atyp} addr=${addr} port=${d.port} bytes=${d.data.length}`;
}
