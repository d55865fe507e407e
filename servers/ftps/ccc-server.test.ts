/**
 * The FTPS server's CCC on real sockets (RFC 4217 §5, §12.3): 200 inside TLS,
 * close_notify both ways (or plaintext without the client's), the control
 * connection in plaintext on the same TCP connection, the data connection
 * still under TLS. Also: a ClientHello sent on the strength of a "234"
 * injected behind a refusal is recorded, and the connection closed.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EofGuard } from '../../clients/reference/eof-guard.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { FtpsOptionsSchema } from './options.js';
import { startFtpsServer } from './server.js';

const certs = openCertStore();
let server: RunningServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.stop();
  server = undefined;
});

async function start(options: unknown): Promise<{ log: EventLog; port: number; ca: string }> {
  const log = new EventLog();
  server = await startFtpsServer(FtpsOptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, port: server.endpoint.port, ca: (await certs.get('valid')).caPem };
}

/** Reads replies (multi-line aware) from whatever stream carries the control connection now. */
class Control {
  private seen = '';
  private stream: Duplex;
  private readonly onData = (d: Buffer): void => void (this.seen += d.toString('latin1'));
  constructor(stream: Duplex) {
    this.stream = stream;
    stream.on('data', this.onData);
  }
  swap(stream: Duplex, initial = ''): void {
    this.stream.off('data', this.onData);
    this.stream = stream;
    this.seen = initial;
    stream.on('data', this.onData);
    stream.resume();
  }
  async reply(): Promise<string> {
    for (let i = 0; i < 300; i++) {
      const m = /^(\d{3}) [^\n]*\r?\n/m.exec(this.seen);
      if (m) {
        const out = this.seen.slice(m.index, m.index + m[0].length);
        this.seen = this.seen.slice(m.index + m[0].length);
        return out;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no reply; got ${JSON.stringify(this.seen)}`);
  }
  async send(line: string): Promise<string> {
    this.stream.write(`${line}\r\n`);
    return this.reply();
  }
}

/** AUTH TLS, login, PBSZ 0 / PROT P inside TLS. */
async function protectedSession(
  port: number,
  ca: string,
): Promise<{ raw: Socket; guard: EofGuard; tls: TLSSocket; c: Control; session: () => Buffer | undefined }> {
  const raw = connect(port, '127.0.0.1');
  sockets.push(raw);
  const c = new Control(raw);
  expect(await c.reply()).toMatch(/^220 /);
  expect(await c.send('AUTH TLS')).toMatch(/^234 /);
  const guard = new EofGuard(raw);
  const tls = tlsConnect({ socket: guard as unknown as Socket, servername: 'localhost', ca });
  let session: Buffer | undefined;
  tls.on('session', (s: Buffer) => (session = s));
  await new Promise((r) => tls.once('secureConnect', r));
  c.swap(tls);
  expect(await c.send('USER conform')).toMatch(/^331 /);
  expect(await c.send('PASS conform-ftp-secret')).toMatch(/^230 /);
  expect(await c.send('PBSZ 0')).toMatch(/^200 /);
  expect(await c.send('PROT P')).toMatch(/^200 /);
  return { raw, guard, tls, c, session: () => session ?? tls.getSession() };
}

function readAll(socket: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('FTPS server: CCC', () => {
  it.each(['TLSv1.2', 'TLSv1.3'])(
    'clears the control connection with close_notify both ways, and the data connection stays under TLS (%s)',
    async (version) => {
      const { log, port, ca } = await start({ transfer: { ccc: true }, maxVersion: version });
      const { raw, guard, tls, c, session } = await protectedSession(port, ca);
      const resume = session();
      guard.hold();
      expect(await c.send('CCC')).toMatch(/^200 /);
      const { closeNotify, rest } = await guard.release(tls, new AbortController().signal);
      expect(closeNotify).toBe(true);
      c.swap(raw, rest.toString('latin1'));
      expect(await c.send('TYPE I')).toMatch(/^200 /);
      // RFC 4217 §5: no more PBSZ or PROT once cleared.
      expect(await c.send('PROT C')).toMatch(/^534 /);
      const epsv = await c.send('EPSV');
      const dataPort = Number(/\(\|\|\|(\d+)\|\)/.exec(epsv)![1]);
      const dataRaw = connect(dataPort, '127.0.0.1');
      sockets.push(dataRaw);
      expect(await c.send('RETR /pub/binary.bin')).toMatch(/^150 /);
      const data = tlsConnect({ socket: dataRaw, servername: 'localhost', ca, ...(resume ? { session: resume } : {}) });
      const body = await readAll(data);
      expect(await c.reply()).toMatch(/^226 /);
      expect(body.length).toBe(1024);
      expect(await c.send('QUIT')).toMatch(/^221 /);

      expect(log.ofType('tls-cleared')).toEqual([expect.objectContaining({ server: 'ftps', closeNotify: true })]);
      const commands = log.ofType('command').filter((e) => e.server === 'ftps');
      expect(commands.filter((e) => e.layer === 'plaintext').map((e) => e.verb)).toEqual([
        'AUTH',
        'TYPE',
        'PROT',
        'EPSV',
        'RETR',
        'QUIT',
      ]);
      expect(log.ofType('tls-established').map((e) => e.version)).toEqual([version, version]);
      expect(log.ofType('tls-established').filter((e) => e.server === 'ftps-data')).toHaveLength(1);
      expect(log.ofType('payload-sent')[0]).toMatchObject({ layer: 'tls', bytes: 1024 });
      // Neither the TLS layer's end nor the plaintext after it is taken for the connection's end or a leak.
      expect(log.ofType('plaintext-after-hello')).toEqual([]);
      expect(log.ofType('close').filter((e) => e.server === 'ftps')).toEqual([
        expect.objectContaining({ by: 'server' }),
      ]);
    },
  );

  it("hears a command sent right behind the client's close_notify, and still sends its own close_notify", async () => {
    // The server may read the client's close_notify before its own is out (ftplib's unwrap() waits
    // for it): the TLS layer must not then let the plaintext behind it flow past the session.
    for (let round = 0; round < 8; round++) {
      const { log, port, ca } = await start({ transfer: { ccc: true } });
      const { raw, guard, tls, c } = await protectedSession(port, ca);
      guard.hold();
      expect(await c.send('CCC')).toMatch(/^200 /);
      const released = guard.release(tls, new AbortController().signal);
      raw.write('NOOP\r\n');
      const { closeNotify, rest } = await released;
      expect(closeNotify, `round ${round}: the server's close_notify`).toBe(true);
      c.swap(raw, rest.toString('latin1'));
      expect(await c.reply()).toMatch(/^200 /);
      expect(log.ofType('command').at(-1)).toMatchObject({ verb: 'NOOP', layer: 'plaintext' });
      await server?.stop();
      server = undefined;
    }
  });

  it("goes on when the client speaks plaintext without answering close_notify (curl's passive CCC mode)", async () => {
    const { log, port, ca } = await start({ transfer: { ccc: true } });
    const { raw, guard, tls, c } = await protectedSession(port, ca);
    guard.hold();
    // The CCC command's record goes out; whatever TLS writes after it (its close_notify) never reaches the wire.
    const wire = guard as unknown as { _write: Duplex['_write'] };
    const write = wire._write.bind(guard);
    let records = 0;
    wire._write = (chunk, enc, done) => (records++ === 0 ? write(chunk, enc, done) : done());
    expect(await c.send('CCC')).toMatch(/^200 /);
    expect(records).toBeGreaterThanOrEqual(1);
    await new Promise((r) => (tls.readableEnded ? r(undefined) : tls.once('end', r)));
    const { rest } = await guard.release(tls, new AbortController().signal);
    c.swap(raw, rest.toString('latin1'));
    expect(await c.send('NOOP')).toMatch(/^200 /);
    expect(log.ofType('tls-cleared')).toEqual([expect.objectContaining({ closeNotify: false })]);
    expect(log.ofType('command').at(-1)).toMatchObject({ verb: 'NOOP', layer: 'plaintext' });
  });
});

describe('FTPS server: a ClientHello nobody invited', () => {
  it('records the hello a client sends on a "234" injected behind a refusal, and closes', async () => {
    const { log, port, ca } = await start({
      faults: [{ kind: 'auth-refused', code: '504', inject: '234 AUTH TLS OK.\r\n' }],
    });
    const raw = connect(port, '127.0.0.1');
    sockets.push(raw);
    const c = new Control(raw);
    await c.reply();
    expect(await c.send('AUTH TLS')).toMatch(/^504 /);
    expect(await c.reply()).toMatch(/^234 /);
    c.swap(new Duplex({ read: () => undefined, write: (_c, _e, done) => done() }));
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca });
    await new Promise((r) => {
      tls.once('error', r);
      tls.once('close', r);
    });
    expect(log.ofType('client-hello')).toHaveLength(1);
    expect(log.ofType('tls-established')).toEqual([]);
    expect(log.ofType('close').at(-1)).toMatchObject({ by: 'server' });
  });
});
