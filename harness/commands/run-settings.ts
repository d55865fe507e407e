import { join } from 'node:path';
import { LOOPBACK } from '../../servers/shared/listen.js';
import type { ClientSpec, RunSettings } from '../conform.js';
import type { UserConfig } from '../config.js';
import { parseShard, protocolsFrom } from '../run/select.js';
import { PROTOCOL_NAMES } from '../protocols.js';

/** Where a command-line value came from (commander's getOptionValueSource). */
export type Source = 'cli' | 'default' | 'env' | 'config' | 'implied' | undefined;

type Flags = Record<string, unknown>;

function clientsFrom(flags: Flags, config: UserConfig): ClientSpec[] {
  // With --client-image, --client-cmd is the command to run inside the image.
  const image = flags.clientImage as string | undefined;
  const cmds = flags.clientCmd as string[];
  const fromFlags: ClientSpec[] = [
    ...(flags.client as string[]).map((profile) => ({ profile })),
    ...(image ? [{ image, ...(cmds[0] ? { cmd: cmds[0] } : {}) }] : cmds.map((cmd) => ({ cmd }))),
    ...(flags.clientModule as string[]).map((module) => ({ module })),
  ];
  if (fromFlags.length) return fromFlags;
  return (config.clients ?? []).map((c) => (typeof c === 'string' ? { profile: c } : c));
}

/**
 * The run's settings: a flag given on the command line wins, then the config
 * file, then the built-in default.
 */
export function runSettings(flags: Flags, source: (key: string) => Source, config: UserConfig): RunSettings {
  const pick = <T>(key: string, fromConfig: T | undefined): T =>
    source(key) === 'cli' || fromConfig === undefined ? (flags[key] as T) : fromConfig;
  const outputDir = config.outputDir;
  const output = (key: string, name: string): string =>
    source(key) !== 'cli' && outputDir ? join(outputDir, name) : (flags[key] as string);
  const protocolFlag = flags.protocol as string | undefined;
  return {
    clients: clientsFrom(flags, config),
    selection: {
      protocols: protocolFlag ? protocolsFrom(protocolFlag, PROTOCOL_NAMES) : config.protocols,
      grep: (flags.grep as string | undefined) ?? config.grep,
      ...(flags.shard ? { shard: parseShard(flags.shard as string) } : {}),
    },
    junit: output('junit', 'junit.xml'),
    json: output('json', 'results.json'),
    html: output('html', 'index.html'),
    artifactsDir: output('artifactsDir', 'cases'),
    artifacts: pick('artifacts', config.artifacts),
    workers: pick('workers', config.workers),
    reporters: pick('reporter', config.reporters),
    strict: pick('strict', config.strict),
    ...(((flags.suites as string | undefined) ?? config.suites)
      ? { suitesDir: (flags.suites as string | undefined) ?? config.suites! }
      : {}),
    bindHost: (flags.bind as string | undefined) ?? config.bind ?? LOOPBACK,
    graceMs: config.graceMs ?? 1000,
    timeoutScale: config.timeoutScale ?? 1,
    ...knownResultsPaths(
      [...((flags.knownResults as string[] | undefined) ?? []), ...((flags.expect as string[] | undefined) ?? [])],
      config.knownResults ?? config.expect,
    ),
  };
}

/** `--known-results` (or its older name `--known-results`; repeatable) wins over the config's `knownResults` (a path or a list). */
function knownResultsPaths(flag: string[], config: string | string[] | undefined): { knownResultsPaths?: string[] } {
  const paths = flag.length ? flag : config === undefined ? [] : [config].flat();
  return paths.length ? { knownResultsPaths: paths } : {};
}
