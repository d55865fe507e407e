import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CaseResult } from '../run/result.js';
import type { Summary } from '../run/summary.js';
import type { Reporter } from './reporter.js';
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
  reason: string;
  stale: string;
  checks: { met: boolean; expectation: string; reason: string }[];
  faults: string[];
  outcome: string;
  output: string;
  repro: string;
  transcript: string[];
}

function pageCase(r: CaseResult): PageCase {
  const o = r.outcome;
  return {
    id: r.id,
    title: r.title,
    protocol: r.protocol,
    level: r.level,
    refs: r.refs,
    client: r.client,
    status: r.status,
    reason: r.reason ?? '',
    stale: r.stale ?? '',
    checks: r.checks.map((c) => ({ met: c.met, expectation: c.expectation, reason: c.reason ?? '' })),
    faults: r.faults,
    outcome: o ? (o.hung ? `hung (killed) after ${o.durationMs} ms` : `exit ${o.exitCode ?? o.signal} after ${o.durationMs} ms`) : 'not run',
    output: o ? `${o.stdout}${o.stderr}`.slice(-4000) : '',
    repro: r.repro,
    transcript: r.events.slice(0, 400).map(formatEvent),
  };
}

/**
 * Embeds data in a page so that nothing in it can end the script element or
 * be read as markup: every "<" (and the JS line separators) is escaped, and
 * the page renders client-sent text with textContent only.
 */
export function embedJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** One self-contained HTML page: summary, filters, per-case details, and a case × client matrix. */
export function buildHtml(results: CaseResult[], summary: Summary, generatedAt = new Date()): string {
  const data = { generatedAt: generatedAt.toISOString(), summary, clients: [...new Set(results.map((r) => r.client))], cases: results.map(pageCase) };
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
<header><h1>Conform report</h1><p id="summary"></p></header>
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
  return {
    name: 'html',
    async onEnd(results, summary) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, buildHtml(results, summary));
    },
  };
}
