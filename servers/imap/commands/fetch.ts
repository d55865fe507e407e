/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9): message data items, the
 * message's bytes always as a literal (§4.3), and the faults that break them
 * (half a literal and silence, half a literal and a close).
 */
import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import { internalDate, sha256, splitMessage } from '../mailbox.js';
import type { ImapContext } from '../session.js';
import { faultEvent, stall, stallAt, tagged } from '../session.js';
import type { Command, CommandDef } from './types.js';
import { foreignTag } from './foreign-tag.js';
import { envelope, bodyStructure } from './fetch-structure.js';

/** §6.4.5's macros. */
const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

/** BODY[section]<partial> and BODY.PEEK[...]: the section and the partial range, if any. */
const BODY_ITEM = /^BODY(\.PEEK)?\[([^\]]*)\](?:<(\d{1,10})\.(\d{1,10})>)?$/;

/** The message numbers a sequence set names (§9 sequence-set), or undefined if it is invalid or names a message that does not exist. */
function messageNumbers(set: string, count: number, uids: boolean): number[] | undefined {
  const numbers = new Set<number>();
  for (const part of set.split(',')) {
    const m = /^(\d{1,10}|\*)(?::(\d{1,10}|\*))?$/.exec(part);
    if (!m) return undefined;
    const value = (s: string): number => (s === '*' ? count : Number(s));
    const [a, b] = [value(m[1]!), value(m[2] ?? m[1]!)];
    if (a === 0 || b === 0) return undefined;
    // §6.4.9: a UID that does not exist is ignored; a message number must exist.
    if (!uids && Math.max(a, b) > count) return undefined;
    for (let n = Math.min(a, b); n <= Math.min(Math.max(a, b), count); n++) numbers.add(n);
  }
  return [...numbers].sort((x, y) => x - y);
}

/** The items asked for, upper case, top-level (a list's parentheses taken off; brackets may hold spaces). */
function items(text: string): string[] | undefined {
  let t = text.trim();
  if (t.startsWith('(')) {
    if (!t.endsWith(')')) return undefined;
    t = t.slice(1, -1);
  }
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of t) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ' ' && depth === 0) {
      if (current) out.push(current);
      current = '';
    } else current += c;
  }
  if (current) out.push(current);
  const upper = out.map((i) => i.replace(/[a-z]/g, (c) => c.toUpperCase()));
  return upper.length === 1 && MACROS[upper[0]!] ? MACROS[upper[0]!] : upper.length ? upper : undefined;
}

/** One piece of a FETCH response: text, or a literal (with whether it is message 1 whole). */
type Piece = { text: string } | { name: string; bytes: Buffer; whole: boolean };

/** The bytes a BODY section names (§6.4.5.1), for a single-part message. */
function section(message: Buffer, spec: string): Buffer | undefined {
  const { header, text } = splitMessage(message);
  if (spec === '') return message;
  if (spec === 'TEXT' || spec === '1') return text;
  if (spec === 'HEADER') return header;
  const fields = /^HEADER\.FIELDS(\.NOT)? \(([^)]*)\)$/.exec(spec);
  if (!fields) return undefined;
  const names = fields[2]!
    .split(' ')
    .filter(Boolean)
    .map((n) => n.toLowerCase());
  const kept = header
    .toString('latin1')
    .split(/\r\n(?![ \t])/)
    .filter((f) => f && names.includes(f.split(':', 1)[0]!.toLowerCase()) !== Boolean(fields[1]));
  return Buffer.from(`${kept.map((f) => `${f}\r\n`).join('')}\r\n`, 'latin1');
}

/** The pieces for one item of one message; undefined for an item this server does not know. */
function piece(ctx: ImapContext, n: number, item: string): Piece[] | undefined {
  const message = ctx.messages[n - 1]!;
  const whole = (name: string): Piece[] => [{ name, bytes: message, whole: n === 1 }];
  switch (item) {
    case 'UID':
      return [{ text: `UID ${n}` }];
    case 'FLAGS':
      return [{ text: `FLAGS (${ctx.state.seen.has(n) ? '\\Seen' : ''})` }];
    case 'INTERNALDATE':
      return [{ text: `INTERNALDATE ${internalDate(n)}` }];
    case 'RFC822.SIZE':
      return [{ text: `RFC822.SIZE ${message.length}` }];
    case 'ENVELOPE':
      return [{ text: `ENVELOPE ${envelope(message)}` }];
    case 'BODY':
    case 'BODYSTRUCTURE':
      return [{ text: `${item} ${bodyStructure(message, item === 'BODYSTRUCTURE')}` }];
    case 'RFC822':
      return whole('RFC822');
    case 'RFC822.HEADER':
      return [{ name: 'RFC822.HEADER', bytes: splitMessage(message).header, whole: false }];
    case 'RFC822.TEXT':
      return [{ name: 'RFC822.TEXT', bytes: splitMessage(message).text, whole: false }];
  }
  const body = BODY_ITEM.exec(item);
  if (!body) return undefined;
  const bytes = section(message, body[2]!);
  if (!bytes) return undefined;
  if (body[3] === undefined)
    return body[2] === '' ? whole('BODY[]') : [{ name: `BODY[${body[2]}]`, bytes, whole: false }];
  const start = Number(body[3]);
  return [{ name: `BODY[${body[2]}]<${start}>`, bytes: bytes.subarray(start, start + Number(body[4])), whole: false }];
}

/** Whether fetching this item sets \Seen (§6.4.5: BODY[...] and RFC822 do, BODY.PEEK and RFC822.HEADER do not). */
const setsSeen = (item: string): boolean =>
  item === 'RFC822' || item === 'RFC822.TEXT' || (item.startsWith('BODY[') && !item.startsWith('BODY.PEEK'));

function fetch(ctx: ImapContext, cmd: Command, args: string, uids: boolean): MachineOutput {
  const space = args.indexOf(' ');
  const numbers = space < 0 ? undefined : messageNumbers(args.slice(0, space), ctx.messages.length, uids);
  const wanted = space < 0 ? undefined : items(args.slice(space + 1));
  const name = uids ? 'UID FETCH' : 'FETCH';
  if (!numbers || !wanted) return tagged(ctx, cmd.tag, 'BAD', `Error in IMAP command ${name}: Invalid arguments.`);
  const stalling = stallAt(ctx, 'fetch');
  if (stalling) return stall(ctx, stalling);
  // §6.4.9: a UID FETCH response always carries the UID.
  const all = uids && !wanted.includes('UID') ? ['UID', ...wanted] : wanted;
  const responses: Piece[][] = [];
  for (const n of numbers) {
    const pieces: Piece[] = [];
    for (const item of all) {
      const got = piece(ctx, n, item);
      if (!got)
        return tagged(ctx, cmd.tag, 'BAD', `Error in IMAP command ${name}: Unknown data item ${item.slice(0, 32)}.`);
      pieces.push(...got);
    }
    if (!ctx.state.readOnly && all.some(setsSeen) && !ctx.state.seen.has(n)) {
      ctx.state.seen.add(n);
      if (!all.includes('FLAGS')) pieces.push({ text: 'FLAGS (\\Seen)' });
    }
    responses.push([{ text: `* ${n} FETCH (` }, ...pieces]);
  }
  return write(ctx, cmd, responses);
}

/** The responses on the wire, message 1's whole literal recorded as the payload, or cut by a fault. */
function write(ctx: ImapContext, cmd: Command, responses: Piece[][]): MachineOutput {
  const chunks: Buffer[] = [];
  const record: RecordedEvent[] = [];
  const half = stallAt(ctx, 'fetch-body');
  const truncate = ctx.fault('truncate-literal');
  for (const pieces of responses) {
    for (const [i, p] of pieces.entries()) {
      const sep = i > 1 ? ' ' : '';
      if ('text' in p) {
        chunks.push(Buffer.from(`${sep}${p.text}`, 'latin1'));
        continue;
      }
      chunks.push(Buffer.from(`${sep}${p.name} {${p.bytes.length}}\r\n`, 'latin1'));
      if (p.whole && (half || truncate)) {
        // The literal announced whole, then only part of it: silence, or the connection closed.
        const part = p.bytes.subarray(0, Math.floor(p.bytes.length * (truncate ? truncate.at : 0.5)));
        const sent = Buffer.concat([...chunks, part]);
        if (half) return { ...stall(ctx, half, sent), record: [faultEvent(half), payload(ctx, part, false)] };
        return { write: sent, close: true, record: [faultEvent(truncate!), payload(ctx, part, false)] };
      }
      chunks.push(p.bytes);
      if (p.whole) record.push(payload(ctx, p.bytes, true));
    }
    chunks.push(Buffer.from(')\r\n'));
  }
  // The data lines carry their own CRLFs: joined into one piece ahead of the completion.
  const out = tagged(ctx, cmd.tag, 'OK', 'Fetch completed.', { data: [Buffer.concat(chunks)], extra: { record } });
  return foreignTag(ctx, 'fetch', out);
}

function payload(ctx: ImapContext, sent: Buffer, complete: boolean): RecordedEvent {
  return {
    type: 'payload-sent',
    fields: { layer: ctx.state.layer, bytes: sent.length, sha256: sha256(sent), complete },
  };
}

export const FETCH_COMMANDS: readonly CommandDef[] = [
  { verb: 'FETCH', states: ['selected'], handle: (ctx, cmd) => fetch(ctx, cmd, cmd.argText, false) },
  {
    verb: 'UID',
    states: ['selected'],
    handle(ctx, cmd) {
      const m = /^fetch (.*)$/i.exec(cmd.argText);
      return m
        ? fetch(ctx, cmd, m[1]!, true)
        : tagged(ctx, cmd.tag, 'BAD', 'Error in IMAP command UID: Only UID FETCH is implemented.');
    },
  },
];
