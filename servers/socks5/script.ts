/**
 * SOCKS5 scripts: the shared script vocabulary (servers/shared/script/schema.ts)
 * on the stages of a binary protocol. A rule's trigger is a stage of RFC 1928 /
 * RFC 1929 (the greeting, the sub-negotiation, the request, BIND's peer, a
 * reply datagram, a point in the tunnel); its actions are the stage's answer as
 * raw bytes (`hex`, `send`), the proxy's own answer (`normal`, or cut short), a
 * reply built from fields, decoy datagrams, timing and an ending. A rule that
 * does not end the connection lets the proxy carry on as if its answer had
 * been its own: after a scripted failure reply the tunnel is opened anyway.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { RecordedEvent } from '../shared/events.js';
import { NormalEditSchema, ScriptActionSchema, type ScriptAction } from '../shared/script/schema.js';
import { encodeAddress, hex, REPLY_TEXT } from './wire.js';

/** The moments a SOCKS5 rule can answer, in the order a session meets them. */
export const SOCKS5_STAGES = ['connect', 'greeting', 'auth', 'request', 'bind-peer', 'datagram', 'tunnel'] as const;
export type Socks5Stage = (typeof SOCKS5_STAGES)[number];

const COMMANDS = ['connect', 'bind', 'udp-associate'] as const;
export type Socks5Command = (typeof COMMANDS)[number];
const CommandSchema = z.enum(COMMANDS);

/** The shared action of this key (`send`, `hex`, `delay`, `trickle`), as the shared schema defines it. */
function shared<K extends 'send' | 'hex' | 'delay' | 'trickle'>(
  key: K,
): z.ZodObject<{ [P in K]: z.ZodType<Extract<ScriptAction, Record<K, unknown>>[K]> }> {
  const found = ScriptActionSchema.options.find((o) => o instanceof z.ZodObject && key in o.shape);
  if (!found) throw new Error(`the shared script schema has no '${key}' action`);
  return found as never;
}
const Send = shared('send');
const Hex = shared('hex');

const Byte = z.number().int().min(0).max(255);

export const Socks5TriggerSchema = z.union([
  /**
   * `connect`: the connection is accepted, before the greeting (bytes here come
   * unasked). `greeting`: the method-selection request (RFC 1928 §3), answered
   * by the method selection. `auth`: the username/password sub-negotiation
   * (RFC 1929 §2), answered by its status. `request`: any request (RFC 1928 §4),
   * answered by the reply (§6). `bind-peer`: BIND's peer connected, answered by
   * the second reply. `datagram`: a reply datagram from the UDP target, before
   * the relay sends it on (decoys go first). `tunnel`: the target's first bytes
   * reach the tunnel, before any is relayed.
   */
  z.enum(SOCKS5_STAGES),
  /** A request of this command (or one of these). */
  z
    .object({ request: z.object({ command: z.union([CommandSchema, z.array(CommandSchema).min(1)]) }).strict() })
    .strict(),
  /** The tunnel, once this many bytes from the target have reached the client (the next bytes wait for the rule). */
  z.object({ tunnel: z.object({ after: z.number().int().min(0) }).strict() }).strict(),
]);
export type Socks5Trigger = z.infer<typeof Socks5TriggerSchema>;

/** A reply (RFC 1928 §6) built from fields; each one left out is the proxy's own. */
export const ReplyFieldsSchema = z
  .object({
    /** VER. Default 5. */
    ver: Byte.optional(),
    /** REP: 0 succeeded, 1 general failure … 8 address type not supported. Default: the proxy's own outcome. */
    rep: Byte.optional(),
    /** RSV. Default 0. */
    rsv: Byte.optional(),
    /** The ATYP byte, written before BND.ADDR's bytes (which keep their own length): an undefined one (5) is a lie about them. Default: BND.ADDR's own. */
    atyp: Byte.optional(),
    /** BND.ADDR: an IPv4 or IPv6 literal, or a name (ATYP 3, at most 255 bytes). Default: the address the proxy bound. */
    addr: z
      .string()
      .min(1)
      .refine((a) => isIP(a) !== 0 || Buffer.byteLength(a, 'latin1') <= 255, 'a name of at most 255 bytes')
      .optional(),
    /** BND.PORT. Default: the port the proxy bound. */
    port: z.number().int().min(0).max(65535).optional(),
  })
  .strict();
export type ReplyFields = z.infer<typeof ReplyFieldsSchema>;

/** A datagram the relay sends to the client (RFC 1928 §7). */
export const DatagramFieldsSchema = z
  .object({
    /** FRAG in the real answer's header. Default 0. */
    frag: Byte.optional(),
    /** The whole header instead, in hex (`00 00 00 05 7f 00 00 01 00 00`: an undefined ATYP). */
    header: Hex.shape.hex.optional(),
    /** DATA, with the escapes of `send`. Default: a line saying the datagram is a decoy. */
    data: Send.shape.send.optional(),
    /** `stranger`: sent from another UDP port than the relay's. Default `relay`. */
    from: z.enum(['relay', 'stranger']).optional(),
  })
  .strict();
export type DatagramFields = z.infer<typeof DatagramFieldsSchema>;

export const Socks5ActionSchema = z.union([
  /**
   * `normal`: the proxy's own answer here (at `request`: the request carried
   * out, then its reply). `hold`: what follows is held back and leaves in one
   * write with the proxy's next bytes (BIND's second reply in the segment of the
   * peer's first bytes). `stall`: go silent, keeping the connection. `close`:
   * end it. `reset`: abort it (TCP RST). With no ending the proxy carries on.
   */
  z.enum(['normal', 'hold', 'stall', 'close', 'reset']),
  Send,
  Hex,
  shared('delay'),
  shared('trickle'),
  /** The proxy's own answer, cut to this fraction of its bytes (`cut: 0.5`: a 10-byte reply's first 5). */
  z.object({ normal: NormalEditSchema.pick({ cut: true }).strict() }).strict(),
  /** `request`, `bind-peer`: a reply built from fields (the rest the proxy's own). */
  z.object({ reply: ReplyFieldsSchema }).strict(),
  /** `datagram`: a datagram to the client, before (or instead of) the real one. */
  z.object({ datagram: DatagramFieldsSchema }).strict(),
]);
export type Socks5Action = z.infer<typeof Socks5ActionSchema>;

const RuleSchema = z
  .object({
    on: Socks5TriggerSchema,
    do: z.array(Socks5ActionSchema).min(1),
    /** How many times the rule fires on a connection at most (a tunnel point passes once). Default 1. */
    times: z.number().int().min(1).optional(),
    /** The rule may rightly never fire (it answers what only some clients do). Default false. */
    optional: z.boolean().optional(),
  })
  .strict();
export type Socks5Rule = z.infer<typeof RuleSchema>;

export const stageOf = (on: Socks5Trigger): Socks5Stage =>
  typeof on === 'string' ? on : 'request' in on ? 'request' : 'tunnel';

const ENDINGS = new Set<unknown>(['stall', 'close', 'reset']);
const kindOf = (a: Socks5Action): string => (typeof a === 'string' ? a : Object.keys(a)[0]!);

/** What each stage's rule may do; what a stage has no meaning for is refused at load time, at the action. */
const ALLOWED: Record<Socks5Stage, ReadonlySet<string>> = (() => {
  const timing = ['send', 'hex', 'delay', 'trickle', 'hold', 'stall', 'close', 'reset'];
  return {
    connect: new Set(timing),
    greeting: new Set([...timing, 'normal']),
    auth: new Set([...timing, 'normal']),
    request: new Set([...timing, 'normal', 'reply']),
    'bind-peer': new Set([...timing, 'normal', 'reply']),
    datagram: new Set(['send', 'hex', 'delay', 'normal', 'datagram']),
    tunnel: new Set(timing.concat('normal')),
  };
})();

export const Socks5ScriptSchema = z.array(RuleSchema).superRefine((rules, ctx) => {
  rules.forEach((rule, i) => {
    const stage = stageOf(rule.on);
    rule.do.forEach((a, j) => {
      const kind = kindOf(a);
      if (!ALLOWED[stage].has(kind))
        ctx.addIssue({ code: 'custom', path: [i, 'do', j], message: `'${kind}' has no meaning on '${stage}'` });
      if (stage === 'tunnel' && typeof a === 'object' && 'normal' in a)
        ctx.addIssue({ code: 'custom', path: [i, 'do', j], message: 'the tunnel has no answer of its own to cut' });
      if (j > 0 && ENDINGS.has(rule.do[j - 1]))
        ctx.addIssue({ code: 'custom', path: [i, 'do', j], message: `nothing follows '${kindOf(rule.do[j - 1]!)}'` });
    });
  });
});
export type Socks5Script = z.infer<typeof Socks5ScriptSchema>;

/** Where a session is, for matching: the stage, and a request's command. */
export type Moment =
  | { stage: Exclude<Socks5Stage, 'request' | 'tunnel'> }
  | { stage: 'request'; command: Socks5Command };

/** A connection's rules, with how often each fired (rules are counted per connection). */
export class Socks5Rules {
  private readonly fired: number[];
  constructor(readonly rules: Socks5Script) {
    this.fired = rules.map(() => 0);
  }

  /** The first rule, not yet spent, whose trigger is this moment; counted as fired. */
  match(m: Moment): number | undefined {
    const i = this.rules.findIndex((r, at) => this.fired[at]! < (r.times ?? 1) && matches(r.on, m));
    if (i < 0) return undefined;
    this.fired[i]!++;
    return i;
  }

  /** The tunnel's rules, by the count of the target's bytes each waits for, smallest first. */
  tunnelPoints(): Array<{ index: number; after: number }> {
    return this.rules
      .flatMap((r, index) =>
        stageOf(r.on) === 'tunnel'
          ? [{ index, after: typeof r.on === 'object' && 'tunnel' in r.on ? r.on.tunnel.after : 0 }]
          : [],
      )
      .sort((a, b) => a.after - b.after);
  }
}

function matches(on: Socks5Trigger, m: Moment): boolean {
  if (typeof on === 'string') return on === m.stage;
  if (!('request' in on) || m.stage !== 'request') return false;
  return [on.request.command].flat().includes(m.command);
}

/** A reply from fields over the proxy's own (`base`): VER REP RSV ATYP BND.ADDR BND.PORT. */
export function replyOf(fields: ReplyFields, base: { rep: number; addr: string; port: number }): Buffer {
  const address = Buffer.from(encodeAddress(fields.addr ?? base.addr));
  if (fields.atyp !== undefined) address[0] = fields.atyp;
  const port = Buffer.alloc(2);
  port.writeUInt16BE(fields.port ?? base.port);
  return Buffer.concat([Buffer.from([fields.ver ?? 5, fields.rep ?? base.rep, fields.rsv ?? 0]), address, port]);
}

/**
 * Scripted bytes as the proxy records its own answer at that stage: the method
 * selection's METHOD, the status, the reply's REP (its second byte, once there).
 * Bytes at `connect`, in the tunnel or in datagrams answer nothing: not recorded.
 */
export function recordOf(stage: Socks5Stage, bytes: Buffer): RecordedEvent | undefined {
  const second = bytes.length >= 2 ? hex(bytes[1]!) : undefined;
  const text = `scripted: ${bytes.subarray(0, 32).toString('hex')}${bytes.length > 32 ? '…' : ''}`;
  const reply = (code: string): RecordedEvent => ({ type: 'reply', fields: { layer: 'plaintext', code, text } });
  if (stage === 'greeting') return reply(second ? `method=${second}` : 'partial');
  if (stage === 'auth') return reply(second ? `auth=${second}` : 'partial');
  if (stage === 'request' || stage === 'bind-peer') {
    if (!second) return reply('partial');
    const ver = bytes[0] !== 5 ? ` (version ${bytes[0]})` : '';
    return {
      type: 'reply',
      fields: {
        layer: 'plaintext',
        code: second,
        text: `${stage === 'bind-peer' ? 'BIND second reply: ' : ''}${REPLY_TEXT[bytes[1]!] ?? 'undefined reply code'}${ver}, ${text}`,
      },
    };
  }
  return undefined;
}
