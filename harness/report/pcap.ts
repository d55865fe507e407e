import { isIPv4 } from 'node:net';
import type { Capture, CapturedConnection } from '../../servers/shared/capture.js';

/**
 * Rebuilds a packet capture (classic pcap, LINKTYPE_RAW: bare IPv4 packets)
 * from what the servers' sockets carried: a TCP handshake, the data in order
 * with consistent sequence numbers, and the closing FINs. Wireshark and tshark
 * reassemble the streams, and with the case's key log they decrypt the TLS.
 */
const LINKTYPE_RAW = 101;
const MAX_SEGMENT = 16_000;
const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

interface Endpoint {
  ip: Buffer;
  port: number;
}

interface Packet {
  at: number;
  bytes: Buffer;
}

function ipv4(address: string): Buffer {
  // IPv6 peers (and mapped forms) are written as loopback: the capture is about the bytes.
  const plain = address.replace(/^::ffff:/, '');
  return Buffer.from((isIPv4(plain) ? plain : '127.0.0.1').split('.').map(Number));
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One IPv4 + TCP packet; the TCP checksum is left 0, which Wireshark does not verify by default. */
function tcpPacket(from: Endpoint, to: Endpoint, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(from.port, 0);
  tcp.writeUInt16BE(to.port, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp.writeUInt8(5 << 4, 12);
  tcp.writeUInt8(flags, 13);
  tcp.writeUInt16BE(65535, 14);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(6, 9);
  from.ip.copy(ip, 12);
  to.ip.copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ip, tcp, payload]);
}

function connectionPackets(c: CapturedConnection): Packet[] {
  const client: Endpoint = { ip: ipv4(c.client.address), port: c.client.port };
  const server: Endpoint = { ip: ipv4(c.server.address), port: c.server.port };
  let clientSeq = 1000;
  let serverSeq = 5000;
  const packets: Packet[] = [];
  const t = c.openedAt;
  packets.push({ at: t, bytes: tcpPacket(client, server, clientSeq, 0, SYN, Buffer.alloc(0)) });
  packets.push({ at: t, bytes: tcpPacket(server, client, serverSeq, clientSeq + 1, SYN | ACK, Buffer.alloc(0)) });
  clientSeq++;
  serverSeq++;
  packets.push({ at: t, bytes: tcpPacket(client, server, clientSeq, serverSeq, ACK, Buffer.alloc(0)) });
  for (const segment of c.segments) {
    for (let off = 0; off < segment.bytes.length; off += MAX_SEGMENT) {
      const payload = segment.bytes.subarray(off, off + MAX_SEGMENT);
      if (segment.fromClient) {
        packets.push({ at: segment.at, bytes: tcpPacket(client, server, clientSeq, serverSeq, PSH | ACK, payload) });
        clientSeq += payload.length;
      } else {
        packets.push({ at: segment.at, bytes: tcpPacket(server, client, serverSeq, clientSeq, PSH | ACK, payload) });
        serverSeq += payload.length;
      }
    }
  }
  const end = c.closedAt ?? c.segments.at(-1)?.at ?? t;
  packets.push({ at: end, bytes: tcpPacket(server, client, serverSeq, clientSeq, FIN | ACK, Buffer.alloc(0)) });
  packets.push({ at: end, bytes: tcpPacket(client, server, clientSeq, serverSeq + 1, FIN | ACK, Buffer.alloc(0)) });
  return packets;
}

/** The whole case as one pcap file, packets of all connections in time order. */
export function buildPcap(capture: Capture): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262_144, 16);
  header.writeUInt32LE(LINKTYPE_RAW, 20);
  const packets = capture.connections.flatMap(connectionPackets).sort((a, b) => a.at - b.at);
  const records = packets.map((p) => {
    const rec = Buffer.alloc(16);
    const micros = Math.round(p.at * 1000);
    rec.writeUInt32LE(Math.floor(micros / 1e6), 0);
    rec.writeUInt32LE(micros % 1e6, 4);
    rec.writeUInt32LE(p.bytes.length, 8);
    rec.writeUInt32LE(p.bytes.length, 12);
    return Buffer.concat([rec, p.bytes]);
  });
  return Buffer.concat([header, ...records]);
}
