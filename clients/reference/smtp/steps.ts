/**
 * The steps of an SMTP submission, each checking its reply codes strictly
 * (RFC 5321 §4.2, §4.3.2), each rule relaxable by one flaw.
 */
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import type { Reply, SmtpWire } from './wire.js';
import { Refused } from '../tls.js';

/** EHLO keywords and their parameters, upper-cased (RFC 5321 §4.1.1.1). */
export type Capabilities = Map<string, string[]>;

export const CLIENT_NAME = 'client.conform.test';

function expect(reply: Reply, codes: number[], what: string): void {
  if (!codes.includes(reply.code))
    throw new Refused(`${what}: the server answered ${reply.code} ${reply.lines.join(' / ')}`);
}

/**
 * EHLO, or HELO when EHLO is refused as unknown (RFC 5321 §4.1.4): no extensions then.
 * `anyReply` (the accept-any-hello-reply flaw): any other reply to EHLO or HELO is taken
 * as a greeting without extensions, as clients that read no code do (EAST's EHLO/HELO probes).
 */
export async function hello(wire: SmtpWire, anyReply = false): Promise<Capabilities> {
  const reply = await wire.command(`EHLO ${CLIENT_NAME}`);
  if (reply.code === 250) {
    // Every line is read for keywords, the first (the server's name) too, and a keyword's
    // parameters are gathered from every line naming it, as curl and most clients do.
    const caps: Capabilities = new Map();
    for (const line of reply.lines) {
      const [keyword = '', ...params] = line.trim().split(/\s+/);
      caps.set(keyword.toUpperCase(), [
        ...(caps.get(keyword.toUpperCase()) ?? []),
        ...params.map((p) => p.toUpperCase()),
      ]);
    }
    return caps;
  }
  if (reply.code !== 500 && reply.code !== 502) {
    if (anyReply) return new Map();
    expect(reply, [250], 'EHLO');
  }
  const helo = await wire.command(`HELO ${CLIENT_NAME}`);
  if (!anyReply) expect(helo, [250], 'HELO');
  return new Map();
}

/** RFC 4954 AUTH with PLAIN (preferred, one round trip) or LOGIN, as the server offers them. */
export async function authenticate(job: Job, ctx: RunContext, wire: SmtpWire, caps: Capabilities): Promise<void> {
  const offered = caps.get('AUTH') ?? [];
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  let reply: Reply;
  if (offered.includes('PLAIN')) {
    reply = await wire.command(`AUTH PLAIN ${b64(`\0${job.user}\0${job.pass}`)}`);
  } else if (offered.includes('LOGIN')) {
    expect(await wire.command('AUTH LOGIN'), [334], 'AUTH LOGIN');
    expect(await wire.command(b64(job.user)), [334], 'AUTH LOGIN user name');
    reply = await wire.command(b64(job.pass));
  } else {
    throw new Refused(
      `the server offers no usable AUTH mechanism (${caps.has('AUTH') ? offered.join(' ') : 'no AUTH at all'})`,
    );
  }
  if (reply.code === 235) return;
  if (!ctx.flaws.has('ignore-auth-failure')) expect(reply, [235], 'AUTH');
  ctx.log(`AUTH refused (${reply.code}); going on anyway`);
}

/** RFC 5321 §4.5.2: a line that starts with "." gets one more; the message ends with CRLF "." CRLF. */
export function messageData(message: Buffer, ctx: RunContext): Buffer {
  let text = message.toString('latin1');
  if (ctx.flaws.has('corrupt-output') && text.length) {
    const i = text.length >> 1;
    text = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 0x01) + text.slice(i + 1);
  }
  if (!ctx.flaws.has('no-dot-stuffing')) text = text.replace(/(^|\n)\./g, '$1..');
  if (text.length && !text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(`${text}.\r\n`, 'latin1');
}

/** MAIL FROM, RCPT TO for each recipient, DATA and the message; every reply checked. */
export async function transaction(job: Job, ctx: RunContext, wire: SmtpWire, message: Buffer): Promise<void> {
  const recipients = job.mailTo
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (!recipients.length) throw new Refused('CONFORM_MAIL_TO names no recipient');
  const commands = [`MAIL FROM:<${job.mailFrom}>`, ...recipients.map((r) => `RCPT TO:<${r}>`), 'DATA'];
  // RFC 2920 §3.1: commands may be sent in a group only when PIPELINING is advertised (the flaw does it regardless).
  const grouped = ctx.flaws.has('pipeline-without-capability');
  if (grouped) wire.send(commands.map((c) => `${c}\r\n`).join(''));
  const answer = (c: string): Promise<Reply> => (grouped ? wire.read() : wire.command(c));
  expect(await answer(commands[0]!), [250], 'MAIL FROM');
  for (const [i, rcpt] of recipients.entries()) {
    const reply = await answer(commands[i + 1]!);
    if (reply.code === 250 || reply.code === 251) continue;
    if (!ctx.flaws.has('ignore-rcpt-failure')) expect(reply, [250, 251], `RCPT TO:<${rcpt}>`);
    ctx.log(`recipient <${rcpt}> refused (${reply.code}); going on anyway`);
  }
  expect(await answer('DATA'), [354], 'DATA');
  wire.send(messageData(message, ctx));
  const final = await wire.read();
  if (final.code === 250) return;
  // RFC 5321 §4.2.5, §6.1: only a 250 here means the server took responsibility for the message.
  if (!ctx.flaws.has('ignore-data-failure')) expect(final, [250], 'the message');
  ctx.log(`message refused (${final.code}); reporting success anyway`);
}
