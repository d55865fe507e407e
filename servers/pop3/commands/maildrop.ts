/** STAT, LIST, UIDL, RETR, TOP, DELE, RSET: the TRANSACTION state (RFC 1939 §5, §7). */
import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import { sha256, stuff, uid } from '../mailbox.js';
import type { Pop3Context } from '../session.js';
import { err, faultEvent, multiline, ok, stall, stallAt } from '../session.js';
import type { CommandDef } from './types.js';

const TRANSACTION = ['transaction'] as const;

/** The message a number names, unless absent or deleted (RFC 1939 §5). */
function pick(ctx: Pop3Context, arg: string): { n: number; message: Buffer } | string {
  if (!/^[1-9]\d{0,5}$/.test(arg)) return 'Invalid message number.';
  const n = Number(arg);
  const message = ctx.messages[n - 1];
  if (!message || ctx.state.deleted.has(n)) return 'There is no message ' + arg + '.';
  return { n, message };
}

function live(ctx: Pop3Context): { n: number; message: Buffer }[] {
  return ctx.messages.map((message, i) => ({ n: i + 1, message })).filter(({ n }) => !ctx.state.deleted.has(n));
}

/** A scan listing of every message (LIST) or of one (LIST n); UIDL alike. */
function listing(ctx: Pop3Context, arg: string, show: (m: Buffer) => string): MachineOutput {
  if (arg) {
    const one = pick(ctx, arg);
    return typeof one === 'string' ? err(ctx, one) : ok(ctx, `${one.n} ${show(one.message)}`);
  }
  const lines = live(ctx)
    .map(({ n, message }) => `${n} ${show(message)}\r\n`)
    .join('');
  return multiline(ctx, '', Buffer.from(`${lines}.\r\n`));
}

function payload(ctx: Pop3Context, sent: Buffer, complete: boolean): RecordedEvent {
  return {
    type: 'payload-sent',
    fields: { layer: ctx.state.layer, bytes: sent.length, sha256: sha256(sent), complete },
  };
}

/** RETR, with the faults that break it: no answer, half and silence, half and close. */
function retrieve(ctx: Pop3Context, args: string): MachineOutput {
  const one = pick(ctx, args);
  if (typeof one === 'string') return err(ctx, one);
  const stalling = stallAt(ctx, 'retr');
  if (stalling) return stall(ctx, stalling);
  const status = `${one.message.length} octets`;
  const half = stallAt(ctx, 'retr-body');
  const truncate = ctx.fault('truncate-retr');
  if (half || truncate) {
    const part = one.message.subarray(0, Math.floor(one.message.length * (truncate ? truncate.at : 0.5)));
    const done = half ? stall(ctx, half) : { close: true, record: [faultEvent(truncate!)] };
    return multiline(ctx, status, stuff(part, false), {
      ...done,
      record: [...(done.record ?? []), payload(ctx, part, false)],
    });
  }
  return multiline(ctx, status, stuff(one.message), { record: [payload(ctx, one.message, true)] });
}

/** RFC 1939 §7 TOP: the header, the blank line, and the first `lines` lines of the body. */
function top(ctx: Pop3Context, args: string): MachineOutput {
  const [num = '', count = ''] = args.split(' ');
  const one = pick(ctx, num);
  if (typeof one === 'string') return err(ctx, one);
  if (!/^\d{1,6}$/.test(count)) return err(ctx, 'Invalid number of lines.');
  const text = one.message.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split + 4);
  const body =
    split < 0
      ? []
      : text
          .slice(split + 4)
          .split('\r\n')
          .slice(0, Number(count));
  const shown = head + body.map((l) => `${l}\r\n`).join('');
  return multiline(ctx, '', stuff(Buffer.from(shown.replace(/(\r\n)+$/, '\r\n'), 'latin1')));
}

export const MAILDROP_COMMANDS: readonly CommandDef[] = [
  {
    verb: 'STAT',
    phases: TRANSACTION,
    handle: (ctx) => {
      const all = live(ctx);
      return ok(ctx, `${all.length} ${all.reduce((sum, { message }) => sum + message.length, 0)}`);
    },
  },
  { verb: 'LIST', phases: TRANSACTION, handle: (ctx, args) => listing(ctx, args, (m) => String(m.length)) },
  {
    verb: 'UIDL',
    capability: { keyword: 'UIDL', line: 'UIDL' },
    phases: TRANSACTION,
    handle: (ctx, args) => listing(ctx, args, uid),
  },
  { verb: 'RETR', phases: TRANSACTION, handle: retrieve },
  { verb: 'TOP', capability: { keyword: 'TOP', line: 'TOP' }, phases: TRANSACTION, handle: top },
  {
    verb: 'DELE',
    phases: TRANSACTION,
    handle: (ctx, args) => {
      const one = pick(ctx, args);
      if (typeof one === 'string') return err(ctx, one);
      ctx.state.deleted.add(one.n);
      return ok(ctx, 'Marked to be deleted.');
    },
  },
  {
    verb: 'RSET',
    phases: TRANSACTION,
    handle: (ctx) => {
      ctx.state.deleted.clear();
      return ok(ctx, '');
    },
  },
];
