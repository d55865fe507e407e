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
  /**
   * The TCP connection is accepted: before anything else, in plaintext, even on
   * an implicit-TLS port (bytes here are a plaintext banner before the handshake).
   */
  z.literal('connect'),
  /**
   * A TLS ClientHello arrives: on an implicit-TLS port, after a go-ahead, or
   * where a command line was expected (a client that took injected bytes or a
   * scripted go-ahead for an invitation). Without `normal` no handshake follows:
   * the rule's bytes (an `alert`, a plaintext answer) and its ending are all the
   * client gets, and plaintext it sends after the hello is recorded as a leak.
   */
  z.literal('client-hello'),
  /** Instead of (or around) the server's greeting. */
  z.literal('greeting'),
  /** SMTP: the end of the message data (the "." line after DATA), instead of (or around) the reply to it. */
  z.literal('message'),
  /** The moment a STARTTLS / STLS / AUTH TLS upgrade completes, before the client speaks inside TLS. */
  z.literal('tls'),
  z
    .object({
      /** The command's verb, any case (`EHLO`, `STLS`, `AUTH`), `*` for any, or a list (`[PASV, EPSV]`). */
      command: z.union([Verb, z.array(Verb).min(1)]),
      /** A regular expression the arguments must match (e.g. `^PLAIN`). Default: any. */
      args: z.string().refine(isRegExp, 'not a valid regular expression').optional(),
      /** Only in this layer. Default: either. */
      layer: z.enum(['plaintext', 'tls']).optional(),
      /** Only the Nth matching command (1 = the first). Default: every one, up to `times`. */
      nth: z.number().int().min(1).optional(),
    })
    .strict(),
]);
export type ScriptTrigger = z.infer<typeof ScriptTriggerSchema>;

/** HTTPS: an HTTP request (any, or by method and path pattern), answered instead of (or around) the server's response. */
export const RequestTriggerSchema = z.union([
  z.literal('connect'),
  z.literal('client-hello'),
  z.literal('request'),
  z
    .object({
      request: z
        .object({
          /** The method, any case (`GET`). Default: any. */
          method: z
            .string()
            .regex(/^[A-Za-z]+$/)
            .optional(),
          /** A regular expression the request target must match. Default: any. */
          path: z.string().refine(isRegExp, 'not a valid regular expression').optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type RequestTrigger = z.infer<typeof RequestTriggerSchema>;

/** TLS alert descriptions (RFC 8446 §6, RFC 5246 §7.2). */
export const ALERT_CODES = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;
export type AlertName = keyof typeof ALERT_CODES;
const AlertNameSchema = z.enum(Object.keys(ALERT_CODES) as [AlertName, ...AlertName[]]);

/**
 * The server's own answer, edited: what a man in the middle changes in a reply
 * it lets through, or a server that formats it wrongly.
 */
export const NormalEditSchema = z
  .object({
    /** Lines of the answer whose text (after any `250-` style prefix) matches this expression are left out (`^STARTTLS`). */
    drop: z.string().refine(isRegExp, 'not a valid regular expression').optional(),
    /** Lines added to a multi-line answer before its last line (`STARTTLS` into an EHLO reply, `STLS` into CAPA). */
    add: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Only this fraction of the answer's bytes is sent (0.5: the first half); what follows in the rule comes next. HTTPS: of the body, the head whole (0: the head alone). */
    cut: z.number().min(0).max(0.99).optional(),
    /** Lines end with a bare LF instead of CRLF. */
    lineEnd: z.enum(['lf', 'crlf']).optional(),
    /**
     * The reply that ends the exchange this command opens (an AUTH's outcome,
     * after its challenges and the credentials) is replaced by these lines.
     */
    final: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  })
  .strict();
export type NormalEdit = z.infer<typeof NormalEditSchema>;

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
  /** A fatal TLS alert record (RFC 8446 §6), in whatever layer is current: the way a server refuses a handshake. */
  z.object({ alert: AlertNameSchema }).strict(),
  /** The server's own answer here, edited (see NormalEditSchema). */
  z.object({ normal: NormalEditSchema }).strict(),
  /**
   * The session's state changes without the exchange that earns it:
   * `logged-in` as after a successful login (FTP 230, POP3 TRANSACTION, SMTP AUTH).
   */
  z.object({ state: z.enum(['logged-in']) }).strict(),
  /**
   * `normal`: the server's own answer here (its reply, and a TLS upgrade if it
   * is a go-ahead); without it, the rule's bytes replace that answer.
   * `starttls`: start TLS after the bytes so far (a go-ahead the server would not give).
   * `ignore`: answer nothing to this input, and go on serving the next (a
   * ClientHello swallowed, the session reading on in plaintext behind it).
   * `stall`: go silent, keeping the connection. `close`: end it (TLS close_notify
   * first when inside TLS). `close-without-notify`: end TCP under TLS with no
   * close_notify (a truncation attack's shape). `reset`: abort it (TCP RST).
   */
  z.enum(['normal', 'ignore', 'starttls', 'stall', 'close', 'close-without-notify', 'reset']),
]);
export type ScriptAction = z.infer<typeof ScriptActionSchema>;

export const ScriptRuleSchema = z
  .object({
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
  })
  .strict();
export type ScriptRule = z.infer<typeof ScriptRuleSchema>;

export const ScriptSchema = z.array(ScriptRuleSchema);

/**
 * A protocol's script: the shared rules, less the triggers it has no moment
 * for (POP3 and FTP have no `message`), refused at load time at the rule's `on`.
 */
export function scriptFor(
  protocol: string,
  without: ReadonlyArray<'message'>,
): z.ZodType<Script, z.input<typeof ScriptSchema>> {
  return ScriptSchema.superRefine((rules, ctx) => {
    rules.forEach((rule, i) => {
      if (typeof rule.on === 'string' && (without as readonly string[]).includes(rule.on)) {
        ctx.addIssue({ code: 'custom', path: [i, 'on'], message: `${protocol} has no '${rule.on}' trigger` });
      }
    });
  });
}

/** HTTPS rules: the same actions, on a request; a go-ahead to TLS has no meaning there. */
export const HttpsScriptSchema = z.array(
  z
    .object({
      on: RequestTriggerSchema,
      do: z
        .array(
          ScriptActionSchema.refine(
            (a) => a !== 'starttls' && !(typeof a === 'object' && 'state' in a),
            'HTTPS has no STARTTLS and no login state',
          ),
        )
        .min(1),
      times: z.number().int().min(1).optional(),
      optional: z.boolean().optional(),
    })
    .strict(),
);
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

/** The bytes a reply (lines, each with CRLF), send (escapes), hex or alert action writes. */
export function bytesOf(
  action: { reply: string | string[] } | { send: string } | { hex: string } | { alert: AlertName },
): Buffer {
  if ('reply' in action)
    return Buffer.from(
      [action.reply]
        .flat()
        .map((l) => `${l}\r\n`)
        .join(''),
      'latin1',
    );
  if ('send' in action) return unescape(action.send);
  // A TLS 1.2-framed record: type 21 (alert), level 2 (fatal), the description (RFC 8446 §5.1, §6).
  if ('alert' in action) return Buffer.from([21, 3, 3, 0, 2, 2, ALERT_CODES[action.alert]]);
  return Buffer.from(action.hex.replace(/\s+/g, ''), 'hex');
}

/** Does this action write bytes of its own (rather than time, state or an ending)? */
export const writesBytes = (
  a: ScriptAction,
): a is { reply: string | string[] } | { send: string } | { hex: string } | { alert: AlertName } =>
  typeof a === 'object' && ('reply' in a || 'send' in a || 'hex' in a || 'alert' in a);

/**
 * The server's own answer with a rule's edits: lines dropped or added (a
 * multi-line reply's `250-` continuation prefixes kept right), line ends
 * changed, then cut to a fraction of its bytes.
 */
export function editAnswer(bytes: Buffer, edit: NormalEdit): Buffer {
  let text = bytes.toString('latin1');
  if (edit.drop !== undefined || edit.add !== undefined) text = editLines(text, edit);
  if (edit.lineEnd === 'lf') text = text.replace(/\r\n/g, '\n');
  const out = Buffer.from(text, 'latin1');
  return edit.cut === undefined ? out : out.subarray(0, Math.floor(out.length * edit.cut));
}

function editLines(text: string, edit: NormalEdit): string {
  const lines = text.split('\r\n');
  const tail = lines.pop() ?? '';
  const prefixed = /^(\d{3})[ -]/.exec(lines[0] ?? '');
  const code = prefixed?.[1];
  const hasPrefix = (l: string): boolean => /^\d{3}[ -]/.test(l);
  const body = (l: string): string => (code && hasPrefix(l) ? l.slice(4) : l);
  // FTP's FEAT lists its features on lines of their own, each begun with a space (RFC 2389 §3.2): they stay so.
  const bare = Boolean(code) && lines.slice(1, -1).some((l) => !hasPrefix(l));
  // POP3's status line ("+OK") stays whatever it says.
  const drop = edit.drop === undefined ? undefined : new RegExp(edit.drop);
  let kept = drop ? lines.filter((l, i) => (!code && i === 0) || !drop.test(body(l))) : lines;
  if (edit.add !== undefined) {
    const added = [edit.add].flat();
    // Before the last line of SMTP's and FTP's replies and before POP3's "." terminator; after a single line.
    const terminated = code || kept[kept.length - 1] === '.';
    const at = Math.max(terminated ? kept.length - 1 : kept.length, 1);
    kept = [...kept.slice(0, at), ...added.map((a) => (code && !bare ? `${code}-${a}` : a)), ...kept.slice(at)];
  }
  // Every line but the last continues (RFC 5321 §4.2.1, RFC 959 §4.2); FEAT's bare lines between stay bare.
  if (code) {
    kept = kept.map((l, i) => {
      const last = i === kept.length - 1;
      if (bare && !last && i > 0 && !hasPrefix(l)) return l;
      return `${code}${last ? ' ' : '-'}${body(l)}`;
    });
  }
  return [...kept, tail].join('\r\n');
}

const show = (s: string): string => JSON.stringify(s);

function describeTrigger(t: ScriptTrigger | RequestTrigger): string {
  if (t === 'greeting') return 'at the greeting';
  if (t === 'connect') return 'when the connection is accepted';
  if (t === 'client-hello') return 'on a TLS ClientHello';
  if (t === 'message') return 'at the end of the message data';
  if (t === 'request') return 'on a request';
  if (typeof t === 'object' && 'request' in t)
    return `on a request${t.request.method ? ` ${t.request.method.toUpperCase()}` : ''}${t.request.path ? ` for /${t.request.path}/` : ''}`;
  if (t === 'tls') return 'once TLS is up';
  const which = t.nth ? `the ${ordinal(t.nth)} ` : '';
  return `on ${which}${[t.command]
    .flat()
    .map((v) => v.toUpperCase())
    .join(' or ')}${t.args ? ` matching /${t.args}/` : ''}${t.layer ? ` in ${t.layer}` : ''}`;
}

function describeAction(a: ScriptAction): string {
  if (typeof a === 'string') {
    return {
      normal: 'gives its normal answer',
      ignore: 'answers nothing and reads on',
      starttls: 'starts TLS',
      stall: 'goes silent',
      close: 'closes the connection',
      'close-without-notify': 'closes TCP with no TLS close_notify',
      reset: 'resets the connection',
    }[a];
  }
  if ('reply' in a) return `replies ${[a.reply].flat().map(show).join(' / ')}`;
  if ('send' in a) return `sends ${show(a.send)}`;
  if ('hex' in a) return `sends the bytes ${a.hex.replace(/\s+/g, '').replace(/(..)(?!$)/g, '$1 ')}`;
  if ('delay' in a) return `waits ${a.delay} ms`;
  if ('alert' in a) return `sends a fatal ${a.alert} alert`;
  if ('state' in a) return `acts as if the client had ${a.state === 'logged-in' ? 'logged in' : a.state}`;
  if ('normal' in a) return `gives its normal answer${describeEdit(a.normal)}`;
  return `trickles the rest one byte every ${a.trickle} ms`;
}

function describeEdit(e: NormalEdit): string {
  const parts = [
    e.drop !== undefined ? `without the lines matching /${e.drop}/` : '',
    e.add !== undefined ? `with ${[e.add].flat().map(show).join(', ')} added` : '',
    e.lineEnd === 'lf' ? 'with bare LF line ends' : '',
    e.final !== undefined ? `but ends the exchange with ${[e.final].flat().map(show).join(' / ')}` : '',
    e.cut !== undefined ? `cut after ${Math.round(e.cut * 100)}% of its bytes` : '',
  ].filter(Boolean);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

function ordinal(n: number): string {
  const s = ['th', 'st', 'nd', 'rd'][(n % 100 >= 11 && n % 100 <= 13) || n % 10 > 3 ? 0 : n % 10]!;
  return `${n}${s}`;
}

/** One sentence per rule, for `explain`, reports and the `fault` event of the rule. */
export function explainRule(rule: ScriptRule | HttpsScriptRule, index: number): string {
  return explainRuleWith<never>()(rule, index);
}

/**
 * explainRule for a protocol whose rules carry actions of their own besides
 * the shared ones (FTPS's `data`): `own` says those, as a phrase that follows
 * "the server" ("closes the data connection with nothing on it").
 */
export function explainRuleWith<A>(own?: (action: A) => string): (
  rule: {
    on: ScriptTrigger | RequestTrigger;
    do: Array<ScriptAction | A>;
    times?: number | undefined;
    optional?: boolean | undefined;
  },
  index: number,
) => string {
  return (rule, index) => {
    const times = rule.times && rule.times > 1 ? ` (up to ${rule.times} times)` : '';
    const optional = rule.optional ? ' (if the client gets there)' : '';
    return `rule ${index + 1}: ${describeTrigger(rule.on)}${times}${optional}, the server ${rule.do.map((a) => (own && !isShared(a) ? own(a as A) : describeAction(a as ScriptAction))).join(', then ')}`;
  };
}

/** An action of the shared vocabulary (as opposed to one a protocol adds). */
const isShared = (a: unknown): a is ScriptAction => ScriptActionSchema.safeParse(a).success;

/** The name a rule's `fault` event carries, which the judge's reach check looks for. */
export const ruleName = (index: number): string => `script-rule-${index + 1}`;
