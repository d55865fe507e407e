/**
 * IMAP responses as the reference client reads them (RFC 9051 §7): tagged
 * completions, untagged data and status, continuation requests; commands
 * with their own tags, completed only by a response that carries that tag.
 */
import { ImapWire, type RawResponse, type ReadOptions } from './wire.js';

/** The server answered NO or BAD (or BYE) where the client needed OK: a greeting, a login, SELECT, FETCH. */
export class ServerRefused extends Error {}

/** A continuation request ("+") where the command has no use for one: no completion, and nothing to send. */
export class UnaskedContinuation extends Error {}

export type Status = 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE';

export interface Response extends RawResponse {
  /** `*`, `+`, or a command's tag. */
  tag: string;
  /** The status of a status response (§7.1), else undefined. */
  status?: Status;
  /** The response code in brackets (`CAPABILITY IMAP4rev1 …`), if any. */
  code?: string;
  /** What follows the tag: "CAPABILITY IMAP4rev1 …", "1 FETCH (…", "OK [CODE] text". */
  rest: string;
}

/** Capability names, upper case (RFC 9051 §7.2.2: compared case-insensitively). */
export type Capabilities = ReadonlySet<string>;

function shown(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}

export function parse(raw: RawResponse): Response {
  const first = raw.lines[0]!;
  const space = first.indexOf(' ');
  if (space <= 0) throw new Error(`not an IMAP response: ${shown(first)}`);
  const tag = first.slice(0, space);
  const rest = raw.lines.join('').slice(space + 1);
  const m = /^(OK|NO|BAD|PREAUTH|BYE)(?: |$)(?:\[([^\]]*)\])?/i.exec(rest);
  if (tag !== '*' && tag !== '+' && !m) throw new Error(`a tagged response without a status: ${shown(first)}`);
  return {
    ...raw,
    tag,
    rest,
    ...(m ? { status: m[1]!.toUpperCase() as Status, ...(m[2] !== undefined ? { code: m[2] } : {}) } : {}),
  };
}

/** The session runs inside TLS (implicit, or after STARTTLS): what the server says there is its own. */
export function secured(s: Session): boolean {
  return (s.wire.stream as { encrypted?: boolean }).encrypted === true;
}

/**
 * A status response in words for the log: status, response code name and
 * text. Without TLS the text is withheld: a man in the middle writes it, and
 * a log line is a place to show a user words that seem to be the server's.
 */
export function statusInWords(s: Session, r: Response): string {
  const code = r.code === undefined ? '' : ` [${r.code.split(' ', 1)[0]}]`;
  const text = r.rest.replace(/^\S+ ?(?:\[[^\]]*\] ?)?/, '');
  return `${r.status ?? r.rest.split(' ', 1)[0]}${code}${secured(s) ? ` ${text}` : ' (its text withheld: it came without TLS)'}`;
}

/**
 * RFC 9051 §7.1, ALERT: "Content of ALERT response codes received on a
 * connection without TLS or SASL security-layer confidentiality SHOULD be
 * ignored by clients." ... "Alerts received after successful establishment of
 * a TLS/SASL confidentiality layer MUST be presented to the user."
 */
export function noteAlert(s: Session, r: Response): void {
  if (r.tag !== '*' || !r.code?.toUpperCase().startsWith('ALERT') || s.flaws.has('imap-hide-alerts')) return;
  if (secured(s) || s.flaws.has('imap-show-plaintext-alert')) s.log(`server alert: ${r.rest}`);
  else s.log('ignored an ALERT that came without TLS (RFC 9051 §7.1): its text is not shown');
}

/**
 * RFC 9051 §7: "The client MUST be prepared to accept any response at all
 * times." Untagged data no command asked for (a LIST before the login, a
 * FETCH before a mailbox is selected) is read and left unused; the
 * imap-reject-unsolicited flaw gives up on it instead.
 */
export function acceptUnasked(s: Session, untagged: readonly Response[]): void {
  if (!s.flaws.has('imap-reject-unsolicited')) return;
  const data = untagged.find((r) => !r.status && !capabilitiesOf(r));
  if (data) throw new Error(`untagged data no command asked for: ${data.rest.split(' ', 2).join(' ')}`);
}

/** The capabilities an untagged CAPABILITY response, or a CAPABILITY code, lists. */
export function capabilitiesOf(r: Response): Capabilities | undefined {
  const list =
    r.code?.match(/^CAPABILITY (.*)$/i)?.[1] ?? (r.tag === '*' ? r.rest.match(/^CAPABILITY (.*)$/i)?.[1] : undefined);
  return list === undefined
    ? undefined
    : new Set(
        list
          .trim()
          .split(/\s+/)
          .map((c) => c.toUpperCase()),
      );
}

/** A quoted string (RFC 9051 §4.3); a value with CR, LF or 8-bit octets goes as a literal instead. */
export function astring(value: string): string {
  if (/[\r\n\x80-\xff]/.test(value)) return `{${Buffer.byteLength(value, 'latin1')}}\r\n${value}`;
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

export interface Completion {
  /** The tagged response that ended the command. */
  done: Response;
  /** The untagged responses that came before it. */
  untagged: Response[];
}

export interface Session {
  wire: ImapWire;
  flaws: ReadonlySet<string>;
  log: (line: string) => void;
  /** Tags A1, A2, …: never one the server could have seen before (RFC 9051 §2.2.1: unique per command). */
  next: number;
  /** Every FETCH response read so far, kept by the imap-keep-unsolicited-fetch flaw alone. */
  fetched?: Response[];
}

/**
 * Sends a command and reads until the tagged response with its tag.
 * RFC 9051 §2.2.2: "The server completion result response ... is tagged with
 * the same tag as the client command that began the operation": any other tag
 * completes nothing of this client's, and is set aside (the
 * imap-accept-foreign-tag flaw takes it for its own). A continuation request is
 * answered by `onContinuation`, or is an error.
 */
export async function command(
  s: Session,
  text: string,
  opts: ReadOptions & { onContinuation?: (r: Response) => string } = {},
): Promise<Completion> {
  const tag = `A${s.next++}`;
  s.wire.write(`${tag} ${text}\r\n`);
  return completion(s, tag, opts);
}

/** The responses up to the completion of `tag`. */
export async function completion(
  s: Session,
  tag: string,
  opts: ReadOptions & { onContinuation?: (r: Response) => string } = {},
): Promise<Completion> {
  const untagged: Response[] = [];
  for (;;) {
    const r = parse(await s.wire.response(opts));
    // A literal the connection cut short, taken for whole (the imap-accept-truncated-literal flaw): the command is over.
    if (r.truncated)
      return { done: { ...r, tag, status: 'OK', rest: 'OK (the connection closed)' }, untagged: [...untagged, r] };
    if (r.tag === '*') {
      noteAlert(s, r);
      if (s.flaws.has('imap-keep-unsolicited-fetch') && /^\d+ FETCH /i.test(r.rest)) (s.fetched ??= []).push(r);
      untagged.push(r);
      continue;
    }
    if (r.tag === '+') {
      if (!opts.onContinuation)
        throw new UnaskedContinuation('the server asked for a continuation the command has no use for');
      s.wire.write(`${opts.onContinuation(r)}\r\n`);
      continue;
    }
    if (r.tag === tag || s.flaws.has('imap-accept-foreign-tag')) return { done: r, untagged };
    s.log(`ignored a completion for the tag ${shown(r.tag)}, which this client never sent`);
  }
}

/** A command that must end OK; `what` names it in the error (never the secret it carries). */
export async function mustSucceed(
  s: Session,
  text: string,
  what: string,
  opts: Parameters<typeof command>[2] = {},
): Promise<Completion> {
  const c = await command(s, text, opts);
  if (c.done.status !== 'OK')
    throw new ServerRefused(`the server refused ${what}: ${c.done.status} ${c.done.rest.replace(/^\S+ ?/, '')}`);
  return c;
}

/**
 * CAPABILITY (RFC 9051 §6.1.1): the last list it brought. Refused, it brings
 * none, and a client that knows nothing of the server cannot know STARTTLS is
 * there (the imap-assume-capabilities flaw makes one up).
 */
export async function capability(s: Session): Promise<Capabilities> {
  const c = await command(s, 'CAPABILITY');
  if (c.done.status !== 'OK') {
    if (s.flaws.has('imap-assume-capabilities')) return new Set(['IMAP4REV1']);
    throw new ServerRefused(`the server refused CAPABILITY: ${c.done.status} ${c.done.rest.replace(/^\S+ ?/, '')}`);
  }
  acceptUnasked(s, c.untagged);
  const lists = c.untagged.map(capabilitiesOf).filter((l): l is Capabilities => l !== undefined);
  const list = lists[lists.length - 1];
  if (!list) throw new Error('the server answered CAPABILITY without a capability list');
  return list;
}
