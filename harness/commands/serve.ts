import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../../servers/shared/events.js';
import { jobEnv } from '../../contract/job.js';
import { PROTOCOLS } from '../protocols.js';
import { formatEvent } from '../report/transcript.js';
import { buildJob } from '../run/run-case.js';
import type { Case } from '../suite/case.js';

export interface ServeOptions {
  bindHost: string;
  /** Stop once the first connection has closed. */
  once: boolean;
  out?: NodeJS.WritableStream;
}

/**
 * Starts one case's server(s) with its faults and keeps them up, printing how
 * to connect and every event as it happens: reproduce a misbehaving server
 * against a client running in a debugger.
 */
export async function serveCase(c: Case, opts: ServeOptions): Promise<void> {
  const out = opts.out ?? process.stdout;
  const log = new EventLog();
  const certs = openCertStore();
  const server = await PROTOCOLS[c.protocol].start(c.server, {
    log,
    bindHost: opts.bindHost,
    keylog: [],
    cert: (p) => certs.get(p),
  });
  let workdir: string | undefined;
  // Listening for Ctrl-C before anything is printed: a signal with no listener kills at once, leaving the temporary files.
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = (): void => stop();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
  try {
    workdir = await mkdtemp(join(tmpdir(), `conform-serve-${c.id}-`));
    const job = await buildJob(c, server, workdir, { certs, bindHost: opts.bindHost });
    out.write(`${c.id} [${c.level}] ${c.title}\nreferences: ${c.refs.join(', ')}\n`);
    for (const fault of server.faults) out.write(`fault: ${fault}\n`);
    out.write(
      `\nlistening on ${opts.bindHost}:${server.endpoint.port} (${server.endpoint.url}); CA file ${server.endpoint.caFile}\n`,
    );
    out.write(`\n# paste into the shell of the client under test:\n`);
    for (const [name, value] of Object.entries(jobEnv(job))) out.write(`export ${name}=${shellQuote(value)}\n`);
    out.write(`\n# events (Ctrl-C to stop${opts.once ? '; stops after the first connection closes' : ''}):\n`);
    await new Promise<void>((resolve) => {
      const unsubscribe = log.subscribe((event) => {
        out.write(`${formatEvent(event)}\n`);
        if (opts.once && event.type === 'close') {
          // Events about the connection's end (a handshake failure) may trail its close.
          setTimeout(() => {
            unsubscribe();
            resolve();
          }, 100);
        }
      });
      for (const e of log.events) out.write(`${formatEvent(e)}\n`);
      void stopped.then(resolve);
    });
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
    await server.stop();
    // The job's files (job.json, the input, what the client wrote) lived for this session only.
    if (workdir) await rm(workdir, { recursive: true, force: true });
  }
}

function shellQuote(value: string): string {
  return /^[\w./:@,=-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
