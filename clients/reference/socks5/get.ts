import { lookup } from 'node:dns/promises';
import { openTcp } from '../tcp.js';
import { writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { Job } from '../../../contract/job.js';
import { exchange, getRequest } from '../https/get.js';
import type { RunContext } from '../context.js';
import { literalAtyp, negotiate, type ProxyPlan } from './negotiate.js';
import { handshake, Refused, tlsOptions } from '../tls.js';
import { refuseCertificate } from '../verify.js';
import { refuseRevoked } from '../revocation.js';

/**
 * CONFORM_PROTOCOL=socks5: GET CONFORM_URL through the proxy of
 * CONFORM_PROXY_URL, over TLS verifying the target's name when the URL is https.
 */
export async function getThroughProxy(job: Job, ctx: RunContext): Promise<number> {
  let raw: Socket | undefined;
  try {
    const proxy = proxyOf(job);
    if (!proxy) return 89;
    const target = new URL(job.url);
    const targetHost = unbracket(target.hostname);
    const targetPort = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
    const path = `${target.pathname}${target.search}`;
    // RFC 1928 §6: data may flow once the reply said success, not before (the flaw sends the GET behind the request).
    const early =
      ctx.flaws.has('socks5-optimistic-data') && target.protocol === 'http:'
        ? Buffer.from(getRequest({ ...job, host: targetHost, port: targetPort }, path))
        : undefined;
    const plan: ProxyPlan = {
      ...proxy.account,
      dest: await destination(targetHost, proxy.remote, ctx),
      port: targetPort,
      ...(early ? { early } : {}),
    };
    raw = await connected(proxy.host, proxy.port, ctx.signal);
    const tunnel = await negotiate(raw, plan, ctx.flaws, ctx.signal);
    // The TLS name is the target's, never the proxy's (docs/contract.md), as the URL writes it: a
    // U-label stays one here (the URL parser made it an A-label), and verify.ts converts it (RFC 9525 §6.3).
    const tlsHost = ctx.flaws.has('socks5-sni-proxy-host') ? job.host : (hostAsWritten(job.url) ?? targetHost);
    const targetJob = { ...job, host: tlsHost, port: targetPort };
    let stream: Socket = tunnel;
    if (target.protocol === 'https:') {
      const tls = await handshake(await tlsOptions(targetJob, ctx.flaws, false), ctx.signal, tunnel);
      const refusal =
        refuseCertificate(tls, tlsHost, ctx.flaws) ?? (await refuseRevoked(tls, targetJob, ctx.flaws, ctx.signal));
      if (refusal) {
        tls.destroy();
        throw new Refused(refusal);
      }
      stream = tls;
    }
    const pending = exchange(stream, { ...targetJob, host: targetHost }, path, ctx, !!early);
    // The reader paused the tunnel to hand it over; the exchange is listening now.
    stream.resume();
    const response = await pending;
    if (response.status !== 200) throw new Refused(`HTTP status ${response.status}`);
    const body = ctx.flaws.has('corrupt-output') && response.body.length ? flip(response.body) : response.body;
    await writeFile(job.outputFile, body);
    return 0;
  } catch (err) {
    ctx.log(`failed: ${(err as Error).message}`);
    return 1;
  } finally {
    // Whatever happened, the connection to the proxy ends with the job.
    raw?.destroy();
  }
}

/** The host of a URL as written, before the URL parser turns an internationalized name into its A-label. */
function hostAsWritten(url: string): string | undefined {
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#]*)/i.exec(url)?.[1];
  return host ? unbracket(host) : undefined;
}

/** The proxy of CONFORM_PROXY_URL, or undefined for a scheme this client does not speak. */
export function proxyOf(
  job: Job,
): { host: string; port: number; remote: boolean; account: { user: string; pass: string } } | undefined {
  const proxy = new URL(job.proxyUrl);
  if (proxy.protocol !== 'socks5:' && proxy.protocol !== 'socks5h:') return undefined;
  return {
    host: job.addr || unbracket(proxy.hostname),
    port: Number(proxy.port) || 1080,
    remote: proxy.protocol === 'socks5h:',
    account: {
      user: decodeURIComponent(proxy.username) || job.user,
      pass: decodeURIComponent(proxy.password) || job.pass,
    },
  };
}

export const unbracket = (host: string): string => host.replace(/^\[|\]$/g, '');

/** socks5h://: the proxy resolves names (ATYP 3); socks5://: the client does (ATYP 1 or 4). */
export async function destination(host: string, remote: boolean, ctx: RunContext): Promise<ProxyPlan['dest']> {
  const literal = literalAtyp(host);
  if (literal) return { atyp: literal, addr: host };
  const resolveHere = remote ? ctx.flaws.has('socks5-resolve-locally') : !ctx.flaws.has('socks5-remote-resolve');
  // A name over 255 bytes is refused by request(), once connected (as curl 8.4 does).
  if (!resolveHere) return { atyp: 3, addr: host };
  const { address } = await lookup(host).catch(() => {
    throw new Refused(`cannot resolve ${host} locally (socks5:// asks the client to resolve)`);
  });
  return { atyp: literalAtyp(address)!, addr: address };
}

export function connected(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return openTcp(host, port, signal, 'connecting to the proxy');
}

export function flip(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[copy.length >> 1]! ^= 0x01;
  return copy;
}
