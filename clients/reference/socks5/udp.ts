import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { isIP, type Socket } from 'node:net';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { connected, destination, flip, proxyOf, unbracket } from './get.js';
import { encodeDestination, request } from './negotiate.js';
import { Refused } from '../tls.js';
import { whenAborted } from '../abort.js';

/** How often a datagram is sent again while no answer came (UDP may lose it). */
const RESEND_MS = 1000;

/**
 * CONFORM_ACTION=udp (RFC 1928 §7 UDP ASSOCIATE): send CONFORM_INPUT_FILE as
 * one datagram to the UDP target of CONFORM_URL through the proxy's relay, and
 * write the answer's data to CONFORM_OUTPUT_FILE. The TCP connection stays
 * open for as long as the association is used.
 */
export async function udpThroughProxy(job: Job, ctx: RunContext): Promise<number> {
  let raw: Socket | undefined;
  const sockets: UdpSocket[] = [];
  try {
    const proxy = proxyOf(job);
    if (!proxy) return 89;
    const target = new URL(job.url);
    const dest = await destination(unbracket(target.hostname), proxy.remote, ctx);
    const family = isIP(proxy.host) === 6 ? 'udp6' : 'udp4';
    const local = await bound(createSocket(family), family === 'udp6' ? '::1' : '127.0.0.1', sockets);
    raw = await connected(proxy.host, proxy.port, ctx.signal);
    // RFC 1928 §7: DST.ADDR/DST.PORT say where the datagrams will come from, so the relay can limit the association to it.
    const declared = { atyp: family === 'udp6' ? 4 : 1, addr: local.address().address } as const;
    const session = await request(
      raw,
      { command: 3, ...proxy.account, dest: declared, port: local.address().port },
      ctx.flaws,
      ctx.signal,
    );
    session.release();
    if (ctx.flaws.has('socks5-udp-close-control')) raw.destroy();
    // An unspecified BND.ADDR means "the proxy's own address", as proxies that bind the wildcard answer.
    const relay = {
      address: /^(0\.0\.0\.0|0:0:0:0:0:0:0:0|::)?$/.test(session.bound.addr) ? proxy.host : session.bound.addr,
      port: session.bound.port,
    };
    const payload = await readFile(job.inputFile);
    const datagram = ctx.flaws.has('socks5-udp-no-header')
      ? payload
      : Buffer.concat([Buffer.from([0, 0, 0]), encodeDestination(dest, Number(target.port)), payload]);
    const sender = ctx.flaws.has('socks5-udp-undeclared-source')
      ? await bound(createSocket(family), local.address().address, sockets)
      : local;
    const answer = await exchange(sender, local, datagram, relay, ctx);
    await writeFile(job.outputFile, ctx.flaws.has('corrupt-output') && answer.length ? flip(answer) : answer);
    return 0;
  } catch (err) {
    ctx.log(`failed: ${(err as Error).message}`);
    return 1;
  } finally {
    for (const s of sockets) s.close();
    raw?.destroy();
  }
}

function bound(socket: UdpSocket, address: string, all: UdpSocket[]): Promise<UdpSocket> {
  all.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => resolve(socket));
  });
}

/** Sends the datagram (again every RESEND_MS) and resolves with the data of the first acceptable answer. */
function exchange(
  sender: UdpSocket,
  receiver: UdpSocket,
  datagram: Buffer,
  relay: { address: string; port: number },
  ctx: RunContext,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const send = (): void => sender.send(datagram, relay.port, relay.address);
    const timer = setInterval(send, RESEND_MS);
    const finish = (fn: () => void): void => {
      clearInterval(timer);
      receiver.off('message', onMessage);
      fn();
    };
    const onMessage = (msg: Buffer, from: RemoteInfo): void => {
      const data = accept(msg, from, relay, ctx);
      if (data) finish(() => resolve(data));
    };
    receiver.on('message', onMessage);
    whenAborted(ctx.signal, () => finish(() => reject(new Refused('timed out waiting for the answer datagram'))));
    send();
  });
}

/** The data of an answer, or undefined for one to drop (and why, in the log). */
function accept(
  msg: Buffer,
  from: RemoteInfo,
  relay: { address: string; port: number },
  ctx: RunContext,
): Buffer | undefined {
  const drop = (why: string): undefined => {
    ctx.log(`dropped a datagram from ${from.address}:${from.port}: ${why}`);
    return undefined;
  };
  if ((from.address !== relay.address || from.port !== relay.port) && !ctx.flaws.has('socks5-udp-any-source'))
    return drop('it does not come from the relay');
  if (msg.length < 4 || msg[0] !== 0 || msg[1] !== 0) return drop('no SOCKS5 UDP header');
  // RFC 1928 §7: without reassembly, a datagram with FRAG other than X'00' MUST be dropped.
  if (msg[2] !== 0 && !ctx.flaws.has('socks5-udp-ignore-frag')) return drop(`FRAG X'${msg[2]!.toString(16)}'`);
  const atyp = msg[3];
  const addrLen =
    atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? 1 + (msg[4] ?? 0) : ctx.flaws.has('socks5-lenient-atyp') ? 4 : -1;
  if (addrLen < 0) return drop(`undefined ATYP X'${atyp!.toString(16)}'`);
  if (msg.length < 4 + addrLen + 2) return drop('shorter than its header');
  return msg.subarray(4 + addrLen + 2);
}
