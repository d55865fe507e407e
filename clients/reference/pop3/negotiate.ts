/**
 * The reference client's way into a POP3 session: TCP (or implicit TLS,
 * RFC 8314 §3), the greeting, CAPA, and the STLS upgrade (RFC 2595 §4) with
 * everything learned before it thrown away.
 */
import { connectTcp } from '../tcp.js';
import type { Socket } from 'node:net';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { capa, command, reply, ServerRefused, type Capabilities } from './protocol.js';
import { LineWire } from '../line-wire.js';
import { afterHello, Refused, secureConnection } from '../tls.js';

export interface Pop3Session {
  wire: LineWire;
  /** What the last CAPA said; null when the server does not know CAPA. */
  caps: Capabilities | null;
}

/** Connects, reads the greeting and asks CAPA; with implicit TLS, the handshake comes first. */
export async function open(job: Job, ctx: RunContext): Promise<Pop3Session> {
  const raw = await connectTcp(job, ctx.signal);
  const stream = job.tls === 'implicit' ? await secureConnection(job, ctx.flaws, ctx.signal, raw) : raw;
  const wire = new LineWire(stream, ctx.signal);
  const greeting = await reply(wire);
  if (!greeting.ok) throw new ServerRefused(`the server greeted with -ERR ${greeting.text}`);
  return { wire, caps: await capa(wire) };
}

/** STLS could not be used: stop when TLS is required, or go on in plaintext as the job allows. */
function withoutTls(job: Job, ctx: RunContext, session: Pop3Session, why: string): Pop3Session {
  if (job.requireTls && !ctx.flaws.has('pop3-ignore-missing-stls')) throw new Refused(`${why}, and TLS is required`);
  ctx.log(`${why}: going on in plaintext`);
  return session;
}

/**
 * RFC 2595 §4: STLS only when advertised; after the handshake, bytes that
 * came before it are dropped, the certificate is checked, and the cached
 * capabilities are discarded and CAPA asked again.
 */
export async function upgrade(job: Job, ctx: RunContext, session: Pop3Session): Promise<Pop3Session> {
  const { flaws } = ctx;
  if (!session.caps?.has('STLS'))
    return withoutTls(
      job,
      ctx,
      session,
      session.caps ? 'the server does not offer STLS' : 'the server does not answer CAPA',
    );
  // CVE-2011-0411 style: a command sent behind STLS before the go-ahead crosses in plaintext.
  session.wire.write(flaws.has('pop3-pipeline-stls') ? 'STLS\r\nCAPA\r\n' : 'STLS\r\n');
  const go = await reply(session.wire);
  if (!go.ok) {
    // Lines already here answer commands not yet sent: a man in the middle pipelined them
    // behind the refusal (curl rejects them since its CVE-2021-22947 fix, test 982).
    const unasked = flaws.has('pop3-keep-replies-after-refusal') ? 0 : session.wire.takeRest().length;
    if (unasked) ctx.log(`dropped ${unasked} bytes that came unasked behind the refusal of STLS`);
    return withoutTls(job, ctx, session, `the server refused STLS (${go.text})`);
  }
  const early = session.wire.detach();
  const keep = flaws.has('pop3-keep-pre-tls-buffer');
  if (early.length && !keep) ctx.log(`dropped ${early.length} bytes the server sent before the TLS handshake`);
  const raw = session.wire.stream as Socket;
  const handshake = secureConnection(job, flaws, ctx.signal, raw);
  // curl 7.78's SMTP bug: the client believes it upgraded and writes its next command in plaintext.
  if (flaws.has('pop3-plaintext-after-hello')) afterHello(raw, () => raw.write('CAPA\r\n'));
  const tls = await handshake;
  const wire = new LineWire(tls, ctx.signal, keep ? early : undefined);
  const caps = flaws.has('pop3-no-capa-after-stls') ? session.caps : await capa(wire);
  // RFC 2595 §4: a client MUST NOT start TLS again once it is active, whatever CAPA says.
  if (flaws.has('pop3-restart-stls') && caps?.has('STLS')) await command(wire, 'STLS').catch(() => undefined);
  return { wire, caps };
}
