import { writeFile } from 'node:fs/promises';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { command, multiline, mustSucceed, reply, ServerRefused } from './protocol.js';
import { open, upgrade, type Pop3Session } from './negotiate.js';
import { connectTcp } from '../tcp.js';
import { Closed, LineWire } from '../line-wire.js';
import { HandshakeFailed, Refused } from '../tls.js';

/**
 * CONFORM_ACTION=retrieve over POP3: fetch message 1 and write it, byte for
 * byte, to CONFORM_OUTPUT_FILE. Strict; each rule relaxable by one flaw.
 */
export async function retrieveMail(job: Job, ctx: RunContext): Promise<number> {
  let session: Pop3Session | undefined;
  try {
    session = await negotiate(job, ctx);
    const message = await loginAndRetrieve(job, ctx, session);
    await writeFile(job.outputFile, ctx.flaws.has('corrupt-output') && message.length ? flipBit(message) : message);
    await command(session.wire, 'QUIT').catch(() => undefined);
    return 0;
  } catch (err) {
    ctx.log(`failed: ${(err as Error).message}`);
    if (err instanceof ServerRefused && ctx.flaws.has('pop3-err-as-empty')) {
      await writeFile(job.outputFile, '');
      return 0;
    }
    return 1;
  } finally {
    session?.wire.close();
  }
}

async function negotiate(job: Job, ctx: RunContext): Promise<Pop3Session> {
  try {
    if (job.tls === 'none' && job.requireTls && !ctx.flaws.has('pop3-ignore-missing-stls'))
      throw new Refused('the job requires TLS but offers none');
    const session = await open(job, ctx);
    if (job.tls !== 'explicit' || ctx.flaws.has('pop3-login-before-stls')) return session;
    return await upgrade(job, ctx, session);
  } catch (err) {
    // A failed negotiation is no licence to go on without TLS (RFC 8314 §5.2).
    const broken =
      err instanceof HandshakeFailed || err instanceof Closed || (err as NodeJS.ErrnoException).code === 'ECONNRESET';
    if (!broken || !ctx.flaws.has('pop3-plaintext-fallback')) throw err;
    ctx.log(`negotiation failed (${(err as Error).message}): retrying without TLS`);
    return plaintextRetry(job, ctx);
  }
}

/**
 * The pop3-plaintext-fallback flaw: a new connection without TLS and without
 * CAPA. It waits a moment for a greeting and logs in regardless, so that on
 * an implicit-TLS port, which waits for a ClientHello, it speaks plaintext.
 */
async function plaintextRetry(job: Job, ctx: RunContext): Promise<Pop3Session> {
  const wire = new LineWire(await connectTcp(job, ctx.signal), ctx.signal);
  const greeted = await Promise.race([
    reply(wire).then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
  ]);
  ctx.log(greeted ? 'greeted in plaintext' : 'no greeting: logging in anyway');
  return { wire, caps: null };
}

/** USER/PASS when offered (or when CAPA is unknown), else AUTH PLAIN (RFC 5034); then RETR 1. */
async function loginAndRetrieve(job: Job, ctx: RunContext, session: Pop3Session): Promise<Buffer> {
  const { wire, caps } = session;
  const plain = caps?.get('SASL')?.includes('PLAIN') ?? false;
  if (caps && !caps.has('USER') && !plain)
    throw new Refused('the server offers no login this client knows (USER or SASL PLAIN)');
  if (!caps || caps.has('USER')) {
    await mustSucceed(wire, `USER ${job.user}`, 'USER');
    await mustSucceed(wire, `PASS ${job.pass}`, 'PASS');
  } else {
    await mustSucceed(wire, `AUTH PLAIN ${Buffer.from(`\0${job.user}\0${job.pass}`).toString('base64')}`, 'AUTH PLAIN');
  }
  if (ctx.flaws.has('pop3-login-before-stls') && job.tls === 'explicit')
    await command(wire, 'STLS').catch(() => undefined);
  await mustSucceed(wire, 'RETR 1', 'RETR');
  return multiline(wire, {
    unstuff: !ctx.flaws.has('pop3-no-unstuffing'),
    acceptTruncated: ctx.flaws.has('pop3-accept-truncated-retr'),
  });
}

function flipBit(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[copy.length >> 1]! ^= 0x01;
  return copy;
}
