/**
 * The reference client's way into an IMAP session: TCP (or implicit TLS,
 * RFC 8314 §3), the greeting, the capabilities, and the STARTTLS upgrade
 * (RFC 9051 §6.2.1) with everything learned before it thrown away.
 */
import type { Socket } from 'node:net';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { openTcp } from '../tcp.js';
import { afterHello, Refused, secureConnection } from '../tls.js';
import { armLeaks, tlsLayerFlaws } from './leaks.js';
import {
  acceptUnasked,
  capabilitiesOf,
  capability,
  completion,
  noteAlert,
  parse,
  ServerRefused,
  statusInWords,
  UnaskedContinuation,
  type Capabilities,
  type Session,
} from './protocol.js';
import { ImapWire } from './wire.js';

export interface ImapSession {
  s: Session;
  /** What the last list said (greeting code, CAPABILITY, or automatic after TLS); null until known. */
  caps: Capabilities | null;
  /** The greeting was PREAUTH: the session is authenticated already (RFC 9051 §7.1.4). */
  preauth: boolean;
}

export function connectTcp(job: Job, signal: AbortSignal): Promise<Socket> {
  return openTcp(job.addr || job.host, job.port, signal, 'connecting');
}

/** The handshake over `raw`, the certificate checked (clients/reference/tls.ts), with this protocol's leaks armed. */
export async function secure(job: Job, ctx: RunContext, raw: Socket): Promise<Socket> {
  await armLeaks(job, ctx.flaws, raw);
  return secureConnection(job, tlsLayerFlaws(ctx.flaws) as RunContext['flaws'], ctx.signal, raw);
}

/**
 * Connects and reads the greeting (RFC 9051 §7.1: OK, PREAUTH or BYE); with
 * implicit TLS, the handshake comes first. A NO or BAD greeting is no session
 * either: a refusal, as BYE is.
 */
export async function open(job: Job, ctx: RunContext): Promise<ImapSession> {
  const raw = await connectTcp(job, ctx.signal);
  const stream = job.tls === 'implicit' ? await secure(job, ctx, raw) : raw;
  const s: Session = { wire: new ImapWire(stream, ctx.signal), flaws: ctx.flaws, log: ctx.log, next: 1 };
  const greeting = parse(await s.wire.response());
  noteAlert(s, greeting);
  const status = greeting.tag === '*' ? greeting.status : undefined;
  if (status === 'BYE' || status === 'NO' || status === 'BAD')
    throw new ServerRefused(`the server greeted with ${statusInWords(s, greeting)}`);
  if (status !== 'OK' && status !== 'PREAUTH')
    throw new Error(`not an IMAP greeting: ${greeting.tag} ${statusInWords(s, greeting)}`);
  return { s, caps: capabilitiesOf(greeting) ?? null, preauth: status === 'PREAUTH' };
}

/** STARTTLS could not be used: stop when TLS is required, or go on in plaintext as the job allows. */
function withoutTls(job: Job, ctx: RunContext, session: ImapSession, why: string): ImapSession {
  if (job.requireTls && !ctx.flaws.has('imap-ignore-missing-starttls'))
    throw new Refused(`${why}, and TLS is required`);
  ctx.log(`${why}: going on in plaintext`);
  return session;
}

/**
 * RFC 9051 §6.2.1: STARTTLS only when advertised, nothing sent behind it
 * before its OK; after the handshake, bytes that came before it are dropped,
 * the certificate is checked, and the capabilities are discarded and asked
 * again. RFC 9051 §7.1.4: "Clients that require mandatory TLS MUST close the
 * connection after receiving the PREAUTH response on a non-protected port."
 */
export async function upgrade(job: Job, ctx: RunContext, session: ImapSession): Promise<ImapSession> {
  const { flaws } = ctx;
  const { s } = session;
  if (session.preauth) {
    if (job.requireTls && !flaws.has('imap-accept-preauth'))
      throw new Refused(
        'the server greeted with PREAUTH on a plaintext connection, where STARTTLS is no longer possible, and TLS is required',
      );
    ctx.log('PREAUTH on a plaintext connection: going on without TLS');
    return session;
  }
  const caps = session.caps ?? (await capability(s));
  if (!caps.has('STARTTLS')) return withoutTls(job, ctx, { ...session, caps }, 'the server does not offer STARTTLS');
  const tag = `A${s.next++}`;
  // CVE-2011-0411 style: a command sent behind STARTTLS before the OK crosses in plaintext.
  s.wire.write(
    flaws.has('imap-pipeline-starttls') ? `${tag} STARTTLS\r\nA${s.next++} CAPABILITY\r\n` : `${tag} STARTTLS\r\n`,
  );
  // A continuation request is no answer to STARTTLS (RFC 9051 §6.2.1 has a tagged OK start the negotiation): no TLS.
  const answer = await completion(s, tag).catch((err: unknown) => {
    if (err instanceof UnaskedContinuation) return undefined;
    throw err;
  });
  if (!answer)
    return withoutTls(
      job,
      ctx,
      { ...session, caps },
      'the server answered STARTTLS with a continuation request, not a completion',
    );
  acceptUnasked(s, answer.untagged);
  // What the answer lists (an untagged CAPABILITY, a code in the OK) is pre-TLS knowledge like any other.
  const learned =
    [...answer.untagged, answer.done]
      .map(capabilitiesOf)
      .filter((l): l is Capabilities => l !== undefined)
      .pop() ?? caps;
  if (answer.done.status !== 'OK') {
    // Responses already here answer commands not yet sent: a man in the middle pipelined them behind the refusal.
    const unasked = flaws.has('imap-keep-replies-after-refusal') ? 0 : s.wire.takeRest().length;
    if (unasked) ctx.log(`dropped ${unasked} bytes that came unasked behind the refusal of STARTTLS`);
    return withoutTls(job, ctx, { ...session, caps: learned }, `the server refused STARTTLS (${answer.done.rest})`);
  }
  const early = s.wire.detach();
  const keep = flaws.has('imap-keep-pre-tls-buffer');
  if (early.length && !keep) ctx.log(`dropped ${early.length} bytes the server sent before the TLS handshake`);
  const raw = s.wire.stream as Socket;
  const handshake = secure(job, ctx, raw);
  // curl 7.78's SMTP bug: the client believes it upgraded and writes its next command in plaintext.
  if (flaws.has('imap-plaintext-after-hello')) afterHello(raw, () => raw.write(`A${s.next} CAPABILITY\r\n`));
  s.wire = new ImapWire(await handshake, ctx.signal, keep ? early : undefined);
  const fresh = flaws.has('imap-keep-capabilities') ? learned : ((await automatic(s)) ?? (await capability(s)));
  // RFC 9051 §6.2.1 has STARTTLS only in the not authenticated state of a cleartext session; never a second time.
  if (flaws.has('imap-restart-starttls') && fresh.has('STARTTLS'))
    await completion(s, (s.wire.write(`A${s.next} STARTTLS\r\n`), `A${s.next++}`)).catch(() => undefined);
  return { ...session, caps: fresh };
}

/**
 * Capabilities the server sent inside TLS before being asked (RFC 9051 §7.2.2:
 * "It is unnecessary for a client to send a separate CAPABILITY command if it
 * recognizes these automatic capabilities"): only what is already here, read
 * without waiting.
 */
async function automatic(s: Session): Promise<Capabilities | undefined> {
  if (!s.wire.lineWaiting) return undefined;
  const r = parse(await s.wire.response());
  noteAlert(s, r);
  return r.tag === '*' ? capabilitiesOf(r) : undefined;
}
