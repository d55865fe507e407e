/** SOCKS5 UDP ASSOCIATE for tests on real sockets: the TCP association, the relay's port, and a UDP socket reading its answers. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';

/** Waits until `ok()` holds, polling every 10 ms; throws after `ms`. */
export async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Greets with no authentication, asks UDP ASSOCIATE (RFC 1928 §4, 0.0.0.0:0), and binds a UDP socket for the answers. */
export async function udpAssociation(
  proxyPort: number,
): Promise<{ socket: Socket; udp: UdpSocket; relayPort: number; answers: Buffer[] }> {
  const socket = connect({ host: '127.0.0.1', port: proxyPort });
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(Buffer.from('050100' + '050300010000000000' + '00', 'hex'));
  await until(() => Buffer.concat(chunks).length >= 12);
  const relayPort = Buffer.concat(chunks).readUInt16BE(10);
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const answers: Buffer[] = [];
  udp.on('message', (m) => answers.push(m));
  return { socket, udp, relayPort, answers };
}
