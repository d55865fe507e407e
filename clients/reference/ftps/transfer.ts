/**
 * CONFORM_PROTOCOL=ftps: download (RETR), upload (STOR) or list (LIST) the
 * URL's path over FTP with AUTH TLS (RFC 4217) or implicit TLS. Strict; each
 * rule relaxable by one flaw.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Job } from '../../../contract/job.js';
import type { RunContext } from '../context.js';
import { connectTcp } from '../tcp.js';
import { FtpControl, ServerRefused, type FtpReply } from './control.js';
import { connectTo, listenActive, protect, readAll } from './data.js';
import { epsvPort, pasvAddress } from './passive.js';
import { guards, Refused, secureConnection } from '../tls.js';

interface Session {
  control: FtpControl;
  raw: Socket;
  tls?: TLSSocket;
  /** The newest TLS session of the control connection (TLS 1.3 tickets come after the handshake). */
  session?: Buffer;
  prot: 'P' | 'C';
  /** CCC done: the control connection goes on in plaintext (RFC 4217 §5), data connections keep their PROT. */
  cleared?: boolean;
}

export async function transferFile(job: Job, ctx: RunContext): Promise<number> {
  if (!['download', 'upload', 'list'].includes(job.action)) return 89;
  let s: Session | undefined;
  try {
    if (job.tls === 'none' && job.requireTls) throw new Refused('the job requires TLS but offers none');
    s = await negotiate(job, ctx);
    await login(job, ctx, s);
    await transfer(job, ctx, s);
    await s.control.send('QUIT').catch(() => undefined);
    return 0;
  } catch (err) {
    ctx.log(`failed: ${(err as Error).message}`);
    return 1;
  } finally {
    // After CCC the TLS layer no longer owns the socket: both go.
    s?.tls?.destroy();
    s?.raw.destroy();
  }
}

/** Greeting, then AUTH TLS (RFC 4217 §4) on an explicit server; TLS from the first byte on an implicit one. */
async function negotiate(job: Job, ctx: RunContext): Promise<Session> {
  const raw = await connectTcp(job, ctx.signal);
  if (job.tls === 'implicit') {
    const tls = await secureConnection(job, ctx.flaws, ctx.signal, raw);
    const s: Session = { control: FtpControl.over(tls, ctx.signal), raw, tls, prot: 'C' };
    watchSession(s);
    await expectGreeting(s);
    return s;
  }
  const s: Session = { control: FtpControl.over(raw, ctx.signal), raw, prot: 'C' };
  const greeting = await expectGreeting(s);
  if (job.tls === 'none') return s;
  if (greeting === 230 && ctx.flaws.has('ftps-trust-greeting-230')) return s;
  if (ctx.flaws.has('ftps-user-before-auth')) await plainLogin(job, s);
  if (ctx.flaws.has('ftps-pipeline-auth')) s.control.wire.write('AUTH TLS\r\nUSER x\r\n');
  else s.control.wire.write('AUTH TLS\r\n');
  const auth = await s.control.reply();
  if (auth.code !== 234) return refused(job, ctx, s, auth);
  return upgrade(job, ctx, s);
}

/**
 * AUTH TLS refused. Replies that came unasked behind the refusal are a man in
 * the middle's (CVE-2021-22947; curl tests 980-983): the client stops rather
 * than read them as answers to its next commands. Then TLS required means
 * giving up; otherwise the session goes on in clear.
 */
async function refused(job: Job, ctx: RunContext, s: Session, auth: FtpReply): Promise<Session> {
  let answer = auth;
  if (ctx.flaws.has('ftps-keep-pipelined-replies')) {
    // As curl before 7.79.0: the old mechanism name next, its answer read from whatever is buffered.
    if (auth.code === 504) {
      answer = await s.control.send('AUTH SSL');
      if (answer.code === 234) return upgrade(job, ctx, s);
    }
  } else {
    const unasked = s.control.wire.takeRest();
    if (unasked.length)
      throw new Refused(`${unasked.length} bytes came behind the AUTH refusal, unasked: not read as replies`);
  }
  if (ctx.flaws.has('ftps-ignore-auth-refusal') || !job.requireTls) return s;
  throw new ServerRefused('AUTH TLS', answer);
}

/** After 234: the handshake, and a fresh reader inside TLS. */
async function upgrade(job: Job, ctx: RunContext, s: Session): Promise<Session> {
  const { raw } = s;
  // RFC 4217 §4 / CVE-2021-22947: whatever arrived before the handshake is not a reply.
  const early = s.control.wire.detach();
  if (early.length)
    ctx.log(
      `${early.length} bytes arrived before the handshake: ${ctx.flaws.has('ftps-keep-pre-tls-buffer') ? 'kept' : 'discarded'}`,
    );
  const tls = await secureConnection(job, ctx.flaws, ctx.signal, raw);
  s.tls = tls;
  s.control = FtpControl.over(tls, ctx.signal, ctx.flaws.has('ftps-keep-pre-tls-buffer') ? early : undefined);
  watchSession(s);
  if (ctx.flaws.has('ftps-pipeline-auth')) await s.control.reply().catch(() => undefined);
  return s;
}

function watchSession(s: Session): void {
  s.tls!.on('session', (session: Buffer) => (s.session = session));
}

async function expectGreeting(s: Session): Promise<number> {
  const r = await s.control.reply();
  if (r.code !== 220 && r.code !== 230) throw new ServerRefused('greeting', r);
  return r.code;
}

async function plainLogin(job: Job, s: Session): Promise<void> {
  // No credentials in the job: the anonymous login of RFC 1635 ("accepts any string as a password").
  const [name, password] = job.user ? [job.user, job.pass] : ['anonymous', 'anonymous@'];
  const user = await s.control.must(`USER ${name}`, 'USER', (c) => c === 230 || c === 331);
  if (user.code === 331) await s.control.must(`PASS ${password}`, 'PASS');
}

/** PBSZ 0 then PROT as asked (RFC 4217 §9). */
async function protectData(job: Job, ctx: RunContext, s: Session): Promise<void> {
  const want = job.ftpProt || 'P';
  if (want === 'P' && ctx.flaws.has('ftps-clear-data')) return;
  if (!ctx.flaws.has('ftps-skip-pbsz')) await s.control.must('PBSZ 0', 'PBSZ');
  const prot = await s.control.send(`PROT ${want}`);
  if (prot.code >= 200 && prot.code < 300) s.prot = want;
  else if (!(ctx.flaws.has('ftps-ignore-prot-refusal') || (!job.requireTls && want === 'P')))
    throw new ServerRefused('PROT', prot);
}

/**
 * CCC (RFC 4217 §5), as CONFORM_FTP_CCC asks: TLS shut down with close_notify
 * both ways, the control connection in plaintext from then on, the data
 * connections still at the PROT level set before (§9). A refusal keeps the
 * control connection protected (§15.3: a client should not assume CCC is allowed).
 */
async function clearControl(ctx: RunContext, s: Session): Promise<void> {
  const tls = s.tls!;
  const guard = guards.get(tls)!;
  // Data connections go on resuming the control session after it is closed.
  s.session ??= tls.getSession();
  guard.hold();
  const r = await s.control.send('CCC');
  if (r.code !== 200) {
    guard.unhold();
    ctx.log(`CCC refused (${r.code}): the control connection stays protected`);
    return;
  }
  s.control.wire.detach();
  const { closeNotify, rest } = await guard.release(tls, ctx.signal);
  ctx.log(
    `CCC: TLS shut down${closeNotify ? '' : ' (no close_notify from the server)'}; the control connection goes on in plaintext`,
  );
  s.control = FtpControl.over(s.raw, ctx.signal, rest);
  s.raw.resume();
  s.cleared = true;
}

/** USER/PASS inside TLS, then PBSZ 0 and PROT (RFC 4217 §9), CCC if asked, TYPE. */
async function login(job: Job, ctx: RunContext, s: Session): Promise<void> {
  const trusted230 = !s.tls && ctx.flaws.has('ftps-trust-greeting-230');
  const ccc = job.ftpCcc && s.tls !== undefined;
  if (ccc && ctx.flaws.has('ftps-ccc-before-login')) {
    await protectData(job, ctx, s);
    await clearControl(ctx, s);
  }
  if (!ctx.flaws.has('ftps-user-before-auth') && !trusted230) await plainLogin(job, s);
  if (s.tls && !s.cleared) await protectData(job, ctx, s);
  if (
    job.requireTls &&
    job.ftpProt === 'P' &&
    s.prot !== 'P' &&
    !ctx.flaws.has('ftps-ignore-prot-refusal') &&
    !ctx.flaws.has('ftps-clear-data') &&
    !ctx.flaws.has('ftps-ignore-auth-refusal') &&
    !trusted230
  ) {
    throw new Refused('the data channel cannot be protected');
  }
  if (ccc && !s.cleared) await clearControl(ctx, s);
  if (s.cleared && ctx.flaws.has('ftps-ccc-clear-data')) {
    // Whatever the answer (RFC 4217 §5 has the server refuse it), the data connections go in clear.
    await s.control.send('PROT C');
    s.prot = 'C';
  }
  const type = job.action === 'list' ? 'A' : job.ftpType || 'I';
  const t = await s.control.send(`TYPE ${type}`);
  if (t.code !== 200 && !(type === 'I' && ctx.flaws.has('ftps-ignore-type-refusal')))
    throw new ServerRefused('TYPE', t);
}

async function transfer(job: Job, ctx: RunContext, s: Session): Promise<void> {
  const path = decodeURIComponent(new URL(job.url).pathname) || '/';
  // Listings are TYPE A text (RFC 959 §4.1.3), converted like any ASCII transfer.
  const ascii = job.action === 'list' || job.ftpType === 'A';
  let expected: number | undefined;
  if (job.action === 'download' && !ascii) {
    const size = await s.control.send(`SIZE ${path}`);
    if (size.code === 213) expected = Number(size.text.split('\n')[0]!.trim());
  }
  const data = await openData(job, ctx, s);
  const verb = job.action === 'download' ? `RETR ${path}` : job.action === 'upload' ? `STOR ${path}` : `LIST ${path}`;
  const start = await s.control.send(verb);
  // RFC 959 §5.4: a transfer command's 2yz comes only after its 1yz; a 226 in its place ends nothing that started.
  const early = start.code === 226 && ctx.flaws.has('ftps-accept-missing-150');
  if (start.code !== 150 && start.code !== 125 && !early) {
    data.abandon();
    throw new ServerRefused(verb.split(' ')[0]!, start);
  }
  const stream = await data.ready();
  const sloppy = ctx.flaws.has('ftps-accept-truncated');
  let received: { data: Buffer; clean: boolean } | undefined;
  if (job.action === 'upload') {
    const input = await readFile(job.inputFile);
    const wire = ascii ? Buffer.from(input.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : input;
    await new Promise<void>((resolve) => stream.end(wire, () => resolve()));
    await new Promise<void>((resolve) => (stream.destroyed ? resolve() : stream.once('close', () => resolve())));
  } else {
    received = await readAll(stream, ctx.signal);
  }
  const done = early ? start : await s.control.reply();
  if (!sloppy) {
    if (done.code !== 226 && done.code !== 250) throw new ServerRefused('transfer', done);
    if (received && !received.clean)
      throw new Refused('the data connection ended without close_notify: the transfer may be truncated');
    if (received && expected !== undefined && received.data.length !== expected)
      throw new Refused(`received ${received.data.length} bytes, SIZE said ${expected}`);
  }
  if (received) {
    let out =
      ascii && !ctx.flaws.has('ftps-ascii-no-conversion')
        ? Buffer.from(received.data.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
        : received.data;
    if (ctx.flaws.has('corrupt-output') && out.length) {
      out = Buffer.from(out);
      out[out.length >> 1]! ^= 0x01;
    }
    await writeFile(job.outputFile, out);
  }
}

interface DataChannel {
  ready(): Promise<Socket>;
  abandon(): void;
}

/** EPSV/PASV or EPRT/PORT (RFC 2428 first, RFC 959 when refused), as CONFORM_FTP_MODE asks. */
async function openData(job: Job, ctx: RunContext, s: Session): Promise<DataChannel> {
  const secure = async (raw: Socket): Promise<Socket> =>
    s.prot === 'P' && s.tls ? protect(job, ctx.flaws, ctx.signal, raw, s.tls, s.session) : raw;
  const peer = s.raw.remoteAddress ?? job.addr;
  const extended = !ctx.flaws.has('ftps-pasv-only');
  if (job.ftpMode !== 'active' || ctx.flaws.has('ftps-wrong-mode')) {
    let port: number | undefined;
    let host = peer;
    // RFC 2428 §4: after EPSV ALL only EPSV may follow; the flaw announces it and breaks it.
    const brokenPromise = ctx.flaws.has('ftps-pasv-after-epsv-all');
    if (brokenPromise) await s.control.send('EPSV ALL');
    if (extended && !brokenPromise) port = epsvPort(await s.control.send('EPSV'));
    if (port === undefined) {
      const r = await s.control.must('PASV', 'PASV', (c) => c === 227);
      const given = pasvAddress(r);
      if (!given) throw new ServerRefused('PASV', r);
      port = given.port;
      // CVE-2020-8284: the reply's address is not trusted; the control peer is used.
      if (ctx.flaws.has('ftps-follow-pasv-address')) host = given.host;
    }
    const raw = connectTo(host, port, ctx.signal);
    raw.catch(() => undefined);
    return {
      ready: async () => secure(await raw),
      abandon: () =>
        void raw.then(
          (x) => x.destroy(),
          () => undefined,
        ),
    };
  }
  const local = s.raw.localAddress ?? '127.0.0.1';
  const listener = await listenActive(local);
  let ok = false;
  if (extended) ok = (await s.control.send(`EPRT |1|${local}|${listener.port}|`)).code === 200;
  if (!ok)
    await s.control.must(`PORT ${local.split('.').join(',')},${listener.port >> 8},${listener.port & 255}`, 'PORT');
  return { ready: async () => secure(await listener.accept(ctx.signal)), abandon: () => listener.server.close() };
}
