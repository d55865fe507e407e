import type { ServerEvent } from '../../servers/shared/events.js';
import type { CaseResult } from '../run/result.js';

/** What crossed the wire, marked by direction (C→S, S→C) and layer; null for other events. */
function wireLine(e: ServerEvent): string | null {
  switch (e.type) {
    case 'command':
      return `C→S [${e.layer}] ${e.raw}`;
    case 'reply':
      return `S→C [${e.layer}] ${e.code} ${e.text}`.trimEnd();
    case 'credentials':
      return `C→S [${e.layer}] credentials ${e.mechanism} user=${JSON.stringify(e.user)}`;
    case 'payload-sent':
      return `S→C [${e.layer}] payload ${e.bytes} bytes${e.complete ? '' : ' (incomplete)'} sha256=${e.sha256.slice(0, 16)}…`;
    case 'payload-received':
      return `C→S [${e.layer}] payload ${e.bytes} bytes sha256=${e.sha256.slice(0, 16)}…`;
    case 'plaintext-on-tls-port':
      return `C→S [plaintext] ${e.preview}   ← plaintext where a TLS ClientHello belongs`;
    default:
      return null;
  }
}

/**
 * One readable line per event: what crossed the wire marked client/server and
 * plaintext/TLS, other events by type. Secrets are never recorded, so none can leak here.
 */
export function formatEvent(e: ServerEvent): string {
  let line = formatted.get(e);
  if (line === undefined) formatted.set(e, (line = format(e)));
  return line;
}

/** Each event's line, once: the JUnit and HTML reports both show a case's transcript. */
const formatted = new WeakMap<ServerEvent, string>();

function format(e: ServerEvent): string {
  const { seq, t, server, conn, type, ...fields } = e;
  const at = `#${seq} +${t.toFixed(1)}ms ${server}${conn === undefined ? '' : `/c${conn}`}`;
  const wire = wireLine(e);
  if (wire) return `${at} ${wire}`;
  const detail = Object.entries(fields)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length > 12))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
    .join(' ');
  const extra =
    type === 'client-hello'
      ? ` offered ${(e as Extract<ServerEvent, { type: 'client-hello' }>).cipherNames.length} suites`
      : '';
  return `${at} ${type} ${detail}${extra}`;
}

export function transcript(events: ServerEvent[], max = 200): string {
  const lines = events.slice(0, max).map(formatEvent);
  if (events.length > max) lines.push(`… ${events.length - max} more events`);
  return lines.join('\n');
}

/** The body of a failure: unmet expectations, the client's outcome, the repro line, the transcript. */
export function failureDetail(r: CaseResult): string {
  const unmet = r.checks
    .filter((c) => !c.met)
    .map((c) => `- expected: ${c.expectation}\n  but: ${c.reason ?? 'not met'}`);
  const o = r.outcome;
  const outcome = o
    ? `client: ${o.hung ? 'hung (killed)' : `exit ${o.exitCode ?? o.signal}`} after ${o.durationMs} ms`
    : 'client: not run';
  const output =
    o && (o.stdout || o.stderr)
      ? `\nclient output:\n${(o.stdout + o.stderr).slice(-4000)}${o.droppedBytes ? `\n(${o.droppedBytes} more bytes dropped)` : ''}`
      : '';
  return (
    [
      r.reason ?? '',
      ...unmet,
      r.faults.length ? `server faults: ${r.faults.join('; ')}` : '',
      `references: ${r.refs.join(', ')}`,
      outcome,
      `rerun: ${r.repro}`,
      'events:',
      transcript(r.events),
    ]
      .filter(Boolean)
      .join('\n') + output
  );
}
