#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
// Only what `list` needs is imported up front: a cached catalogue lists
// without loading YAML, zod or any server (harness/suite/catalogue.ts). Every
// other command imports its modules when it runs.
import { UsageError } from './errors.js';
import { parseShard, protocolsFrom, selectCases } from './run/select.js';
import { LOOPBACK } from '../servers/shared/listen.js';
import { findCase } from './commands/find-case.js';
import { usageLine } from './commands/usage.js';
import { formatList } from './commands/list.js';
import { loadCatalogue } from './suite/catalogue.js';
import type { Source } from './commands/run-settings.js';
import type { Protocol } from './protocols.js';
import { packageRoot } from '../certs/cache-dir.js';

/** Servers on anything but the default loopback address may be reachable from elsewhere: say so. */
function warnIfNotLoopback(host: string): void {
  if (host === LOOPBACK) return;
  const loopback = /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost';
  process.stderr.write(
    `conform: warning: servers will listen on ${host}${loopback ? '' : ', reachable beyond this machine'}\n`,
  );
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Every command reports its usage errors as usageLine does, naming its own help. */
function oneLineErrors(cmd: Command, name: string): Command {
  return cmd.configureOutput({ outputError: (text, write) => write(usageLine(text, name)) });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const program = new Command('conform')
  .description('Conformance harness for clients of secure network protocols (`conform list` shows the cases of each)')
  .version(packageVersion(), '-V, --version', 'print the version of conform-harness')
  .option(
    '--client <name>',
    'a built-in client profile (default: reference); may carry arguments, e.g. "reference --flaw skip-verify"; repeat to compare clients',
    collect,
    [],
  )
  .option(
    '--client-cmd <cmd>',
    'any program; split into argv as a shell would, run without a shell; the job is in its environment; repeatable',
    collect,
    [],
  )
  .option(
    '--client-image <image>',
    'run the client under test in this container image (its default command, or --client-cmd inside it); needs Docker or Podman',
  )
  .option(
    '--client-module <file>',
    'a JavaScript module exporting run(job, { signal, log }) → exit status, run in-process; repeatable',
    collect,
    [],
  )
  .option('--protocol <list>', 'only these protocols, comma-separated (e.g. https,smtp)')
  .option('--grep <regex>', 'only cases whose id matches')
  .option('--junit <file>', 'JUnit XML report', 'reports/junit.xml')
  .option('--json <file>', 'machine-readable results', 'reports/results.json')
  .option(
    '--html <file>',
    'self-contained HTML report (a case × client matrix when several clients run)',
    'reports/index.html',
  )
  .option(
    '--workers <n>',
    'cases run at once, exactly (default: adaptive, from the cores up to 32 while the machine sits idle)',
    positiveInt,
  )
  .option('--shard <i/n>', 'run the I-th of N deterministic slices of the selected cases')
  .addOption(new Option('--reporter <name...>', 'console reporters').choices(['console', 'tap']).default(['console']))
  .addOption(
    new Option('--artifacts <which>', 'which cases keep their transcript, events, TLS key log and packet capture')
      .choices(['failed', 'all', 'none'])
      .default('failed'),
  )
  .option('--artifacts-dir <dir>', 'where case artifacts go, one folder per case', 'reports/cases')
  .option(
    '--known-results <path>',
    "a client's known results (a file, or a directory of them), bound to the client each describes (its profile: field, else its name up to the first dot): listed failures are reported as expected and do not fail the run; repeatable",
    collect,
    [],
  )
  .addOption(
    new Option('--expect <path>', 'the older name of --known-results').argParser(collect).default([]).hideHelp(),
  )
  .option('--strict', 'failed `should` cases fail the run too', false)
  .option('--suites <dir>', 'read suites from this folder instead of the built-in ones')
  .option('--config <file>', 'conform.config.ts / .json / .yaml (default: the one in this folder, if any)')
  .option('--bind <addr>', 'address the servers listen on (default 127.0.0.1; anything else is reachable from outside)')
  .exitOverride();
oneLineErrors(program, 'conform');

program
  .command('list')
  .description('print the selected case ids with their titles and references')
  .addOption(
    new Option('--format <format>', 'table for people, json for tools').choices(['table', 'json']).default('table'),
  )
  .action(async (cmd: { format: 'table' | 'json' }) => {
    const o = program.opts();
    const catalogue = await loadCatalogue(o.suites);
    // The catalogue's protocols (a cached `list` loads no registry): all the registered ones with cases.
    const known = [...new Set(catalogue.map((c) => c.protocol))];
    const cases = selectCases(catalogue, {
      protocols: protocolsFrom(o.protocol, known),
      grep: o.grep,
      ...(o.shard ? { shard: parseShard(o.shard) } : {}),
    });
    process.stdout.write(formatList(cases, cmd.format));
  });

program
  .command('explain')
  .argument('<case>', 'case id')
  .description('describe one case: references, server options and faults, job, expectations, witnesses')
  .action(async (id: string) => {
    const c = findCase(await loadCatalogue(program.opts().suites), id);
    const { explainCase } = await import('./commands/explain.js');
    process.stdout.write(explainCase(c));
  });

program
  .command('merge')
  .argument('<results...>', 'the results.json files the shards wrote (--json)')
  .description('merge shard results into one JUnit, JSON and HTML report, as one unsharded run would write them')
  .action(async (files: string[]) => {
    const o = program.opts();
    const [{ mergeResults }, { consoleReporter }, { junitReporter }, { jsonReporter }, { htmlReporter }] =
      await Promise.all([
        import('./commands/merge.js'),
        import('./report/console.js'),
        import('./report/junit.js'),
        import('./report/json.js'),
        import('./report/html.js'),
      ]);
    const summary = await mergeResults(
      files,
      await loadCatalogue(o.suites),
      [consoleReporter(), junitReporter(o.junit), jsonReporter(o.json), htmlReporter(o.html)],
      { strict: o.strict },
    );
    process.exitCode = summary.exitCode;
  });

program
  .command('serve')
  .argument('[case]', 'case id, e.g. https.certificate.expired (or --protocol with --script)')
  .description("start that case's server(s) and keep them up, printing how to connect and every event live")
  .option('--once', 'stop after the first connection closes', false)
  .option(
    '--script <file>',
    'scripted misbehaviour (a YAML list of rules) for a server of --protocol P, with no suite file',
  )
  .action(async (id: string | undefined, cmd: { once: boolean; script?: string }) => {
    const o = program.opts();
    // The run's --protocol names the server a script is for.
    const protocol = o.protocol as string | undefined;
    if (!id && !cmd.script) throw new UsageError('BAD_FLAG', 'serve: name a case, or give --protocol P --script FILE');
    if (id && cmd.script) throw new UsageError('BAD_FLAG', 'serve: a case or --script, not both');
    if (cmd.script && (!protocol || protocol.includes(',')))
      throw new UsageError('BAD_FLAG', 'serve --script: say which server with --protocol (one, e.g. --protocol smtp)');
    const c = cmd.script
      ? await (await import('./suite/script-file.js')).loadScriptCase(cmd.script, protocol as Protocol)
      : findCase(await loadCatalogue(o.suites), id!);
    const bindHost = o.bind ?? LOOPBACK;
    warnIfNotLoopback(bindHost);
    const { serveCase } = await import('./commands/serve.js');
    await serveCase(c, { bindHost, once: cmd.once });
  });

program.action(async () => {
  const o = program.opts();
  const [{ findConfig, loadConfig }, { runSettings }, { runConform }] = await Promise.all([
    import('./config.js'),
    import('./commands/run-settings.js'),
    import('./conform.js'),
  ]);
  const configFile = o.config ?? findConfig();
  const config = configFile ? await loadConfig(configFile) : {};
  const settings = runSettings(o, (key) => program.getOptionValueSource(key) as Source, config);
  warnIfNotLoopback(settings.bindHost);
  const { summary } = await runConform(settings);
  process.exitCode = summary.exitCode;
});

for (const cmd of program.commands) oneLineErrors(cmd, `conform ${cmd.name()}`);

// `conform list | head -1`: the reader went away. Nothing more can be shown, and
// that is no error; a run goes on to write its reports and exit with its verdict.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
});

try {
  await program.parseAsync();
} catch (err) {
  const e = err as Error & { code?: string; exitCode?: number };
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exitCode = 0;
  else if (e.code?.startsWith('commander.')) process.exitCode = 2;
  else if (err instanceof UsageError) {
    process.stderr.write(`conform: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`conform: harness fault: ${e.stack ?? e.message}\n`);
    process.exitCode = 2;
  }
}
