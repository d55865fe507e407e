import type { ServerEvent } from '../../servers/shared/events.js';
import { versionRank, WEAK_CIPHER_CLASSES, type WeakCipherClass } from '../../servers/shared/tls-names.js';
import type { EventMatcher, Expectation, FieldMatch } from '../suite/expectations-schema.js';
import type { JudgeInput } from './input.js';
import { isProtocol, PROTOCOLS, type ProtocolDescriptor } from '../protocols.js';

/** The result of checking one expectation: met or not, and why, in one sentence. */
export interface Check {
  met: boolean;
  /** What was expected, as a sentence (used in reports whether met or not). */
  expectation: string;
  /** Why it was not met. */
  reason?: string;
  /** The events that show it. */
  evidence?: ServerEvent[];
}

function describeField(v: FieldMatch): string {
  if (v !== null && typeof v === 'object') return 're' in v ? `/${v.re}/` : `one of ${v.in.join('|')}`;
  return String(v);
}

export function describeMatcher(m: EventMatcher): string {
  if (typeof m === 'string') return m;
  const { type, ...fields } = m;
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${describeField(v as FieldMatch)}`);
  return rest.length ? `${type}(${rest.join(', ')})` : type;
}

function fieldMatches(actual: unknown, want: FieldMatch): boolean {
  if (want !== null && typeof want === 'object') {
    if ('re' in want) return typeof actual === 'string' && new RegExp(want.re).test(actual);
    return want.in.includes(actual as string);
  }
  return actual === want;
}

export function matches(event: ServerEvent, m: EventMatcher): boolean {
  if (typeof m === 'string') return event.type === m;
  const record = event as unknown as Record<string, unknown>;
  return Object.entries(m).every(([k, v]) => fieldMatches(record[k], v as FieldMatch));
}

export function evaluate(e: Expectation, input: JudgeInput): Check {
  const { events, outcome } = input;
  if ('outcome' in e) {
    const status = outcome.hung ? 'hung' : `exit ${outcome.exitCode ?? outcome.signal}`;
    const succeeded = !outcome.hung && outcome.exitCode === 0;
    const failed = !outcome.hung && outcome.exitCode !== 0;
    const met = e.outcome === 'success' ? succeeded : failed;
    return {
      met,
      expectation:
        e.outcome === 'success'
          ? 'the client completes the action (exit 0)'
          : 'the client refuses or reports failure (non-zero exit)',
      ...(met
        ? {}
        : {
            reason:
              e.outcome === 'success'
                ? `the client did not complete the action (${status})`
                : `the client reported success (${status})`,
          }),
    };
  }
  if ('event' in e) {
    const found = events.filter((ev) => matches(ev, e.event));
    return {
      met: found.length > 0,
      expectation: `the server records ${describeMatcher(e.event)}`,
      ...(found.length ? {} : { reason: `no ${describeMatcher(e.event)} was recorded` }),
    };
  }
  if ('never' in e) {
    const found = events.filter((ev) => matches(ev, e.never));
    return {
      met: found.length === 0,
      expectation: `the server never records ${describeMatcher(e.never)}`,
      ...(found.length
        ? {
            reason: `the server recorded ${describeMatcher(e.never)} (event #${found[0]!.seq})`,
            evidence: found.slice(0, 5),
          }
        : {}),
    };
  }
  if ('order' in e) return evaluateOrder(e.order, events);
  if ('firstAfter' in e) return evaluateFirstAfter(e.firstAfter, events);
  if ('count' in e) return evaluateCount(e.count, events);
  if ('clientHello' in e) return evaluateHello(e.clientHello, input);
  if ('delivered' in e) return evaluateDelivered(e.delivered, input);
  if ('neverPrinted' in e) return evaluatePrinted(e.neverPrinted, input);
  if ('printed' in e) return evaluateShown(e.printed, input);
  return evaluateOutput(input);
}

/** What the client printed must not carry the pattern (raw escapes a server sent, shown to the user as they came). */
function evaluatePrinted(pattern: string, input: JudgeInput): Check {
  const re = new RegExp(pattern);
  const expectation = `the client prints nothing matching /${pattern}/ (stdout, stderr)`;
  for (const [stream, text] of [
    ['stdout', input.outcome.stdout],
    ['stderr', input.outcome.stderr],
  ] as const) {
    const m = re.exec(text);
    if (m)
      return {
        met: false,
        expectation,
        reason: `its ${stream} has ${JSON.stringify(text.slice(Math.max(0, m.index - 20), m.index + m[0].length + 20))}`,
      };
  }
  return { met: true, expectation };
}

/** What the client printed must carry the pattern (what the user must be shown, as an ALERT inside TLS). */
function evaluateShown(pattern: string, input: JudgeInput): Check {
  const re = new RegExp(pattern);
  const expectation = `the client prints something matching /${pattern}/ (stdout, stderr)`;
  const met = re.test(input.outcome.stdout) || re.test(input.outcome.stderr);
  return { met, expectation, ...(met ? {} : { reason: 'neither its stdout nor its stderr has it' }) };
}

function evaluateOrder(order: EventMatcher[], events: ServerEvent[]): Check {
  const expectation = `events occur in the order ${order.map(describeMatcher).join(' < ')}`;
  let from = 0;
  const seen: ServerEvent[] = [];
  for (const m of order) {
    const idx = events.findIndex((ev, i) => i >= from && matches(ev, m));
    if (idx < 0) {
      const anywhere = events.find((ev) => matches(ev, m));
      const reason = anywhere
        ? `${describeMatcher(m)} happened (event #${anywhere.seq}) but not after ${describeMatcher(order[order.indexOf(m) - 1]!)}`
        : `${describeMatcher(m)} never happened`;
      return { met: false, expectation, reason, evidence: [...seen, ...(anywhere ? [anywhere] : [])] };
    }
    seen.push(events[idx]!);
    from = idx + 1;
  }
  return { met: true, expectation };
}

function evaluateFirstAfter(
  f: { after: EventMatcher; next: EventMatcher; among: EventMatcher; required: boolean },
  events: ServerEvent[],
): Check {
  const expectation = `the first ${describeMatcher(f.among)} after ${describeMatcher(f.after)} is ${describeMatcher(f.next)}${f.required ? '' : ` (if ${describeMatcher(f.after)} happens)`}`;
  const start = events.findIndex((ev) => matches(ev, f.after));
  if (start < 0)
    return f.required
      ? { met: false, expectation, reason: `${describeMatcher(f.after)} never happened` }
      : { met: true, expectation };
  const first = events.slice(start + 1).find((ev) => matches(ev, f.among));
  if (!first)
    return {
      met: false,
      expectation,
      reason: `no ${describeMatcher(f.among)} followed ${describeMatcher(f.after)}`,
      evidence: [events[start]!],
    };
  if (matches(first, f.next)) return { met: true, expectation };
  return {
    met: false,
    expectation,
    reason: `the first ${describeMatcher(f.among)} after ${describeMatcher(f.after)} was event #${first.seq}, not ${describeMatcher(f.next)}`,
    evidence: [events[start]!, first],
  };
}

function evaluateCount(
  c: { of: EventMatcher; min?: number | undefined; max?: number | undefined },
  events: ServerEvent[],
): Check {
  const found = events.filter((ev) => matches(ev, c.of));
  const bounds = [c.min !== undefined ? `at least ${c.min}` : '', c.max !== undefined ? `at most ${c.max}` : '']
    .filter(Boolean)
    .join(' and ');
  const expectation = `the server records ${bounds} ${describeMatcher(c.of)}`;
  const met = (c.min === undefined || found.length >= c.min) && (c.max === undefined || found.length <= c.max);
  return {
    met,
    expectation,
    ...(met
      ? {}
      : { reason: `the server recorded ${found.length} ${describeMatcher(c.of)}`, evidence: found.slice(0, 5) }),
  };
}

function evaluateHello(want: Extract<Expectation, { clientHello: unknown }>['clientHello'], input: JudgeInput): Check {
  const hellos = input.events.filter(
    (ev): ev is Extract<ServerEvent, { type: 'client-hello' }> => ev.type === 'client-hello',
  );
  // docs/contract.md: the TLS name is CONFORM_HOST, except through a SOCKS proxy, where it is the target URL's host.
  const tlsName = descriptorOf(input.job)?.tlsName?.(input.job) ?? input.job.host;
  const parts: string[] = [];
  if (want.sni === 'host') parts.push(`SNI equals "${tlsName}"`);
  if (want.sni === 'absent') parts.push('no SNI');
  if (want.minVersion) parts.push(`no version below ${want.minVersion} offered`);
  if (want.noVersionDowngrade) parts.push('no lower highest version than the first ClientHello');
  if (want.noCiphers?.length) parts.push(`no ${want.noCiphers.join('/')} cipher suites offered`);
  const expectation = `every ClientHello has ${parts.join(', ')}`;
  if (!hellos.length) return { met: false, expectation, reason: 'the client sent no ClientHello' };
  const highest = (versions: string[]): number => Math.max(...versions.map(versionRank));
  const firstHighest = highest(hellos[0]!.versions);
  for (const hello of hellos) {
    const fail = (reason: string): Check => ({ met: false, expectation, reason, evidence: [hello] });
    if (want.sni === 'host' && hello.sni !== tlsName) {
      return fail(
        hello.sni === null
          ? `the ClientHello (event #${hello.seq}) carries no SNI`
          : `the ClientHello's SNI is "${hello.sni}", not "${tlsName}"`,
      );
    }
    if (want.sni === 'absent' && hello.sni !== null)
      return fail(`the ClientHello sends SNI "${hello.sni}" for an IP literal (RFC 6066 §3 forbids it)`);
    if (want.minVersion) {
      const low = hello.versions.filter((v) => versionRank(v) >= 0 && versionRank(v) < versionRank(want.minVersion!));
      if (low.length) return fail(`the ClientHello offers ${low.join(', ')}`);
    }
    if (want.noVersionDowngrade && highest(hello.versions) < firstHighest) {
      return fail(
        `a later ClientHello (event #${hello.seq}) offers at most ${hello.versions.join(', ')}, below the first one's: a downgrade retry`,
      );
    }
    for (const cls of (want.noCiphers ?? []) as WeakCipherClass[]) {
      const weak = hello.cipherNames.filter((n) => WEAK_CIPHER_CLASSES[cls].test(n));
      if (weak.length)
        return fail(
          `the ClientHello offers ${weak.slice(0, 3).join(', ')}${weak.length > 3 ? ` and ${weak.length - 3} more` : ''}: ${WEAK_CIPHER_CLASSES[cls].why}`,
        );
    }
  }
  return { met: true, expectation };
}

/** The job's protocol descriptor (none for a protocol the registry does not know). */
function descriptorOf(job: JudgeInput['job']): ProtocolDescriptor | undefined {
  return isProtocol(job.protocol) ? PROTOCOLS[job.protocol] : undefined;
}

/** Text output whose line ends a client may convert (FTP's TYPE A and listings), as its protocol says. */
function isText(job: JudgeInput['job']): boolean {
  return descriptorOf(job)?.textOutput?.(job) ?? false;
}

const lineEndsToLf = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');

function evaluateOutput(input: JudgeInput): Check {
  const { output, expectedOutput } = input;
  if (!expectedOutput)
    return {
      met: false,
      expectation: 'the output equals the payload served',
      reason: 'this server served no payload to compare with',
    };
  if (isText(input.job) && output) {
    const expectation = `the output file holds the ${expectedOutput.length} bytes of text served (CRLF or LF line ends)`;
    if (lineEndsToLf(output).equals(lineEndsToLf(expectedOutput))) return { met: true, expectation };
    return {
      met: false,
      expectation,
      reason: `the output file's text differs from what was served from byte ${firstDifference(lineEndsToLf(output), lineEndsToLf(expectedOutput))} (line ends aside)`,
    };
  }
  const expectation = `the output file equals the ${expectedOutput.length} bytes served`;
  if (output?.equals(expectedOutput)) return { met: true, expectation };
  const reason = !output
    ? 'the client wrote no output file'
    : output.length !== expectedOutput.length
      ? `the output file holds ${output.length} bytes, the server served ${expectedOutput.length}`
      : `the output differs from what was served from byte ${firstDifference(output, expectedOutput)}`;
  return { met: false, expectation, reason };
}

function evaluateDelivered(want: 'input' | 'nothing', input: JudgeInput): Check {
  const got = input.received ?? null;
  if (want === 'nothing') {
    const met = !got || got.length === 0;
    return {
      met,
      expectation: 'nothing of the input reaches the server',
      ...(met ? {} : { reason: `the server received ${got!.length} bytes of the input` }),
    };
  }
  const given = input.input;
  if (!given)
    return {
      met: false,
      expectation: 'the server receives the input',
      reason: 'this server gives the client no input',
    };
  const expectation = `the server receives the ${given.length} bytes of the input unchanged`;
  if (got?.equals(given)) return { met: true, expectation };
  const reason = !got
    ? 'nothing arrived'
    : got.length !== given.length
      ? `the server received ${got.length} bytes, the input has ${given.length}`
      : `what arrived differs from the input from byte ${firstDifference(got, given)}`;
  return { met: false, expectation, reason };
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
