import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Job } from '../../contract/job.js';
import { PROTOCOL_NAMES } from '../protocols.js';
import { UsageError } from '../errors.js';
import type { ClientAdapter } from './adapter.js';
import { CAPTURE_LIMIT } from './contain.js';
import type { ClientOutcome } from './outcome.js';
import { splitCommand } from './split-command.js';

/** Where container engines put their API socket when DOCKER_HOST does not say. */
function engineSockets(): string[] {
  const runtime = process.env.XDG_RUNTIME_DIR;
  return [
    '/var/run/docker.sock',
    join(homedir(), '.docker/run/docker.sock'),
    ...(runtime ? [join(runtime, 'docker.sock'), join(runtime, 'podman/podman.sock')] : []),
    '/run/podman/podman.sock',
  ];
}

/**
 * Fails in milliseconds, with what to do, where no container engine can be
 * reached, instead of letting a client library time out on a missing socket.
 */
export function containerPreflight(): void {
  if (process.env.DOCKER_HOST) return;
  const sockets = engineSockets();
  if (sockets.some((s) => existsSync(s))) return;
  throw new UsageError(
    'CLIENT_UNAVAILABLE',
    `--client-image needs a container engine, and none is reachable here: DOCKER_HOST is unset and no engine socket exists (${sockets.join(', ')}). ` +
      'Start Docker or Podman (or set DOCKER_HOST), or run the client directly with --client-cmd.',
  );
}

/**
 * testcontainers is an optional peer dependency (it is most of what an install
 * would weigh, for a feature few use): say how to add it when it is missing.
 */
export function containerPackagePreflight(resolve: (name: string) => string = (n) => import.meta.resolve(n)): void {
  try {
    resolve('testcontainers');
  } catch {
    throw new UsageError(
      'CLIENT_UNAVAILABLE',
      '--client-image needs the optional package testcontainers, which is not installed: npm install --save-dev testcontainers@12',
    );
  }
}

async function collect(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) if (text.length < CAPTURE_LIMIT) text += String(chunk);
  return text.slice(0, CAPTURE_LIMIT);
}

/**
 * `--client-image IMAGE [--client-cmd CMD]`: the client under test runs in a
 * container (testcontainers, imported only here), with the job in its
 * environment, the case's files mounted at the same paths, and the host's
 * network so it reaches the servers on 127.0.0.1.
 */
export function containerClient(image: string, command?: string): ClientAdapter {
  containerPackagePreflight();
  containerPreflight();
  const argv = command ? splitCommand(command) : [];
  return {
    label: command ? `${image} ${command}` : image,
    cliFlags: ['--client-image', image, ...(command ? ['--client-cmd', command] : [])],
    protocols: PROTOCOL_NAMES,
    run: (job, env, limitMs) => runInContainer(image, argv, job, env, limitMs),
  };
}

async function runInContainer(
  image: string,
  argv: string[],
  job: Job,
  env: Record<string, string>,
  limitMs: number,
): Promise<ClientOutcome> {
  const tc = await import('testcontainers');
  const started = performance.now();
  const contractEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('CONFORM_')));
  const mounts = [
    ...new Set([job.workdir, dirname(job.caFile), ...(job.clientCert ? [dirname(job.clientCert)] : [])]),
  ].filter(Boolean);
  let container: Awaited<ReturnType<InstanceType<typeof tc.GenericContainer>['start']>> | undefined;
  try {
    const definition = new tc.GenericContainer(image)
      .withEnvironment(contractEnv)
      .withNetworkMode('host')
      .withBindMounts(mounts.map((source) => ({ source, target: source, mode: source === job.workdir ? 'rw' : 'ro' })))
      .withWaitStrategy(tc.Wait.forOneShotStartup())
      .withStartupTimeout(limitMs);
    container = await (argv.length ? definition.withCommand(argv) : definition).start();
    const client = await tc.getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(container.getId()));
    const logs = await collect(await container.logs());
    return {
      exitCode: info.State.ExitCode,
      signal: null,
      hung: false,
      durationMs: Math.round(performance.now() - started),
      stdout: logs,
      stderr: '',
      droppedBytes: 0,
    };
  } catch (err) {
    const hung = /timed? ?out/i.test((err as Error).message);
    return {
      exitCode: hung ? null : 125,
      signal: null,
      hung,
      durationMs: Math.round(performance.now() - started),
      stdout: '',
      stderr: `container: ${(err as Error).message}`,
      droppedBytes: 0,
    };
  } finally {
    await container?.stop({ remove: true, timeout: 0 }).catch(() => undefined);
  }
}
