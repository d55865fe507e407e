/** The line-protocol shell with a toy machine, on real sockets: upgrade, implicit TLS, limits, stalls. */
import { createServer, connect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { TrackedConnection } from './connection.js';
import { EventLog, type Layer } from './events.js';
import { listenOn } from './listen.js';
import { serveLineSession, type LineMachine, type MachineOutput } from './line-session.js';

const certs = openCertStore();
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** Output of the toy: `work` asks the shell's follow-up for a later answer, as FTP's data commands do. */
type ToyOutput = MachineOutput & { work?: string };

/** A toy protocol: "UP" upgrades, "STALL" goes silent, "QUIT" closes, "WORK" starts slow work, "BOOM" throws, anything else is echoed. */
function toyMachine(implicit: boolean): LineMachine<ToyOutput> {
  let layer: Layer = implicit ? 'tls' : 'plaintext';
  const reply = (text: string): MachineOutput => ({
    write: `${text}\r\n`,
    record: [{ type: 'reply', fields: { layer, code: text.slice(0, 3), text } }],
  });
  return {
    start: () => reply('220 toy ready'),
    line(line) {
      const cmd: MachineOutput = {
        record: [{ type: 'command', fields: { layer, verb: line.split(' ')[0]!, args: '', raw: line } }],
      };
      if (line === 'UP') return { ...cmd, write: '220 go\r\n', upgrade: { inject: '250 injected\r\n' } };
      if (line === 'STALL') return { ...cmd, stall: true };
      if (line === 'QUIT') return { ...cmd, write: '221 bye\r\n', close: true };
      if (line === 'WORK') return { ...cmd, write: '150 working\r\n', work: 'done' };
      if (line === 'BOOM') throw new Error('the machine broke');
      const r = reply(`250 ${line}`);
      return { write: r.write!, record: [...cmd.record!, ...r.record!] };
    },
    upgraded() {
      layer = 'tls';
      return {};
    },
    lineTooLong: () => reply('500 line too long'),
  };
}

async function start(log: EventLog, implicit: boolean): Promise<number> {
  const cert = await certs.get('valid');
  const context = createSecureContext({ key: cert.keyPem, cert: cert.certChainPem });
  const server = createServer((socket: Socket) => {
    const connection = new TrackedConnection(log, 'toy', socket);
    void serveLineSession<ToyOutput>(socket, {
      log,
      server: 'toy',
      connection,
      context,
      keylog: [],
      implicitTls: implicit,
      maxLine: 64,
      machine: toyMachine(implicit),
      // Slow work whose answer must still come before the next command's.
      followUp: (out) =>
        out.work ? new Promise((r) => setTimeout(() => r({ write: `226 ${out.work}\r\n` }), 100)) : undefined,
    });
  });
  servers.push(server);
  return listenOn(server);
}

/** Reads until `pattern` appears in what arrived, then resolves with all of it. */
function until(socket: Socket | TLSSocket, pattern: RegExp): Promise<string> {
  let seen = '';
  return new Promise((resolve) => {
    const onData = (d: Buffer): void => {
      seen += d.toString('latin1');
      if (pattern.test(seen)) {
        socket.off('data', onData);
        resolve(seen);
      }
    };
    socket.on('data', onData);
  });
}

describe('line session shell', () => {
  it('upgrades in place, sending injected bytes with the go-ahead, and the machine continues in TLS', async () => {
    const log = new EventLog();
    const port = await start(log, false);
    const raw = connect(port, '127.0.0.1');
    await until(raw, /220 toy ready\r\n/);
    raw.write('HELLO\r\nUP\r\n');
    expect(await until(raw, /220 go\r\n250 injected\r\n/)).toBe('250 HELLO\r\n220 go\r\n250 injected\r\n');
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    await new Promise((r) => tls.once('secureConnect', r));
    tls.write('AFTER\r\n');
    await until(tls, /250 AFTER/);
    tls.destroy();
    const commands = log.ofType('command').map((e) => `${e.layer}:${e.verb}`);
    expect(commands).toEqual(['plaintext:HELLO', 'plaintext:UP', 'tls:AFTER']);
  });

  it('performs the implicit handshake before the greeting', async () => {
    const log = new EventLog();
    const port = await start(log, true);
    const tls = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    expect(await until(tls, /220 toy ready/)).toBe('220 toy ready\r\n');
    tls.destroy();
    expect(log.events.map((e) => e.type).slice(0, 4)).toEqual(['connect', 'client-hello', 'tls-established', 'reply']);
  });

  it('answers an over-long line and closes, and goes silent on a stall', async () => {
    const log = new EventLog();
    const port = await start(log, false);
    const long = connect(port, '127.0.0.1');
    await until(long, /ready/);
    long.write(`${'x'.repeat(200)}\r\n`);
    expect(await until(long, /500/)).toBe('500 line too long\r\n');
    const quiet = connect(port, '127.0.0.1');
    await until(quiet, /ready/);
    quiet.write('STALL\r\nECHO\r\n');
    const silence = await Promise.race([
      until(quiet, /ECHO/).then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('silent'), 200)),
    ]);
    expect(silence).toBe('silent');
    quiet.destroy();
    long.destroy();
  });

  it('holds the next line back until follow-up work has answered', async () => {
    const log = new EventLog();
    const port = await start(log, false);
    const client = connect(port, '127.0.0.1');
    await until(client, /ready/);
    client.write('WORK\r\nNEXT\r\n');
    expect(await until(client, /250 NEXT\r\n/)).toBe('150 working\r\n226 done\r\n250 NEXT\r\n');
    client.destroy();
  });

  it('records a machine that throws, cuts that connection and goes on serving others', async () => {
    const log = new EventLog();
    const port = await start(log, false);
    const broken = connect(port, '127.0.0.1');
    await until(broken, /ready/);
    broken.write('BOOM\r\n');
    await new Promise((r) => broken.once('close', r));
    expect(log.ofType('server-error').map((e) => e.message)).toEqual(['the machine broke']);
    const next = connect(port, '127.0.0.1');
    await until(next, /ready/);
    next.write('PING\r\n');
    expect(await until(next, /250 PING/)).toBe('250 PING\r\n');
    next.destroy();
  });
});
