import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { openCertStore } from '../../certs/index.js';
import { PROTOCOL_NAMES, PROTOCOLS, type Protocol } from '../../harness/protocols.js';
import { EventLog } from '../../servers/shared/events.js';
import type { RunningServer } from '../../servers/shared/server-types.js';

const HOST = '127.0.0.1';

/** Opens a connection, lets `act` misbehave on it, and resolves when it is closed (or after `ms`). */
function abuse(port: number, act: (s: Socket) => void, ms = 1500): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST, () => act(socket));
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, ms);
    socket.on('data', () => undefined);
    socket.on('close', done);
    socket.on('error', done);
  });
}

/** A well-behaved first exchange still works: the server survived. */
function probe(server: RunningServer, protocol: Protocol): Promise<boolean> {
  const exchange = PROTOCOLS[protocol].firstExchange;
  return new Promise((resolve) => {
    const { port, tls } = server.endpoint;
    const socket: Socket =
      tls === 'implicit'
        ? tlsConnect({ host: HOST, port, rejectUnauthorized: false, servername: 'localhost' })
        : connect(port, HOST);
    const timer = setTimeout(() => finish(false), 3000);
    let seen = Buffer.alloc(0);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once(tls === 'implicit' ? 'secureConnect' : 'connect', () => {
      if (exchange.send) socket.write(exchange.send);
    });
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      if (seen.length >= exchange.expect.length)
        finish(seen.subarray(0, exchange.expect.length).equals(exchange.expect));
    });
    socket.once('error', () => finish(false));
  });
}

const partialHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);

/** The misbehaviours, each run many times against every protocol's server. */
const ABUSES: { name: string; times: number; act: (s: Socket) => void }[] = [
  { name: 'garbage then close', times: 200, act: (s) => s.end(randomBytes(1 + Math.floor(Math.random() * 4096))) },
  { name: 'half-open (FIN, nothing sent)', times: 100, act: (s) => s.end() },
  {
    name: 'reset in the middle of a handshake',
    times: 100,
    act: (s) => s.write(partialHello, () => s.resetAndDestroy()),
  },
  {
    name: 'a ClientHello of garbage',
    times: 100,
    act: (s) => s.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]), randomBytes(0x4000)])),
  },
  { name: 'endless line', times: 20, act: (s) => s.write(Buffer.alloc(1 << 20, 0x41)) },
];

/**
 * Every protocol's server, started with its default options, is abused over
 * real sockets: garbage, half-open connections, resets in the middle of a
 * handshake, garbage inside TLS, and 1,000 concurrent connections. No
 * exception may escape, no server-error may be recorded, and a well-behaved
 * client must still be served afterwards.
 */
export async function socketCampaign(): Promise<{ lines: string[]; failures: number }> {
  const lines: string[] = [];
  let failures = 0;
  const escaped: string[] = [];
  const onEscape = (err: unknown): void => void escaped.push(String(err));
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  const certs = openCertStore();
  for (const protocol of PROTOCOL_NAMES) {
    const def = PROTOCOLS[protocol];
    const log = new EventLog();
    const server = await def.start(def.optionsSchema.parse({}), {
      log,
      bindHost: HOST,
      keylog: [],
      cert: (p) => certs.get(p),
    });
    const started = performance.now();
    for (const abuseCase of ABUSES)
      await Promise.all(Array.from({ length: abuseCase.times }, () => abuse(server.endpoint.port, abuseCase.act)));
    await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<void>((resolve) => {
            const s = tlsConnect({ host: HOST, port: server.endpoint.port, rejectUnauthorized: false });
            const end = (): void => {
              s.destroy();
              resolve();
            };
            s.once('secureConnect', () => s.end(randomBytes(2048)));
            s.on('error', end);
            s.on('close', end);
            setTimeout(end, 1500);
          }),
      ),
    );
    // 1,000 at once, each sending a little and leaving.
    await Promise.all(Array.from({ length: 1000 }, () => abuse(server.endpoint.port, (s) => s.end('\x00\r\n'), 3000)));
    const healthy = await probe(server, protocol);
    const errors = log.events.filter((e) => e.type === 'server-error');
    await server.stop();
    const ok = healthy && errors.length === 0;
    if (!ok) failures++;
    lines.push(
      `${ok ? '✓' : '✗'} ${protocol}: ${log.ofType('connect').length} hostile connections in ${Math.round(performance.now() - started)} ms; server-errors ${errors.length}; still serving: ${healthy ? 'yes' : 'no'}`,
    );
  }
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  if (escaped.length) failures++;
  lines.push(
    `${escaped.length ? '✗' : '✓'} exceptions escaping the servers: ${escaped.length}${escaped.length ? ` (${escaped.slice(0, 3).join('; ')})` : ''}`,
  );
  return { lines, failures };
}
