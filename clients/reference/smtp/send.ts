/**
 * CONFORM_ACTION=send over SMTP: a strict submission client. EHLO, STARTTLS
 * when CONFORM_TLS=explicit (required when CONFORM_REQUIRE_TLS=1), everything
 * learned before TLS discarded (RFC 3207 §4.2), EHLO again, AUTH when given
 * credentials, then MAIL, RCPT, DATA with dot-stuffing, and QUIT. Implicit TLS
 * (RFC 8314 §3.3) when CONFORM_TLS=implicit. Each rule relaxable by one flaw.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { authenticate, CLIENT_NAME, hello, transaction, type Capabilities } from './steps.js';
import { SmtpWire } from './wire.js';
import { HandshakeFailed, Refused, secureConnection } from '../tls.js';
import { whenAborted } from '../abort.js';

interface Connection {
  wire: SmtpWire;
  caps: Capabilities;
}

export async function sendMail(job: Job, ctx: RunContext): Promise<number> {
  const open = new Set<Socket | SmtpWire['socket']>();
  const onAbort = (): void => open.forEach((s) => s.destroy());
  const stop = whenAborted(ctx.signal, onAbort);
  try {
    const message = await readFile(job.inputFile);
    try {
      await session(job, ctx, message, open);
    } catch (err) {
      if (!(err instanceof HandshakeFailed) || !ctx.flaws.has('smtp-plaintext-fallback') || ctx.signal.aborted)
        throw err;
      ctx.log(`handshake failed (${err.message}); retrying in plaintext`);
      await session({ ...job, tls: 'none', requireTls: false }, ctx, message, open);
    }
    return 0;
  } catch (err) {
    ctx.log(`failed: ${ctx.signal.aborted ? 'timed out' : (err as Error).message}`);
    return 1;
  } finally {
    stop();
    onAbort();
  }
}

async function session(job: Job, ctx: RunContext, message: Buffer, open: Set<SmtpWire['socket']>): Promise<void> {
  const raw = track(open, tcpConnect({ host: job.addr || job.host, port: job.port }), ctx.signal);
  const socket = track(
    open,
    job.tls === 'implicit' ? await secureConnection(job, ctx.flaws, ctx.signal, raw) : raw,
    ctx.signal,
  );
  let conn: Connection = {
    wire: new SmtpWire(socket, job.tls === 'implicit', ctx.flaws.has('accept-partial-reply')),
    caps: new Map(),
  };
  try {
    await greeting(conn.wire, ctx);
    conn.caps = await hello(conn.wire, ctx.flaws.has('accept-any-hello-reply'));
    let authenticated = false;
    if (job.user && ctx.flaws.has('auth-before-starttls') && !conn.wire.secure && conn.caps.has('AUTH')) {
      await authenticate(job, ctx, conn.wire, conn.caps);
      authenticated = true;
    }
    if (job.tls === 'explicit') conn = await startTls(job, ctx, conn, open);
    if (job.user && !authenticated) {
      // RFC 4616 §4: PLAIN (and LOGIN) only where data security is in place.
      if (conn.wire.secure || ctx.flaws.has('plaintext-auth-when-optional'))
        await authenticate(job, ctx, conn.wire, conn.caps);
      else
        ctx.log('TLS is optional and unavailable: sending the mail without AUTH rather than credentials in plaintext');
    }
    await transaction(job, ctx, conn.wire, message);
    await conn.wire.command('QUIT').catch(() => undefined);
  } catch (err) {
    // A refusal at the protocol level still ends the session politely (RFC 5321 §4.1.1.10).
    if (err instanceof Refused && !ctx.signal.aborted) await quietQuit(conn.wire);
    throw err;
  }
}

/** RFC 5321 §3.1, §4.2: 220 to go on; after 554 the client sends QUIT. */
async function greeting(wire: SmtpWire, ctx: RunContext): Promise<void> {
  const reply = await wire.read();
  if (reply.code === 220) return;
  if (ctx.flaws.has('ignore-greeting')) return ctx.log(`greeting ${reply.code}; going on anyway`);
  throw new Refused(`the server greeted with ${reply.code} ${reply.lines.join(' / ')}`);
}

/**
 * RFC 3207: STARTTLS, the handshake, and a fresh EHLO inside TLS. Bytes that
 * came after the 220 go-ahead and before the handshake are discarded unread
 * (§4.2 and CVE-2021-22947: a man in the middle may have injected them).
 */
async function startTls(
  job: Job,
  ctx: RunContext,
  conn: Connection,
  open: Set<SmtpWire['socket']>,
): Promise<Connection> {
  const { wire, caps } = conn;
  if (!caps.has('STARTTLS') && !ctx.flaws.has('ignore-missing-starttls')) {
    if (job.requireTls) throw new Refused('the server does not offer STARTTLS, and TLS is required');
    ctx.log('the server does not offer STARTTLS; TLS is optional, going on in plaintext');
    return conn;
  }
  if (!caps.has('STARTTLS')) return conn;
  if (ctx.flaws.has('pipeline-after-starttls')) wire.send(`STARTTLS\r\nEHLO ${CLIENT_NAME}\r\n`);
  const reply = ctx.flaws.has('pipeline-after-starttls') ? await wire.read() : await wire.command('STARTTLS');
  if (reply.code !== 220) {
    // Lines already here answer commands not yet sent: a man in the middle pipelined them
    // behind the refusal (curl rejects them since its CVE-2021-22947 fix, tests 980-983).
    const unasked = ctx.flaws.has('keep-replies-after-refusal') ? 0 : wire.discardUnread();
    if (unasked) ctx.log(`discarding ${unasked} bytes that came unasked behind the refusal of STARTTLS`);
    if (job.requireTls && !ctx.flaws.has('ignore-starttls-refusal'))
      throw new Refused(`STARTTLS refused with ${reply.code}, and TLS is required`);
    ctx.log(`STARTTLS refused with ${reply.code}; going on in plaintext`);
    return conn;
  }
  if (ctx.flaws.has('starttls-no-handshake')) return { wire, caps: await hello(wire) };
  const early = wire.detach();
  if (early.length) ctx.log(`discarding ${early.length} bytes received before the TLS handshake (RFC 3207 §4.2)`);
  const tls = track(open, await secureConnection(job, ctx.flaws, ctx.signal, wire.socket as Socket), ctx.signal);
  const keep = ctx.flaws.has('keep-pre-tls-buffer') ? early : undefined;
  const secure = new SmtpWire(tls, true, ctx.flaws.has('accept-partial-reply'), keep);
  if (ctx.flaws.has('no-ehlo-after-starttls')) return { wire: secure, caps };
  const fresh = await hello(secure);
  if (fresh.has('STARTTLS') && ctx.flaws.has('repeat-starttls')) await secure.command('STARTTLS');
  return { wire: secure, caps: fresh };
}

/**
 * Keeps a socket among those the deadline destroys (the SMTP wire reads no
 * signal: a destroyed socket is how its reads end); one opened after the
 * deadline passed is destroyed at once.
 */
function track<S extends SmtpWire['socket']>(open: Set<SmtpWire['socket']>, socket: S, signal: AbortSignal): S {
  open.add(socket);
  if (signal.aborted) socket.destroy();
  return socket;
}

async function quietQuit(wire: SmtpWire): Promise<void> {
  if (!wire.usable) return;
  await Promise.race([wire.command('QUIT').catch(() => undefined), new Promise((r) => setTimeout(r, 200))]);
}
