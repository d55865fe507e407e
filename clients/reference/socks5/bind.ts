import { readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { connected, destination, flip, proxyOf, unbracket } from './get.js';
import { request } from './negotiate.js';
import { Refused } from '../tls.js';
import { whenAborted } from '../abort.js';

/**
 * CONFORM_ACTION=bind (RFC 1928 §4 BIND): ask the proxy to accept a
 * connection from the peer of CONFORM_URL; once the second reply says the peer
 * is there, send it CONFORM_INPUT_FILE and write what it sends to
 * CONFORM_OUTPUT_FILE.
 */
export async function bindThroughProxy(job: Job, ctx: RunContext): Promise<number> {
  let raw: Socket | undefined;
  try {
    const proxy = proxyOf(job);
    if (!proxy) return 89;
    const input = await readFile(job.inputFile);
    const peer = new URL(job.url);
    raw = await connected(proxy.host, proxy.port, ctx.signal);
    const dest = await destination(unbracket(peer.hostname), proxy.remote, ctx);
    const session = await request(
      raw,
      { command: 2, ...proxy.account, dest, port: Number(peer.port) },
      ctx.flaws,
      ctx.signal,
    );
    ctx.log(`the proxy listens for the peer at ${session.bound.addr}:${session.bound.port}`);
    // RFC 1928 §6: the connection is the peer's only after the second reply.
    if (!ctx.flaws.has('socks5-bind-one-reply')) {
      const from = await session.nextReply();
      ctx.log(`the peer connected from ${from.addr}:${from.port}`);
    }
    // The job: send the input, then read until the peer closes (it closes once it has the input).
    const { socket, rest, ended } = session.detach();
    const received = ended ? Promise.resolve(Buffer.alloc(0)) : readToEnd(socket, ctx.signal);
    socket.write(input);
    socket.resume();
    const body = Buffer.concat([rest, await received]);
    await writeFile(job.outputFile, ctx.flaws.has('corrupt-output') && body.length ? flip(body) : body);
    return 0;
  } catch (err) {
    ctx.log(`failed: ${(err as Error).message}`);
    return 1;
  } finally {
    raw?.destroy();
  }
}

/** Everything the stream delivers until the peer's end; a reset or the deadline is a failure. */
function readToEnd(stream: Socket, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const fail = (why: string): void => reject(new Refused(why));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', (e) => fail(`the connection failed: ${e.message}`));
    stream.once('close', () => fail('the connection closed before the peer ended its data'));
    whenAborted(signal, () => fail('timed out reading from the peer'));
  });
}
