import { writeFile } from 'node:fs/promises';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { HandshakeFailed, Refused } from '../tls.js';
import { connectTcp, open, upgrade, type ImapSession } from './negotiate.js';
import { astring, capability, command, mustSucceed, ServerRefused, type Response } from './protocol.js';
import { Closed, ImapWire } from './wire.js';

/**
 * CONFORM_ACTION=retrieve over IMAP: fetch message 1 of INBOX and write it,
 * byte for byte, to CONFORM_OUTPUT_FILE. Strict; each rule relaxable by one flaw.
 */
export async function retrieveMail(job: Job, ctx: RunContext): Promise<number> {
  let session: ImapSession | undefined;
  try {
    session = await negotiate(job, ctx);
    await login(job, ctx, session);
    const message = await fetchFirst(ctx, session);
    await writeFile(job.outputFile, ctx.flaws.has('corrupt-output') && message.length ? flipBit(message) : message);
    await command(session.s, 'LOGOUT').catch(() => undefined);
    return 0;
  } catch (err) {
    ctx.log(`failed: ${(err as Error).message}`);
    if (err instanceof ServerRefused && ctx.flaws.has('imap-no-as-empty')) {
      await writeFile(job.outputFile, '');
      return 0;
    }
    return 1;
  } finally {
    session?.s.wire.close();
  }
}

async function negotiate(job: Job, ctx: RunContext): Promise<ImapSession> {
  try {
    if (job.tls === 'none' && job.requireTls && !ctx.flaws.has('imap-ignore-missing-starttls'))
      throw new Refused('the job requires TLS but offers none');
    const session = await open(job, ctx);
    if (job.tls !== 'explicit' || ctx.flaws.has('imap-login-before-starttls')) return session;
    return await upgrade(job, ctx, session);
  } catch (err) {
    // A failed negotiation is no licence to go on without TLS (RFC 8314 §5.2).
    const broken =
      err instanceof HandshakeFailed || err instanceof Closed || (err as NodeJS.ErrnoException).code === 'ECONNRESET';
    if (!broken || !ctx.flaws.has('imap-plaintext-fallback')) throw err;
    ctx.log(`negotiation failed (${(err as Error).message}): retrying without TLS`);
    return plaintextRetry(job, ctx);
  }
}

/**
 * The imap-plaintext-fallback flaw: a new connection without TLS. It waits a
 * moment for a greeting and logs in regardless, so that on an implicit-TLS
 * port, which waits for a ClientHello, it speaks plaintext.
 */
async function plaintextRetry(job: Job, ctx: RunContext): Promise<ImapSession> {
  const wire = new ImapWire(await connectTcp(job, ctx.signal), ctx.signal);
  const greeted = await Promise.race([
    wire.response().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
  ]);
  ctx.log(greeted ? 'greeted in plaintext' : 'no greeting: logging in anyway');
  return { s: { wire, flaws: ctx.flaws, log: ctx.log, next: 1 }, caps: new Set(['IMAP4REV1']), preauth: false };
}

/**
 * AUTHENTICATE PLAIN when offered (RFC 9051 §6.2.3: LOGIN "SHOULD NOT be used
 * except as a last resort"), with its initial response under SASL-IR (RFC 4959);
 * else LOGIN, unless the server advertises LOGINDISABLED (§6.2.3: "A client
 * implementation MUST NOT send a LOGIN command if the LOGINDISABLED capability
 * is advertised."). A PREAUTH session needs none.
 */
async function login(job: Job, ctx: RunContext, session: ImapSession): Promise<void> {
  const { s } = session;
  if (session.preauth) return;
  const caps = session.caps ?? (await capability(s));
  const plain = Buffer.from(`\0${job.user}\0${job.pass}`).toString('base64');
  if (caps.has('AUTH=PLAIN')) {
    if (caps.has('SASL-IR')) await mustSucceed(s, `AUTHENTICATE PLAIN ${plain}`, 'AUTHENTICATE PLAIN');
    else await mustSucceed(s, 'AUTHENTICATE PLAIN', 'AUTHENTICATE PLAIN', { onContinuation: () => plain });
  } else {
    if (caps.has('LOGINDISABLED') && !ctx.flaws.has('imap-login-despite-logindisabled')) {
      throw new Refused(
        'the server advertises LOGINDISABLED and no AUTH=PLAIN: there is no login this client may send',
      );
    }
    if (/[\r\n]/.test(job.user + job.pass))
      throw new Refused('the credentials hold a line break, which LOGIN cannot carry');
    await mustSucceed(s, `LOGIN ${astring(job.user)} ${astring(job.pass)}`, 'LOGIN');
  }
  if (ctx.flaws.has('imap-login-before-starttls') && job.tls === 'explicit')
    await command(s, 'STARTTLS').catch(() => undefined);
}

/** SELECT INBOX, then FETCH 1 (BODY.PEEK[]): the message is the literal after "BODY[]" (RFC 9051 §6.4.5, §7.5.2). */
async function fetchFirst(ctx: RunContext, session: ImapSession): Promise<Buffer> {
  const { s } = session;
  const selected = await mustSucceed(s, 'SELECT INBOX', 'SELECT');
  const exists = selected.untagged.map((r) => /^(\d+) EXISTS$/i.exec(r.rest)).find((m) => m !== null);
  if (!exists || Number(exists[1]) < 1) throw new ServerRefused('INBOX holds no message');
  const fetched = await mustSucceed(s, 'FETCH 1 (BODY.PEEK[])', 'FETCH', {
    acceptTruncated: ctx.flaws.has('imap-accept-truncated-literal'),
    literalByLines: ctx.flaws.has('imap-literal-by-lines'),
  });
  // Only what this FETCH brought is message 1; the imap-keep-unsolicited-fetch flaw takes what came first, asked or not.
  const body = (s.fetched ?? fetched.untagged).map(bodyOf).find((b) => b !== undefined);
  if (!body) throw new Error('the FETCH response carried no BODY[] of message 1');
  return body;
}

/** The BODY[] (or RFC822) literal of message 1's FETCH response, if this is one. */
function bodyOf(r: Response): Buffer | undefined {
  if (!/^1 FETCH \(/i.test(r.rest)) return undefined;
  const at = r.lines.findIndex((l) => /(?:BODY\[\]|RFC822) \{\d+\}$/i.test(l));
  return at >= 0 ? r.literals[at] : undefined;
}

function flipBit(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[copy.length >> 1]! ^= 0x01;
  return copy;
}
