/**
 * Scripted misbehaviour as data: rules a suite writes under `server.script`,
 * each a trigger and the actions that answer it, for any reply, any bytes, at
 * any step. A named fault is a preset of the same power; a script says what no
 * preset does (EHLO answered 421, STARTTLS answered 221, garbage behind the
 * go-ahead, a reply injected behind a refusal, a trickle).
 */
import { z } from 'zod';
import { isRegExp } from '../regexp.js';

/** Escapes a suite may write in `send`: \r \n \t \\ \0 and \xHH. */
const ESCAPED = /^(?:[^\\]|\\[rnt0\\]|\\x[0-9a-fA-F]{2})*$/;

const Verb = z.string().regex(/^[A-Za-z*]+$/, 'a verb, letters only');

/** When a rule fires: the greeting, the upgrade to TLS, or a command the client sent (the Nth such, in a layer). */
export const ScriptTriggerSchema = z.union([
  /** Instead of (or around) the server's greeting. */
  z.literal('greeting'),
  /** The moment a STARTTLS / STLS / AUTH TLS upgrade completes, before the client speaks inside TLS. */
  z.literal('tls'),
  z.object({
    /** The command's verb, any case (`EHLO`, `STLS`, `AUTH`), `*` for any, or a list (`[PASV, EPSV]`). */
    command: z.union([Verb, z.array(Verb).min(1)]),
    /** A regular expression the arguments must match (e.g. `^PLAIN`). Default: any. */
    args: z.string().refine(isRegExp, 'not a valid regular expression').optional(),
    /** Only in this layer. Default: either. */
    layer: z.enum(['plaintext', 'tls']).optional(),
    /** Only the Nth matching command (1 = the first). Default: every one, up to `times`. */
    nth: z.number().int().min(1).optional(),
  }).strict(),
]);
export type ScriptTrigger = z.infer<typeof ScriptTriggerSchema>;

/** HTTPS: an HTTP request (any, or by method and path pattern), answered instead of (or around) the server's response. */
export const RequestTriggerSchema = z.union([
  z.literal('request'),
  z.object({
    request: z.object({
      /** The method, any case (`GET`). Default: any. */
      method: z.string().regex(/^[A-Za-z]+$/).optional(),
      /** A regular expression the request target must match. Default: any. */
      path: z.string().refine(isRegExp, 'not a valid regular expression').optional(),
    }).strict(),
  }).strict(),
]);
export type RequestTrigger = z.infer<typeof RequestTriggerSchema>;

/** What the server does, in order. */
export const ScriptActionSchema = z.union([
  /** Reply lines, each sent with CRLF: `"221 Bye"`, or a multi-line list. */
  z.object({ reply: z.union([z.string(), z.array(z.string()).min(1)]) }).strict(),
  /** Raw bytes with escapes (\r \n \t \\ \0 \xHH), no line end added. */
  z.object({ send: z.string().regex(ESCAPED, 'only \\r \\n \\t \\\\ \\0 and \\xHH escapes') }).strict(),
  /** Raw bytes in hex (`16 03 01 00 05`). */
  z.object({ hex: z.string().regex(/^(?:\s*[0-9a-fA-F]{2})*\s*$/, 'pairs of hex digits') }).strict(),
  /** Wait this long before what follows (ms). */
  z.object({ delay: z.number().int().min(0).max(60_000) }).strict(),
  /** Send everything after this one byte at a time, this many ms apart. */
  z.object({ trickle: z.number().int().min(1).max(10_000) }).strict(),
  /**
   * `normal`: the server's own answer here (its reply, and a TLS upgrade if it
   * is a go-ahead); without it, the rule's bytes replace that answer.
   * `starttls`: start TLS after the bytes so far (a go-ahead the server would not give).
   * `stall`: go silent, keeping the connection. `close`: end it (TLS close_notify
   * first when inside TLS). `close-without-notify`: end TCP under TLS with no
   * close_notify (a truncation attack's shape). `reset`: abort it (TCP RST).
   */
  z.enum(['normal', 'starttls', 'stall', 'close', 'close-without-notify', 'reset']),
]);
export type ScriptAction = z.infer<typeof ScriptActionSchema>;

export const ScriptRuleSchema = z.object({
  on: ScriptTriggerSchema,
  do: z.array(ScriptActionSchema).min(1),
  /** How many times the rule fires at most. Default 1. */
  times: z.number().int().min(1).optional(),
  /**
   * The rule may rightly never fire (it answers a command only some clients
   * send): a client that never meets it still reaches the case. Default false:
   * a rule that never matched means the client never reached the point under test.
   */
  optional: z.boolean().optional(),
}).strict();
export type ScriptRule = z.infer<typeof ScriptRuleSchema>;

export const ScriptSchema = z.array(ScriptRuleSchema);

/** HTTPS rules: the same actions, on a request; a go-ahead to TLS has no meaning there. */
export const HttpsScriptSchema = z.array(z.object({
  on: RequestTriggerSchema,
  do: z.array(ScriptActionSchema.refine((a) => a !== 'starttls', 'HTTPS has no STARTTLS')).min(1),
  times: z.number().int().min(1).optional(),
  optional: z.boolean().optional(),
}).strict());
export type HttpsScriptRule = z.infer<typeof HttpsScriptSchema>[number];
export type Script = z.infer<typeof ScriptSchema>;

/** The bytes an escaped `send` string stands for. */
export function unescape(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'latin1'));
      continue;
    }
    const next = text[++i];
    if (next === 'x') {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push({ r: 13, n: 10, t: 9, '0': 0, '\\': 92 }[next as 'r'] ?? 92);
  }
  return Buffer.from(out);
}

/** The bytes a reply (lines, each with CRLF), send (escapes) or hex action writes. */
export function bytesOf(action: { reply: string | string[] } | { send: string } | { hex: string }): Buffer {
  if ('reply' in action) return Buffer.from([action.reply].flat().map((l) => `${l}\r\n`).join(''), 'latin1');
  if ('send' in action) return unescape(action.send);
  return Buffer.from(action.hex.replace(/\s+/g, ''), 'hex');
}

const show = (s: string): string => JSON.stringify(s);

function describeTrigger(t: ScriptTrigger | RequestTrigger): string {
  if (t === 'greeting') return 'at the greeting';
  if (t === 'request') return 'on a request';
  if (typeof t === 'object' && 'request' in t) return `on a request${t.request.method ? ` ${t.request.method.toUpperCase()}` : ''}${t.request.path ? ` for /${t.request.path}/` : ''}`;
  if (t === 'tls') return 'once TLS is up';
  const which = t.nth ? `the ${ordinal(t.nth)} ` : '';
  return `on ${which}${[t.command].flat().map((v) => v.toUpperCase()).join(' or ')}${t.args ? ` matching /${t.args}/` : ''}${t.layer ? ` in ${t.layer}` : ''}`;
}

function describeAction(a: ScriptAction): string {
  if (typeof a === 'string') {
    return {
      normal: 'gives its normal answer', starttls: 'starts TLS', stall: 'goes silent', close: 'closes the connection',
      'close-without-notify': 'closes TCP with no TLS close_notify', reset: 'resets the connection',
    }[a];
  }
  if ('reply' in a) return `replies ${[a.reply].flat().map(show).join(' / ')}`;
  if ('send' in a) return `sends ${show(a.send)}`;
  if ('hex' in a) return `sends the bytes ${a.hex.replace(/\s+/g, '').replace(/(..)(?!$)/g, '$1 ')}`;
  if ('delay' in a) return `waits ${a.delay} ms`;
  return `trickles the rest one byte every ${a.trickle} ms`;
}

function ordinal(n: number): string {
  const s = ['th', 'st', 'nd', 'rd'][(n % 100 >= 11 && n % 100 <= 13) || n % 10 > 3 ? 0 : n % 10]!;
  return `${n}${s}`;
}

/** One sentence per rule, for `explain`, reports and the `fault` event of the rule. */
export function explainRule(rule: ScriptRule | HttpsScriptRule, index: number): string {
  const times = rule.times && rule.times > 1 ? ` (up to ${rule.times} times)` : '';
  const optional = rule.optional ? ' (if the client gets there)' : '';
  return `rule ${index + 1}: ${describeTrigger(rule.on)}${times}${optional}, the server ${rule.do.map(describeAction).join(', then ')}`;
}

/** The name a rule's `fault` event carries, which the judge's reach check looks for. */
export const ruleName = (index: number): string => `script-rule-${index + 1}`;
