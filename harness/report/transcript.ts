import type { ServerEvent } from '../../servers/shared/events.js';
import type { CaseResult } from '../run/result.js';

/** One readable line per event; credentials' secrets are never recorded, so none can leak here. */
export function formatEvent(e: ServerEvent): string {
  const { seq, t, server, conn, type, ...fields } = e;
  const detail = Object.entries(fields)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length > 12))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
    .join(' ');
  const extra = type === 'client-hello' ? ` offered ${(e as Extract<ServerEvent, { type: 'client-hello' }>).cipherNames.length} suites` : '';
  return `#${seq} +${t.toFixed(1)}ms ${server}${conn === undefined ? '' : `/c${conn}`} ${type} ${detail}${extra}`;
}

export function transcript(events: ServerEvent[], max = 200): string {
  const lines = events.slice(0, max).map(formatEvent);
  if (events.length > max) lines.push(`… ${events.length - max} more events`);
  return lines.join('\n');
}

/** The body of a failure: unmet expectations, the client's outcome, the repro line, the transcript. */
export function failureDetail(r: CaseResult): string {
  const unmet = r.checks.filter((c) => !c.met).map((c) => `- expected: ${c.expectation}\n  but: ${c.reason ?? 'not met'}`);
  const o = r.outcome;
  const outcome = o ? `client: ${o.hung ? 'hung (killed)' : `exit ${o.exitCode ?? o.signal}`} after ${o.durationMs} ms` : 'client: not run';
  const output = o && (o.stdout || o.stderr) ? `\nclient output:\n${(o.stdout + o.stderr).slice(-4000)}${o.droppedBytes ? `\n(${o.droppedBytes} more bytes dropped)` : ''}` : '';
  return [
    r.reason ?? '',
    ...unmet,
    r.faults.length ? `server faults: ${r.faults.join('; ')}` : '',
    `references: ${r.refs.join(', ')}`,
    outcome,
    `rerun: ${r.repro}`,
    'events:',
    transcript(r.events),
  ].filter(Boolean).join('\n') + output;
}
