import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { writeFile } from 'node:fs/promises';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { buildClientHello, WEAK_SUITES } from '../raw-hello.js';
import { ResponseReader, type HttpResponse } from './http-response.js';
import { refuseCertificate } from '../verify.js';
import { refuseRevoked } from '../revocation.js';
import { guards, handshake, HandshakeFailed, Refused, tlsOptions } from '../tls.js';
import { whenAborted } from '../abort.js';

/** CONFORM_ACTION=get over HTTPS: a strict client, each rule relaxable by one flaw. */
export async function getHttps(job: Job, ctx: RunContext): Promise<number> {
  const url = new URL(job.url);
  const target = `${url.pathname}${url.search}`;
  const addr = job.addr || job.host;
  const weak = (Object.keys(WEAK_SUITES) as (keyof typeof WEAK_SUITES)[]).find((f) => ctx.flaws.has(f));
  if (weak || ctx.flaws.has('sni-for-ip')) {
    const sni = ctx.flaws.has('sni-for-ip') || !isIP(job.host) ? job.host : null;
    await sendRawHello(
      addr,
      job.port,
      buildClientHello({ sni, extraSuites: weak ? WEAK_SUITES[weak] : [] }),
      ctx.signal,
    );
    ctx.log('sent a hand-built ClientHello and gave up');
    return 1;
  }
  try {
    let response = ctx.flaws.has('send-plaintext')
      ? await exchange(tcpConnect({ host: addr, port: job.port }), job, target, ctx)
      : await tlsExchange(job, target, ctx, await tlsOptions(job, ctx.flaws, false));
    if (
      ctx.flaws.has('follow-redirects') &&
      response.headers.location &&
      response.status >= 300 &&
      response.status < 400
    ) {
      response = await followRedirect(response.headers.location, job, ctx);
    }
    if (response.status !== 200) throw new Refused(`HTTP status ${response.status}`);
    const body = ctx.flaws.has('corrupt-output') && response.body.length ? flipBit(response.body) : response.body;
    await writeFile(job.outputFile, body);
    return 0;
  } catch (err) {
    ctx.log(`failed: ${(err as Error).message}`);
    return 1;
  }
}

/** The follow-redirects flaw: goes wherever Location says, plain http included. */
async function followRedirect(location: string, job: Job, ctx: RunContext): Promise<HttpResponse> {
  const next = new URL(location, job.url);
  const port = Number(next.port) || (next.protocol === 'https:' ? 443 : 80);
  const target = `${next.pathname}${next.search}`;
  ctx.log(`following redirect to ${next.href}`);
  if (next.protocol === 'http:') return exchange(tcpConnect({ host: next.hostname, port }), job, target, ctx);
  return tlsExchange(
    { ...job, port, host: next.hostname },
    target,
    ctx,
    await tlsOptions({ ...job, port, host: next.hostname }, ctx.flaws, false),
  );
}

async function tlsExchange(
  job: Job,
  target: string,
  ctx: RunContext,
  options: ConnectionOptions,
): Promise<HttpResponse> {
  let socket: TLSSocket;
  try {
    socket = await handshake(options, ctx.signal, tcpConnect({ host: options.host!, port: options.port! }));
  } catch (err) {
    if (!(err instanceof HandshakeFailed)) throw err;
    ctx.log(`handshake failed: ${err.message}`);
    if (ctx.flaws.has('plaintext-fallback'))
      return exchange(tcpConnect({ host: options.host!, port: options.port! }), job, target, ctx);
    if (ctx.flaws.has('version-fallback') && options.maxVersion !== 'TLSv1') {
      return tlsExchange(
        job,
        target,
        { ...ctx, flaws: new Set([...ctx.flaws].filter((f) => f !== 'version-fallback')) },
        await tlsOptions(job, ctx.flaws, true),
      );
    }
    throw err;
  }
  const refusal =
    refuseCertificate(socket, job.host, ctx.flaws) ?? (await refuseRevoked(socket, job, ctx.flaws, ctx.signal));
  if (refusal) {
    socket.destroy();
    throw new Refused(refusal);
  }
  return exchange(socket, job, target, ctx);
}

/** The GET request for `target` (a path) on the job's host. */
export function getRequest(job: Job, target: string): string {
  const hostHeader = job.host.includes(':') ? `[${job.host}]:${job.port}` : `${job.host}:${job.port}`;
  return `GET ${target} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: conform-reference\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
}

/** Sends one GET (unless it was `alreadySent`) and reads the response strictly (or leniently, with accept-truncated). */
export function exchange(
  socket: Socket,
  job: Job,
  target: string,
  ctx: RunContext,
  alreadySent = false,
): Promise<HttpResponse> {
  const reader = new ResponseReader(ctx.flaws.has('accept-truncated'));
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      stop();
      socket.destroy();
      fn();
    };
    const onAbort = (): void => settle(() => reject(new Refused('timed out waiting for the response')));
    const stop = whenAborted(ctx.signal, onAbort);
    socket.on('data', (chunk: Buffer) => {
      try {
        const done = reader.push(chunk);
        if (done) settle(() => resolve(done));
      } catch (err) {
        settle(() => reject(err));
      }
    });
    const onEnd = (): void => {
      const guard = guards.get(socket);
      // A TLS connection that ended without close_notify may have been cut short.
      const clean = !guard || !guard.eofPassedOn;
      try {
        const done = reader.end(clean);
        settle(() => resolve(done));
      } catch (err) {
        settle(() => reject(err));
      }
    };
    socket.once('end', onEnd);
    socket.once('error', (err) => settle(() => reject(err)));
    socket.once('close', onEnd);
    if (!alreadySent) socket.write(getRequest(job, target));
  });
}

function sendRawHello(host: string, port: number, hello: Buffer, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port }, () => socket.write(hello));
    const done = (): void => {
      stop();
      socket.destroy();
      resolve();
    };
    const stop = whenAborted(signal, done);
    socket.once('data', done);
    socket.once('error', done);
    socket.once('close', done);
  });
}

function flipBit(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[copy.length >> 1]! ^= 0x01;
  return copy;
}
