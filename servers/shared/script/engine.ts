/**
 * Runs a script over a line protocol's machine: a LineMachine around the
 * protocol's own, pure like it. A rule whose trigger matches answers instead of
 * the machine (or around it, with `normal`); every other line goes to the
 * machine untouched. Each firing is recorded as a `fault` event named after the
 * rule, so the judge sees the client reach it, and a rule that never fired
 * is known at the end.
 */
import { redactCommandLine } from '../redact.js';
import { faultEventOf } from '../fault-kit.js';
import type { Layer, RecordedEvent } from '../events.js';
import type { LineMachine, MachineOutput, Segment } from '../line-session.js';
import {
  bytesOf,
  editAnswer,
  explainRule,
  ruleName,
  writesBytes,
  type NormalEdit,
  type Script,
  type ScriptAction,
  type ScriptRule,
} from './schema.js';

interface Armed {
  rule: ScriptRule;
  index: number;
  /** Commands that matched its trigger so far (for `nth`). */
  seen: number;
  fired: number;
}

/** The protocol-specific knowledge the engine needs: none but a machine to read lines it does not answer itself. */
export interface ScriptedOptions<O extends MachineOutput> {
  /** The protocol's own machine: answers what no rule takes, and whatever `normal` asks. */
  machine: LineMachine<O>;
  /**
   * A second machine fed every line and never heard: its command and
   * credentials events are what a line answered by a rule alone showed
   * (a password in a scripted PASS is still a password in plaintext).
   */
  shadow: LineMachine<O>;
  script: Script;
  implicitTls: boolean;
}

export class ScriptedMachine<O extends MachineOutput> implements LineMachine<MachineOutput> {
  private readonly rules: Armed[];
  private layer: Layer;
  /** A `normal: { final }` waits for the end of the exchange its command opened. */
  private pendingFinal: string[] | undefined;
  /** The tag of the command being answered (IMAP), which a rule's `{tag}` stands for. */
  private tag: string | undefined;

  constructor(private readonly opts: ScriptedOptions<O>) {
    this.rules = opts.script.map((rule, index) => ({ rule, index, seen: 0, fired: 0 }));
    this.layer = opts.implicitTls ? 'tls' : 'plaintext';
  }

  /** Rules that never fired: a script that tests nothing says so in the result. */
  unfired(): string[] {
    return this.rules.filter((r) => r.fired === 0 && !r.rule.optional).map((r) => explainRule(r.rule, r.index));
  }

  /** A `connect` rule's output, for the shell to carry out in plaintext before anything else. */
  connected(): MachineOutput | undefined {
    const armed = this.rules.find((r) => r.rule.on === 'connect' && this.available(r));
    return armed ? this.fire(armed, () => ({}), []) : undefined;
  }

  /** Whether a ClientHello where a command line was expected is the script's to answer. */
  watchesHello(): boolean {
    return this.rules.some((r) => r.rule.on === 'client-hello' && this.available(r));
  }

  /**
   * The armed `client-hello` rule neither lets the handshake happen nor ends
   * the connection: the hello is swallowed and the session reads on in plaintext.
   */
  helloGoesOn(): boolean {
    const armed = this.rules.find((r) => r.rule.on === 'client-hello' && this.available(r));
    return (
      armed !== undefined &&
      !armed.rule.do.some(
        (a) => isNormal(a) || a === 'stall' || a === 'close' || a === 'close-without-notify' || a === 'reset',
      )
    );
  }

  /**
   * A `client-hello` rule's output, for the shell to write before (or instead
   * of) the handshake; `proceed` when the rule lets the handshake happen.
   */
  clientHello(): (MachineOutput & { proceed: boolean }) | undefined {
    const armed = this.rules.find((r) => r.rule.on === 'client-hello' && this.available(r));
    if (!armed) return undefined;
    const proceed = armed.rule.do.includes('normal');
    const out = this.fire(armed, () => ({}), []);
    const alert = armed.rule.do.find((a): a is { alert: never } => typeof a === 'object' && 'alert' in a);
    // A refused handshake is a failed one, as the client sees it.
    if (alert) out.record!.push({ type: 'tls-failed', fields: { error: 'SCRIPTED_ALERT', alert: alert.alert } });
    return { ...out, proceed };
  }

  start(): MachineOutput {
    const armed = this.rules.find((r) => r.rule.on === 'greeting' && this.available(r));
    this.opts.shadow.start();
    if (!armed) return this.opts.machine.start();
    return this.fire(armed, () => this.opts.machine.start(), []);
  }

  line(line: string): MachineOutput {
    // Lines inside a message, a SASL exchange or the like are no commands: the machine has them.
    if (this.opts.machine.expectsCommand?.() === false) {
      this.hearShadow(line);
      const message = this.opts.machine.endsMessage?.(line)
        ? this.rules.find((r) => r.rule.on === 'message' && this.available(r))
        : undefined;
      if (message) {
        if (message.rule.do.some(isNormal)) return this.fire(message, () => this.opts.machine.line(line), []);
        // The message arrived whatever the rule answers: the machine's record of it stays, its reply goes.
        const own = this.opts.machine.line(line);
        return this.fire(
          message,
          () => own,
          (own.record ?? []).filter((e) => e.type !== 'reply'),
        );
      }
      return this.finishing(this.opts.machine.line(line));
    }
    const space = line.indexOf(' ');
    // A machine that knows better says where the verb is (IMAP: after the tag); a line it cannot read matches only `*`.
    const own = this.opts.machine.commandOf
      ? (this.opts.machine.commandOf(line) ?? { verb: '', args: line })
      : undefined;
    const verb = own ? own.verb : (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const args = own ? own.args : space < 0 ? '' : line.slice(space + 1);
    this.tag = own?.tag;
    const shadowed = this.hearShadow(line);
    const armed = this.match(verb, args);
    if (!armed) return this.opts.machine.line(line);
    // Answered by the rule alone: the command (and any credentials) as the shadow read them, in this layer.
    const seen: RecordedEvent[] = shadowed
      .filter((e) => e.type === 'command' || e.type === 'credentials')
      .map((e) => ({ ...e, fields: { ...e.fields, layer: this.layer } }) as RecordedEvent);
    const shown = redactCommandLine(line);
    const fallback: RecordedEvent = {
      type: 'command',
      fields: {
        layer: this.layer,
        verb,
        args: own ? shown.split(' ').slice(2).join(' ') : shown.slice(verb.length + 1),
        raw: shown,
      },
    };
    return this.fire(armed, () => this.opts.machine.line(line), seen.length ? seen : [fallback]);
  }

  upgraded(): MachineOutput {
    this.layer = 'tls';
    this.opts.shadow.upgraded();
    const armed = this.rules.find((r) => r.rule.on === 'tls' && this.available(r));
    if (!armed) return this.opts.machine.upgraded();
    // Whatever the server writes here comes before the client's first command inside TLS (RFC 3207 §4.2 has it wait).
    return this.fire(armed, () => this.opts.machine.upgraded(), []);
  }

  lineTooLong(): MachineOutput {
    return this.opts.machine.lineTooLong();
  }

  /** FTP's CCC completed: plaintext again, and rules in plaintext match again. */
  cleared(closeNotify: boolean): MachineOutput {
    this.layer = 'plaintext';
    this.opts.shadow.cleared?.(closeNotify);
    if (!this.opts.machine.cleared) throw new Error('a clearing was reported to a machine that cannot clear');
    return this.opts.machine.cleared(closeNotify);
  }

  expectsCommand(): boolean {
    return this.opts.machine.expectsCommand?.() ?? true;
  }

  /**
   * The shadow hears each line as a chunk of its own: it reads, it never
   * judges timing (SMTP's pipelining check belongs to the live machine).
   */
  private hearShadow(line: string): RecordedEvent[] {
    (this.opts.shadow as { newChunk?: () => void }).newChunk?.();
    return this.opts.shadow.line(line).record ?? [];
  }

  private available(r: Armed): boolean {
    return r.fired < (r.rule.times ?? 1);
  }

  /** The answer that ends an exchange a `final` edit waits for, replaced by the rule's lines. */
  private finishing(out: MachineOutput): MachineOutput {
    if (!this.pendingFinal || this.opts.machine.expectsCommand?.() === false) return out;
    const lines = this.pendingFinal;
    this.pendingFinal = undefined;
    const record = (out.record ?? []).filter((e) => e.type !== 'reply');
    return {
      ...out,
      write: bytesOf({ reply: lines }),
      record: [...record, { type: 'reply', fields: { layer: this.layer, ...this.replyFields(lines) } }],
    };
  }

  /** A `reply` or `send` with `{tag}` in it, written for the command being answered (IMAP's tag); other actions as they are. */
  private tagged(action: ScriptAction): ScriptAction {
    const tag = this.tag;
    if (tag === undefined || typeof action !== 'object') return action;
    if ('reply' in action) return { reply: [action.reply].flat().map((l) => l.replaceAll('{tag}', tag)) };
    if ('send' in action) return { send: action.send.replaceAll('{tag}', tag) };
    return action;
  }

  /** A scripted reply as the machine records its own: IMAP's by the status of its completion (a tag or `*` opens each line). */
  private replyFields(lines: string[]): { code: string; text: string } {
    return this.opts.machine.commandOf ? statusReplyFields(lines) : replyFields(lines);
  }

  private match(verb: string, args: string): Armed | undefined {
    let found: Armed | undefined;
    for (const r of this.rules) {
      const on = r.rule.on;
      if (typeof on === 'string') continue;
      const verbMatches = [on.command].flat().some((v) => v === '*' || v.toUpperCase() === verb);
      if (!verbMatches || (on.layer && on.layer !== this.layer) || (on.args && !new RegExp(on.args).test(args)))
        continue;
      r.seen++;
      if (!found && this.available(r) && (!on.nth || on.nth === r.seen)) found = r;
    }
    return found;
  }

  /**
   * The rule's actions, in order, as one output: bytes gathered into segments
   * (a delay or a trickle starts a new one), the machine's own answer where
   * `normal` stands (its events always kept when it ran), then the ending.
   */
  private fire(armed: Armed, normal: () => MachineOutput, seen: RecordedEvent[]): MachineOutput {
    armed.fired++;
    const segments: Segment[] = [{ bytes: Buffer.alloc(0), delayMs: 0, trickleMs: 0 }];
    const current = (): Segment => segments[segments.length - 1]!;
    const add = (bytes: Buffer): void => {
      current().bytes = Buffer.concat([current().bytes, bytes]);
    };
    const fault = faultEventOf(ruleName(armed.index), explainRule(armed.rule, armed.index));
    const out: MachineOutput = { record: [] };
    let ranNormal = false;
    /** The machine's record of what the client sent, when `normal` ran. */
    const sent: RecordedEvent[] = [];
    /** The machine's answer comes later (FTP's data channel): what follows `normal` waits for it. */
    let deferred = false;
    for (let action of armed.rule.do) {
      action = this.tagged(action);
      if (deferred && writesBytes(action)) {
        out.trailer = Buffer.concat([out.trailer ?? Buffer.alloc(0), bytesOf(action)]);
        continue;
      }
      if (isNormal(action)) {
        const edit = action === 'normal' ? undefined : action.normal;
        if (edit?.final) this.pendingFinal = [edit.final].flat();
        let own = normal();
        if (edit?.final) own = this.finishing(own);
        if (edit && own.write !== undefined) own = { ...own, write: editAnswer(Buffer.from(own.write), edit) };
        ranNormal = true;
        // What else the protocol's output carries (FTP's data-channel work) goes on as the machine asked.
        const { write: _w, record: _r, upgrade: _u, close: _c, stall: _s, sequence: _q, ...extra } = own;
        Object.assign(out, extra);
        // Work asked for and nothing written yet: the answer comes later (FTP's 227/229, 226).
        deferred = own.write === undefined && Object.keys(extra).length > 0;
        if (own.write !== undefined) add(Buffer.from(own.write));
        for (const e of own.record ?? [])
          (e.type === 'command' || e.type === 'credentials' ? sent : out.record!).push(e);
        if (own.upgrade) out.upgrade = {};
        if (own.close) out.close = true;
        if (own.stall) out.stall = true;
        if (own.sequence) segments.push(...own.sequence);
      } else if (action === 'starttls') out.upgrade = {};
      else if (action === 'stall') out.stall = true;
      else if (action === 'close') out.close = true;
      else if (action === 'close-without-notify') {
        out.close = true;
        out.withoutNotify = true;
      } else if (action === 'reset') out.reset = true;
      else if (action === 'ignore') continue;
      else if ('reply' in action) {
        const lines = [action.reply].flat();
        add(bytesOf(action));
        out.record!.push({ type: 'reply', fields: { layer: this.layer, ...this.replyFields(lines) } });
      } else if (writesBytes(action)) add(bytesOf(action));
      else if ('state' in action) this.opts.machine.setState?.(action.state);
      else if ('delay' in action)
        segments.push({ bytes: Buffer.alloc(0), delayMs: action.delay, trickleMs: current().trickleMs });
      else segments.push({ bytes: Buffer.alloc(0), delayMs: 0, trickleMs: action.trickle });
    }
    // The command first (as the client sent it), then the rule that answered it, then what followed.
    // What the client sent (the machine's command and credentials events) comes first, even behind bytes the rule wrote ahead of `normal`.
    const events = ranNormal ? [...sent, ...out.record!] : [...seen, ...out.record!];
    const at = events[0]?.type === 'command' ? 1 : 0;
    out.record = [...events.slice(0, at), fault, ...events.slice(at)];
    const timed = segments.some((s) => s.delayMs > 0 || s.trickleMs > 0);
    if (timed) out.sequence = segments.filter((s) => s.bytes.length || s.delayMs);
    else if (segments[0]!.bytes.length) out.write = Buffer.concat(segments.map((s) => s.bytes));
    return out;
  }
}

const isNormal = (a: ScriptAction): a is 'normal' | { normal: NormalEdit } =>
  a === 'normal' || (typeof a === 'object' && 'normal' in a);

/** The machine a session runs: the protocol's own, or the script around it when the case has one. */
export function withScript<O extends MachineOutput>(
  machine: LineMachine<O>,
  script: Script,
  shadow: () => LineMachine<O>,
  implicitTls: boolean,
): LineMachine<MachineOutput> {
  return script.length ? new ScriptedMachine({ machine, shadow: shadow(), script, implicitTls }) : machine;
}

/**
 * A scripted reply as the event log records replies: the code (SMTP's and FTP's
 * three digits, POP3's +OK / -ERR or whatever the script wrote first) and the
 * text, continuation prefixes ("250-") taken off.
 */
export function replyFields(lines: string[]): { code: string; text: string } {
  const first = lines[0]!;
  const code = /^\d{3}/.exec(first)?.[0] ?? first.split(' ', 1)[0]!;
  const strip = (l: string): string =>
    l.startsWith(`${code}-`) || l.startsWith(`${code} `) ? l.slice(code.length + 1) : l;
  return { code, text: [first.slice(code.length).replace(/^[ -]/, ''), ...lines.slice(1).map(strip)].join(' / ') };
}

/**
 * A scripted IMAP reply (RFC 9051 §7.1): recorded by the status of its last
 * status line (the tagged completion, or an untagged OK, BYE, PREAUTH), as the
 * IMAP machine records its own; lines without a status keep the first word.
 */
function statusReplyFields(lines: string[]): { code: string; text: string } {
  for (const line of [...lines].reverse()) {
    const m = /^\S+ (OK|NO|BAD|PREAUTH|BYE)(?: (.*))?$/i.exec(line);
    if (m) return { code: m[1]!.toUpperCase(), text: m[2] ?? '' };
  }
  return replyFields(lines);
}
