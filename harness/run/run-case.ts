import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../../servers/shared/events.js';
import type { RunningServer } from '../../servers/shared/server-types.js';
import type { CertStore } from '../../certs/index.js';
import type { ClientAdapter } from '../clients/adapter.js';
import { jobEnv, type Job } from '../../contract/job.js';
import { judge } from '../judge/judge.js';
import { PROTOCOLS } from '../protocols.js';
import type { Case } from '../suite/case.js';
import type { CaseResult } from './result.js';
import { settle } from './settle.js';
import { writeCaseArtifacts } from './artifacts.js';
import { Capture } from '../../servers/shared/capture.js';
import { CaseCertificates } from './case-certs.js';

export interface RunOptions {
  certs: CertStore;
  bindHost: string;
  /** Extra time past CONFORM_TIMEOUT_MS before a client is killed as hung. */
  graceMs: number;
  /** Command prefix for repro lines. */
  reproPrefix: string;
  /** Where cases keep their transcript, events, TLS key log and packet capture; none when unset. */
  artifactsDir?: string;
  /** Which cases keep them. Default `failed`. */
  keepArtifacts?: 'failed' | 'all';
  /** Multiplies every case's CONFORM_TIMEOUT_MS. Default 1. */
  timeoutScale?: number;
}

/** Starts the case's server, runs the client with the job, and judges the evidence. */
export async function runCase(c: Case, client: ClientAdapter, opts: RunOptions): Promise<CaseResult> {
  const keylog: string[] = [];
  const capture = opts.artifactsDir ? new Capture() : undefined;
  const result = await runCaseInner(c, client, opts, keylog, capture);
  const failed = result.status === 'fail' || result.status === 'error';
  if (opts.artifactsDir && (failed || opts.keepArtifacts === 'all')) {
    const folder = await writeCaseArtifacts(opts.artifactsDir, result, keylog, capture).catch(() => undefined);
    if (folder) return { ...result, artifacts: folder };
  }
  return result;
}

async function runCaseInner(
  c: Case,
  client: ClientAdapter,
  opts: RunOptions,
  keylog: string[],
  capture: Capture | undefined,
): Promise<CaseResult> {
  const started = performance.now();
  const base = {
    id: c.id,
    title: c.title,
    protocol: c.protocol,
    level: c.level,
    refs: c.refs,
    client: client.label,
    repro: `${opts.reproPrefix} --grep '^${c.id.replace(/\./g, '\\.')}$' ${client.cliFlags.map(shellQuote).join(' ')}`,
  };
  const log = new EventLog();
  if (capture) log.capture = capture;
  const elapsed = (): number => Math.round(performance.now() - started);
  if (!client.protocols.includes(c.protocol)) {
    return {
      ...base,
      status: 'skip',
      reason: `${client.label} does not speak ${c.protocol}`,
      checks: [],
      faults: [],
      events: [],
      durationMs: 0,
    };
  }
  // Not by sync calls, though they cost the harness's thread less CPU: on a disk file system each of them waits
  // on the journal (1.9 ms a case under load, every server held still meanwhile); the thread pool waits instead.
  const workdir = await mkdtemp(join(tmpdir(), `conform-${c.id}-`));
  let server: RunningServer | undefined;
  const certs = new CaseCertificates(opts.certs, log, opts.bindHost);
  try {
    try {
      server = await PROTOCOLS[c.protocol].start(c.server, {
        log,
        bindHost: opts.bindHost,
        keylog,
        cert: (p) => certs.get(p),
      });
    } catch (err) {
      return {
        ...base,
        status: 'error',
        errorCode: 'SERVER_START',
        reason: `the ${c.protocol} server could not start: ${(err as Error).message}`,
        checks: [],
        faults: [],
        events: log.events,
        durationMs: elapsed(),
      };
    }
    const job = await buildJob(c, server, workdir, opts, await certs.crlPem());
    const outcome = await client.run(
      job,
      { ...(process.env as Record<string, string>), ...jobEnv(job) },
      job.timeoutMs + opts.graceMs,
    );
    // 250 ms: a closed connection's last bytes and FIN reach the server's event loop well within it, even loaded;
    // 50 ms of quiet for an in-process client, which sends nothing once returned (settle.ts).
    await settle(log, 250, client.inProcess ? 50 : undefined);
    await server.stop();
    await certs.stop();
    const crash = log.events.find((e) => e.type === 'server-error');
    if (crash && crash.type === 'server-error') {
      return {
        ...base,
        status: 'error',
        errorCode: 'SERVER_CRASH',
        reason: `the server failed (${crash.code}): ${crash.message}`,
        checks: [],
        faults: server.faults,
        outcome,
        events: log.events,
        durationMs: elapsed(),
      };
    }
    const output = await readFile(job.outputFile).catch(() => null);
    const verdict = judge(c, {
      events: log.events,
      job,
      outcome,
      output,
      ...(server.expectedOutput ? { expectedOutput: server.expectedOutput } : {}),
      ...(server.input ? { input: server.input, received: server.received?.() ?? null } : {}),
    });
    return { ...base, ...verdict, faults: server.faults, outcome, events: log.events, durationMs: elapsed() };
  } catch (err) {
    return {
      ...base,
      status: 'error',
      errorCode: 'INTERNAL',
      reason: `harness fault: ${(err as Error).message}`,
      checks: [],
      faults: [],
      events: log.events,
      durationMs: elapsed(),
    };
  } finally {
    await server?.stop().catch(() => undefined);
    await certs.stop();
    await rm(workdir, { recursive: true, force: true });
  }
}

/** The job for a case whose server is running: docs/contract.md's variables, and their JSON copy on disk. */
export async function buildJob(
  c: Case,
  server: RunningServer,
  workdir: string,
  opts: Pick<RunOptions, 'certs' | 'bindHost' | 'timeoutScale'>,
  crlPem?: string,
): Promise<Job> {
  const { endpoint } = server;
  const host = c.job.host ?? endpoint.host;
  const url = c.job.host
    ? endpoint.url.replace(
        `//${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:`,
        `//${host.includes(':') ? `[${host}]` : host}:`,
      )
    : endpoint.url;
  const client = c.job.clientCert ? await opts.certs.get('client') : undefined;
  const job: Job = {
    case: c.id,
    protocol: c.protocol,
    action: c.job.action ?? server.job?.action ?? PROTOCOLS[c.protocol].actions[0],
    url,
    host,
    port: endpoint.port,
    addr: opts.bindHost,
    tls: endpoint.tls,
    requireTls: c.job.requireTls ?? PROTOCOLS[c.protocol].requiresTls?.({ url }) ?? true,
    caFile: endpoint.caFile,
    user: c.job.user || server.credentials?.user || '',
    pass: c.job.pass || server.credentials?.pass || '',
    clientCert: client?.certChainFile ?? '',
    clientKey: client?.keyFile ?? '',
    ftpMode: c.job.ftpMode ?? server.job?.ftpMode ?? '',
    ftpType: c.job.ftpType ?? server.job?.ftpType ?? '',
    ftpProt: c.job.ftpProt ?? server.job?.ftpProt ?? '',
    ftpCcc: server.job?.ftpCcc ?? false,
    mailFrom: c.job.mailFrom ?? server.job?.mailFrom ?? '',
    mailTo: (c.job.mailTo ?? server.job?.mailTo ?? []).join(','),
    inputFile: server.input ? join(workdir, 'input') : '',
    outputFile: join(workdir, 'output'),
    proxyUrl: server.job?.proxyUrl ?? '',
    checkRevocation: c.job.checkRevocation ?? '',
    crlFile: crlPem ? join(workdir, 'crl.pem') : '',
    timeoutMs: Math.round(c.job.timeoutMs * (opts.timeoutScale ?? 1)),
    workdir,
    jobFile: join(workdir, 'job.json'),
  };
  if (server.input) await writeFile(job.inputFile, server.input);
  if (crlPem) await writeFile(job.crlFile, crlPem);
  await writeFile(job.jobFile, `${JSON.stringify(jobEnv(job), null, 2)}\n`);
  return job;
}

function shellQuote(arg: string): string {
  return /^[\w./:=@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
