/**
 * The FTPS script: the shared rules (servers/shared/script/schema.ts) plus one
 * action of FTP's own, `data`, for what the shared vocabulary cannot reach:
 * the data channel (RFC 959 §3.2, RFC 4217 §7), which a command's answer opens
 * and whose end it reports later. A `data` action stands beside `normal` in a
 * rule on a data command: the server's own answer goes on (the listener, the
 * transfer), changed as the action says. The named data-channel faults are
 * the same changes under a name (servers/ftps/data.ts carries both out).
 *
 * What `normal` means on such a command: the server's whole answer, from the
 * preliminary reply (150) through the data connection to the reply that ends
 * it (227/229 for PASV/EPSV, 226 or a failure for a transfer). Its edits
 * (lineEnd, add, drop, cut) apply to each of those replies; `final` replaces
 * the reply that ends it; what follows `normal` in the rule (bytes, a close)
 * comes after that end.
 */
import { z } from 'zod';
import {
  explainRuleWith,
  ScriptActionSchema,
  ScriptRuleSchema,
  type ScriptAction,
  type ScriptRule,
} from '../shared/script/schema.js';

/** The passive commands, whose answer is a listener (RFC 959 §4.1.2, RFC 2428 §3). */
export const PASSIVE_VERBS = ['PASV', 'EPSV'] as const;
/** The commands that move data over the data connection (RFC 959 §4.1.3, RFC 3659 §7). */
export const TRANSFER_VERBS = ['RETR', 'STOR', 'LIST', 'NLST', 'MLSD'] as const;

/** What the data channel does differently for the command's data work. At least one field. */
export const DataEditSchema = z
  .object({
    /**
     * PASV/EPSV: the 227 reply names this address instead of the server's (the
     * listener stays where it is), and a trap listens there on the same port,
     * recording a client that follows it (CVE-2020-8284). A loopback address.
     */
    address: z
      .string()
      .regex(/^127\.\d+\.\d+\.\d+$/, 'a loopback address (127.x.y.z)')
      .optional(),
    /** `false`: the transfer's preliminary reply (150, RFC 959 §5.4) is left out; the reply that ends it comes alone. */
    preliminary: z.literal(false).optional(),
    /**
     * `refuse`: the data connection is never made (active) or closed at once
     * (passive): the transfer fails with 425. `close`: it is made, then closed
     * with nothing on it, and the transfer is reported done.
     */
    connection: z.enum(['refuse', 'close']).optional(),
    /** `false`: the data connection is served in clear, even after PROT P (RFC 4217 §9 says it must not be). */
    tls: z.literal(false).optional(),
    /** Only this fraction of what the server sends (a download, a listing) crosses. */
    cut: z.number().min(0).max(0.99).optional(),
    /**
     * How the data connection ends after what the server sends: `close` (TLS
     * close_notify first, the default), `close-without-notify` (TCP ends under
     * TLS: a truncation's shape, RFC 8446 §6.1), `reset` (TCP RST).
     */
    end: z.enum(['close', 'close-without-notify', 'reset']).optional(),
  })
  .strict()
  .refine((d) => Object.keys(d).length > 0, 'say what the data channel does differently')
  .refine(
    (d) => d.connection !== 'refuse' || (d.tls === undefined && d.cut === undefined && d.end === undefined),
    'a refused data connection carries nothing: no tls, cut or end',
  );
export type DataEdit = z.infer<typeof DataEditSchema>;

export const DataActionSchema = z.object({ data: DataEditSchema }).strict();
export type DataAction = z.infer<typeof DataActionSchema>;

export const FtpsScriptActionSchema = z.union([ScriptActionSchema, DataActionSchema]);
export type FtpsScriptAction = ScriptAction | DataAction;

export const FtpsScriptRuleSchema = ScriptRuleSchema.extend({ do: z.array(FtpsScriptActionSchema).min(1) });
export type FtpsScriptRule = Omit<ScriptRule, 'do'> & { do: FtpsScriptAction[] };

export const isData = (a: FtpsScriptAction): a is DataAction => typeof a === 'object' && 'data' in a;
export const isNormal = (a: FtpsScriptAction): a is Extract<ScriptAction, 'normal' | { normal: unknown }> =>
  a === 'normal' || (typeof a === 'object' && 'normal' in a);

const TRANSFER_FIELDS = ['preliminary', 'connection', 'tls', 'cut', 'end'] as const;

/**
 * A rule's `data` action where it can act: on a command (the data work is
 * the answer's), beside `normal` (without it the server's answer, and its
 * data work, never happen), on verbs that open such work.
 */
function dataProblems(rule: FtpsScriptRule): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  rule.do.forEach((a, j) => {
    if (!isData(a)) return;
    const at = ['do', j, 'data'];
    if (typeof rule.on !== 'object')
      return void problems.push({
        path: ['on'],
        message: 'a data action acts on the data work a command opens: its trigger is a command',
      });
    if (!rule.do.some(isNormal))
      problems.push({
        path: at,
        message: "a data action changes the server's own answer: put `normal` in the same rule",
      });
    if (rule.do.filter(isData).length > 1 && rule.do.findIndex(isData) !== j)
      problems.push({ path: at, message: 'one data action per rule' });
    const verbs = [rule.on.command].flat().map((v) => v.toUpperCase());
    if (verbs.includes('*')) return;
    if (a.data.address !== undefined && !verbs.some((v) => (PASSIVE_VERBS as readonly string[]).includes(v))) {
      problems.push({
        path: [...at, 'address'],
        message: `address changes a passive reply: the rule's commands (${verbs.join(', ')}) include no PASV or EPSV`,
      });
    }
    // An upload is the client's to send: nothing of the server's to cut or end.
    for (const field of ['cut', 'end'] as const) {
      if (a.data[field] !== undefined && verbs.every((v) => v === 'STOR'))
        problems.push({ path: [...at, field], message: `${field} changes what the server sends: STOR sends nothing` });
    }
    for (const field of TRANSFER_FIELDS) {
      if (a.data[field] !== undefined && !verbs.some((v) => (TRANSFER_VERBS as readonly string[]).includes(v))) {
        problems.push({
          path: [...at, field],
          message: `${field} changes a transfer: the rule's commands (${verbs.join(', ')}) include none of ${TRANSFER_VERBS.join(', ')}`,
        });
      }
    }
  });
  return problems;
}

/** A case's FTPS script; FTP has no `message` moment (that is SMTP's end of DATA). */
export const FtpsScriptSchema = z.array(FtpsScriptRuleSchema).superRefine((rules, ctx) => {
  rules.forEach((rule, i) => {
    if (rule.on === 'message')
      ctx.addIssue({ code: 'custom', path: [i, 'on'], message: "FTPS has no 'message' trigger" });
    for (const p of dataProblems(rule as FtpsScriptRule))
      ctx.addIssue({ code: 'custom', path: [i, ...p.path], message: p.message });
  });
});
export type FtpsScript = FtpsScriptRule[];

const pct = (f: number): string => `${Math.round(f * 100)}%`;

/** A data action as a phrase after "the server". */
export function describeData({ data: d }: DataAction): string {
  const parts = [
    d.address !== undefined
      ? `names ${d.address} in its passive reply, where a trap records a client that follows it`
      : '',
    d.preliminary === false ? 'leaves out the preliminary reply (150)' : '',
    d.connection === 'refuse' ? 'never opens the data connection (a passive one is closed at once)' : '',
    d.connection === 'close' ? 'closes the data connection with nothing on it' : '',
    d.tls === false ? 'serves the data connection in clear whatever PROT says' : '',
    d.cut !== undefined ? `sends only ${pct(d.cut)} of the data` : '',
    d.end === 'close' ? 'ends the data connection with close_notify' : '',
    d.end === 'close-without-notify' ? 'ends the data connection without close_notify' : '',
    d.end === 'reset' ? 'resets the data connection' : '',
  ].filter(Boolean);
  return `on the data channel ${parts.join(', ')}`;
}

/** One sentence per FTPS rule (explainRule, with the data action said too). */
export const explainFtpsRule: (rule: FtpsScriptRule, index: number) => string =
  explainRuleWith<DataAction>(describeData);
