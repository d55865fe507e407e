import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { CaseResult } from '../run/result.js';
import { failsRun, shouldNotMet, type Summary } from '../run/summary.js';
import type { ClientInfo, Reporter } from './reporter.js';
import { formatEvent } from './transcript.js';
import { HTML_SCRIPT, HTML_STYLE } from './html-assets.js';

/** What the page needs of a result: no raw events, transcripts already formatted. */
interface PageCase {
  id: string;
  title: string;
  protocol: string;
  level: string;
  refs: string[];
  client: string;
  status: string;
  /** Fails the run (a must failure, or a should failure under --strict). */
  failing: boolean;
  /** A should failure that does not fail the run: shown, never counted as a failure. */
  noted: boolean;
  reason: string;
  stale: string;
  checks: { met: boolean; expectation: string; reason: string }[];
  faults: string[];
  outcome: string;
  output: string;
  repro: string;
  transcript: string[];
  /** Link to the case's artifacts folder, relative to the page ('' when none were kept). */
  artifacts: string;
}

/** Counts of one client or protocol, as the page's tables show them. */
interface Counts {
  name: string;
  /** The client's version line, or its command when the run could not ask it. */
  detail: string;
  passed: number;
  failed: number;
  noted: number;
  skipped: number;
  expected: number;
  errors: number;
}

/** Failures (and harness errors) first, then should-level notes, expected failures, skips, passes. */
function rank(r: CaseResult, strict: boolean): number {
  if (failsRun(r, strict) || r.status === 'error') return 0;
  if (shouldNotMet(r, strict)) return 1;
  return { xfail: 2, skip: 3, pass: 4 }[r.status as 'xfail' | 'skip' | 'pass'] ?? 4;
}

/** A path as a relative URL from the page's folder (forward slashes, each segment escaped). */
function linkFrom(pageDir: string, target: string): string {
  return relative(pageDir, resolve(target)).split(sep).map(encodeURIComponent).join('/');
}

function pageCase(r: CaseResult, strict: boolean, pageDir: string): PageCase {
  const o = r.outcome;
  return {
    id: r.id,
    title: r.title,
    protocol: r.protocol,
    level: r.level,
    refs: r.refs,
    client: r.client,
    status: r.status,
    failing: failsRun(r, strict),
    noted: shouldNotMet(r, strict),
    reason: r.reason ?? '',
    stale: r.stale ?? '',
    checks: r.checks.map((c) => ({ met: c.met, expectation: c.expectation, reason: c.reason ?? '' })),
    faults: r.faults,
    outcome: o
      ? o.hung
        ? `hung (killed) after ${o.durationMs} ms`
        : `exit ${o.exitCode ?? o.signal} after ${o.durationMs} ms`
      : 'not run',
    output: o ? `${o.stdout}${o.stderr}`.slice(-4000) : '',
    repro: r.repro,
    transcript: r.events.slice(0, 400).map(formatEvent),
    artifacts: r.artifacts ? `${linkFrom(pageDir, r.artifacts)}/` : '',
  };
}

function counts(name: string, detail: string, group: CaseResult[], strict: boolean): Counts {
  const n = (pred: (r: CaseResult) => boolean): number => group.filter(pred).length;
  return {
    name,
    detail,
    passed: n((r) => r.status === 'pass'),
    failed: n((r) => failsRun(r, strict)),
    noted: n((r) => shouldNotMet(r, strict)),
    skipped: n((r) => r.status === 'skip'),
    expected: n((r) => r.status === 'xfail'),
    errors: n((r) => r.status === 'error'),
  };
}

/**
 * Embeds data in a page so that nothing in it can end the script element or
 * be read as markup: every "<" (and the JS line separators) is escaped, and
 * the page renders client-sent text with textContent only.
 */
export function embedJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface HtmlOptions {
  generatedAt?: Date;
  /** The clients with their versions, when the run knows them. */
  clients?: ClientInfo[];
  /** Where the page is written: artifact links are made relative to its folder. */
  file?: string;
}

/**
 * One self-contained HTML page: the run's exit status and counts per client
 * and protocol at the top, filters, a case × client matrix (several clients)
 * whose cells link to each case's details and artifacts, and the cases,
 * failures first.
 */
export function buildHtml(results: CaseResult[], summary: Summary, opts: HtmlOptions = {}): string {
  const strict = summary.strict;
  const pageDir = dirname(resolve(opts.file ?? 'index.html'));
  const labels = [...new Set(results.map((r) => r.client))];
  const info = new Map((opts.clients ?? []).map((c) => [c.label, c]));
  const ordered = results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r, strict) - rank(b.r, strict) || a.i - b.i)
    .map((x) => x.r);
  const data = {
    generatedAt: (opts.generatedAt ?? new Date()).toISOString(),
    summary,
    clients: labels,
    byClient: labels.map((label) =>
      counts(
        label,
        info.get(label)?.version ?? label,
        results.filter((r) => r.client === label),
        strict,
      ),
    ),
    byProtocol: [...new Set(results.map((r) => r.protocol))].map((p) =>
      counts(
        p,
        '',
        results.filter((r) => r.protocol === p),
        strict,
      ),
    ),
    cases: ordered.map((r) => pageCase(r, strict, pageDir)),
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Conform report</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<header><h1>Conform report</h1><p id="verdict"></p><p id="summary"></p></header>
<section id="counts"><h2>Per client</h2><table id="by-client"></table><h2>Per protocol</h2><table id="by-protocol"></table></section>
<nav id="filters">
  <label>Protocol <select id="f-protocol"><option value="">all</option></select></label>
  <label>Verdict <select id="f-status"><option value="">all</option></select></label>
  <label>Level <select id="f-level"><option value="">all</option></select></label>
  <label>Client <select id="f-client"><option value="">all</option></select></label>
  <label>Search <input id="f-text" type="search" placeholder="case id or reason"></label>
</nav>
<section id="matrix-section" hidden><h2>Cases × clients</h2><table id="matrix"></table></section>
<section><h2>Cases</h2><div id="cases"></div></section>
<script type="application/json" id="conform-data">${embedJson(data)}</script>
<script>${HTML_SCRIPT}</script>
</body>
</html>
`;
}

export function htmlReporter(file: string): Reporter {
  let clients: ClientInfo[] | undefined;
  return {
    name: 'html',
    onBegin(info) {
      clients = info.clientInfo;
    },
    async onEnd(results, summary) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, buildHtml(results, summary, { file, ...(clients ? { clients } : {}) }));
    },
  };
}
