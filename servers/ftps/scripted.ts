/**
 * An FTPS script run over the FTP machine. The shared engine
 * (servers/shared/script/engine.ts) does what every line protocol's script
 * does; around it, this adds what FTP needs: a command's answer may open data
 * work (a passive listener, a transfer) that ends later with a reply of its own
 * (227/229, 226), which the session asks of this machine through
 * `passiveReady` and `transferred`. A rule's `normal` covers that whole answer
 * (servers/ftps/script.ts): its edits reach every reply of it, `final`
 * replaces the reply that ends it, what follows `normal` in the rule comes
 * after that end, and a `data` action rides with the request to the data
 * channel.
 *
 * The engine runs the rules with FTP's additions taken out; to learn which
 * rule's `normal` is running, each `normal` is preceded by a state change the
 * machine below catches (`ftps-rule:N`) instead of passing it on.
 */
import type { Layer } from '../shared/events.js';
import { faultEventOf } from '../shared/fault-kit.js';
import type { LineMachine, MachineOutput, RecordedEvent, Segment } from '../shared/line-session.js';
import { replyFields, ScriptedMachine } from '../shared/script/engine.js';
import {
  bytesOf,
  editAnswer,
  ruleName,
  writesBytes,
  type NormalEdit,
  type ScriptAction,
  type ScriptRule,
} from '../shared/script/schema.js';
import type { FtpMachine, TransferResult } from './machine.js';
import {
  explainFtpsRule,
  isData,
  isNormal,
  type FtpsScript,
  type FtpsScriptAction,
  type FtpsScriptRule,
} from './script.js';
import type { DataScript, FtpOutput } from './session.js';

const MARK = 'ftps-rule:';
const RULE_NAME = /^script-rule-(\d+)$/;

/** The machine's preliminary reply (150), held out of the engine's sight so it treats the answer as one that ends later. */
type Held = FtpOutput & { preliminary?: Buffer };

/** What a rule's `normal` started on the data channel, kept until the reply that ends it. */
interface Work {
  index: number;
  /** The rule's edits but `final`, for every reply of the answer. */
  change?: NormalEdit;
  final?: string[];
  /** The machine's events in the command's output: the rule's own replies after them belong after the end. */
  own: Set<RecordedEvent>;
  /** Set until the command's output has been settled. */
  fresh: boolean;
  after: {
    trailer?: Buffer;
    events: RecordedEvent[];
    close?: boolean;
    withoutNotify?: boolean;
    reset?: boolean;
    stall?: boolean;
  };
}

export class FtpsScriptedMachine implements LineMachine<FtpOutput> {
  private readonly engine: ScriptedMachine<FtpOutput>;
  /** The rule whose `normal` the engine is about to run. */
  private firing: number | undefined;
  private work: Work | undefined;
  private readonly fired = new Set<number>();

  constructor(
    private readonly machine: FtpMachine,
    shadow: FtpMachine,
    private readonly script: FtpsScript,
    implicitTls: boolean,
  ) {
    const inner: LineMachine<FtpOutput> = {
      start: () => this.answered(machine.start()),
      line: (line) => this.answered(machine.line(line)),
      upgraded: () => this.answered(machine.upgraded()),
      lineTooLong: () => this.answered(machine.lineTooLong()),
      setState: (state: string) => {
        if (state.startsWith(MARK)) this.firing = Number(state.slice(MARK.length));
        else machine.setState(state as 'logged-in');
      },
    };
    this.engine = new ScriptedMachine({ machine: inner, shadow, script: script.map(forEngine), implicitTls });
  }

  /** Rules that never fired (a data rule fires when its change acts). */
  unfired(): string[] {
    return this.script.flatMap((rule, i) => (this.fired.has(i) || rule.optional ? [] : [explainFtpsRule(rule, i)]));
  }

  start(): FtpOutput {
    return this.settle(this.engine.start());
  }

  line(line: string): FtpOutput {
    return this.settle(this.engine.line(line));
  }

  upgraded(): FtpOutput {
    return this.settle(this.engine.upgraded());
  }

  lineTooLong(): FtpOutput {
    return this.settle(this.engine.lineTooLong());
  }

  cleared(closeNotify: boolean): FtpOutput {
    // The engine has no CCC of its own (a hook asked for): its layer follows the control connection's back to plaintext.
    (this.engine as unknown as { layer: Layer }).layer = 'plaintext';
    return this.machine.cleared(closeNotify);
  }

  expectsCommand(): boolean {
    return this.engine.expectsCommand();
  }

  connected(): MachineOutput | undefined {
    const out = this.engine.connected();
    return out && this.settle(out);
  }

  watchesHello(): boolean {
    return this.engine.watchesHello();
  }

  helloGoesOn(): boolean {
    return this.engine.helloGoesOn();
  }

  clientHello(): (MachineOutput & { proceed: boolean }) | undefined {
    const out = this.engine.clientHello();
    return out && { ...this.settle(out), proceed: out.proceed };
  }

  /** The passive listener is up: the 227/229, as the rule that opened it has it. */
  passiveReady(command: 'PASV' | 'EPSV', host: string, port: number): FtpOutput {
    return this.ended(this.machine.passiveReady(command, host, port));
  }

  /** The transfer ended: 226 or the failure's reply, as the rule that started it has it. */
  transferred(result: TransferResult): FtpOutput {
    return this.ended(this.machine.transferred(result));
  }

  /**
   * The machine's answer while rule `firing` runs its `normal`: `final` done
   * here (the engine knows only exchanges that end on a later line), and data
   * work given the rule's change, its preliminary reply held back.
   */
  private answered(own: FtpOutput): Held {
    const index = this.firing;
    this.firing = undefined;
    if (index === undefined) return own;
    const rule = this.script[index]!;
    const normal = rule.do.find(isNormal);
    const { final, ...rest } = typeof normal === 'object' ? normal.normal : {};
    const lines = final === undefined ? undefined : [final].flat();
    if (!own.data) return lines ? this.replaced(own, lines) : own;
    const data = rule.do.find(isData)?.data;
    const change = Object.keys(rest).length ? rest : undefined;
    let record = own.record ?? [];
    let preliminary: Buffer | undefined = own.write === undefined ? undefined : Buffer.from(own.write);
    if (preliminary && data?.preliminary === false) {
      preliminary = undefined;
      const at = record.map((e) => e.type).lastIndexOf('reply');
      record = record.filter((_, i) => i !== at);
    } else if (preliminary && change) preliminary = editAnswer(preliminary, change);
    this.work = {
      index,
      ...(change ? { change } : {}),
      ...(lines ? { final: lines } : {}),
      own: new Set(record),
      fresh: true,
      after: { events: [] },
    };
    const script: DataScript | undefined = data && {
      edit: data,
      fault: { name: ruleName(index), explain: explainFtpsRule(rule, index) },
      records: defers(rule),
      acted: () => this.fired.add(index),
    };
    const { write: _w, ...kept } = own;
    return {
      ...kept,
      record,
      ...(preliminary ? { preliminary } : {}),
      data: script ? { ...own.data, script } : own.data,
    };
  }

  /** An engine output, finished: FTP's explanations on the rules' events, the held 150 in place, what waits for the end set aside. */
  private settle(held: Held): FtpOutput {
    this.firing = undefined;
    const { preliminary, ...out } = held;
    const work = this.work?.fresh ? this.work : undefined;
    if (work) {
      work.fresh = false;
      this.setAside(out, work);
    }
    if (preliminary) placePreliminary(out, preliminary, work ? this.script[work.index]! : undefined);
    out.record = (out.record ?? []).map((e): RecordedEvent => {
      const index = e.type === 'fault' ? ruleIndex(e.fields.name) : undefined;
      if (index === undefined || e.type !== 'fault') return e;
      this.fired.add(index);
      return faultEventOf(String(e.fields.name), explainFtpsRule(this.script[index]!, index));
    });
    return out;
  }

  /**
   * What the rule does after `normal` comes after the data work's end: its
   * bytes, the events of its replies, its ending. A rule whose change is met
   * only on the data connection has its fault event recorded there instead.
   */
  private setAside(out: FtpOutput, work: Work): void {
    const rule = this.script[work.index]!;
    const after = rule.do.slice(rule.do.findIndex(isNormal) + 1);
    if (out.trailer) work.after.trailer = out.trailer;
    delete out.trailer;
    const record = out.record ?? [];
    let lastOwn = -1;
    record.forEach((e, i) => void (work.own.has(e) && (lastOwn = i)));
    work.after.events = record.filter((e, i) => i > lastOwn && e.type === 'reply');
    // The engine puts the bytes of replies after a deferred answer in the trailer, without their events (a hook asked for).
    if (!work.after.events.length) {
      const layer = this.machine.ctx.state.layer;
      work.after.events = after.flatMap((a): RecordedEvent[] =>
        typeof a === 'object' && 'reply' in a
          ? [{ type: 'reply', fields: { layer, ...replyFields([a.reply].flat()) } }]
          : [],
      );
    }
    const name = ruleName(work.index);
    const deferred = defers(rule) && out.data?.script !== undefined;
    out.record = record.filter(
      (e, i) => !(i > lastOwn && e.type === 'reply') && !(deferred && e.type === 'fault' && e.fields.name === name),
    );
    for (const a of after) {
      if (a === 'close' || a === 'close-without-notify') {
        work.after.close = true;
        delete out.close;
      }
      if (a === 'close-without-notify') {
        work.after.withoutNotify = true;
        delete out.withoutNotify;
      }
      if (a === 'reset') {
        work.after.reset = true;
        delete out.reset;
      }
      if (a === 'stall') {
        work.after.stall = true;
        delete out.stall;
      }
    }
  }

  /** The reply that ends the data work, as the rule that started it has it. */
  private ended(own: FtpOutput): FtpOutput {
    const work = this.work;
    this.work = undefined;
    if (!work) return own;
    let out = work.final ? this.replaced(own, work.final) : own;
    if (work.change && out.write !== undefined)
      out = { ...out, write: editAnswer(Buffer.from(out.write), work.change) };
    const { trailer, events, ...ending } = work.after;
    if (trailer) out = { ...out, write: Buffer.concat([Buffer.from(out.write ?? ''), trailer]) };
    return { ...out, record: [...(out.record ?? []), ...events], ...ending };
  }

  /** `final`: the answer's reply replaced by the rule's lines. */
  private replaced(own: FtpOutput, lines: string[]): FtpOutput {
    const record = (own.record ?? []).filter((e) => e.type !== 'reply');
    const reply: RecordedEvent = {
      type: 'reply',
      fields: { layer: this.machine.ctx.state.layer, ...replyFields(lines) },
    };
    return { ...own, write: bytesOf({ reply: lines }), record: [...record, reply] };
  }
}

/** `script-rule-N` back to the rule's index. */
function ruleIndex(name: string): number | undefined {
  const m = RULE_NAME.exec(name);
  return m ? Number(m[1]) - 1 : undefined;
}

/**
 * The rule as the engine runs it: no `data` action, no `final` (both done
 * here), and before each `normal` the mark that says which rule runs it.
 */
function forEngine(rule: FtpsScriptRule, index: number): ScriptRule {
  const mark = { state: `${MARK}${index}` } as unknown as ScriptAction;
  const actions = rule.do.flatMap((a): ScriptAction[] => {
    if (isData(a)) return [];
    if (!isNormal(a)) return [a];
    if (a === 'normal') return [mark, a];
    const { final: _f, ...edit } = a.normal;
    return [mark, Object.keys(edit).length ? { normal: edit } : 'normal'];
  });
  return { ...rule, do: actions };
}

const ownBytes = (a: FtpsScriptAction): boolean => !isData(a) && writesBytes(a);

/**
 * Whether the rule's fault event waits for its change to act on the data
 * connection: when the change is met only there (not a passive address or a
 * missing 150) and the rule wrote nothing of its own before (no bytes, no
 * edited reply), so the event still comes before anything the rule caused.
 */
function defers(rule: FtpsScriptRule): boolean {
  const data = rule.do.find(isData)?.data;
  if (!data || data.address !== undefined || data.preliminary === false) return false;
  const n = rule.do.findIndex(isNormal);
  const normal = rule.do[n]!;
  const edited =
    typeof normal === 'object' && 'normal' in normal && Object.keys(normal.normal).some((k) => k !== 'final');
  return !edited && !rule.do.slice(0, n).some(ownBytes);
}

/**
 * The held 150 where `normal` stands: after the rule's earlier bytes. When
 * the rule has delays or trickles, the engine made segments; the 150 goes
 * after those made before `normal` (the engine keeps the ones with bytes or a
 * delay), with the trickle in force there.
 */
function placePreliminary(out: FtpOutput, bytes: Buffer, rule: FtpsScriptRule | undefined): void {
  if (!out.sequence) {
    out.write = Buffer.concat([Buffer.from(out.write ?? ''), bytes]);
    return;
  }
  const model = [{ bytes: false, delayMs: 0, trickleMs: 0 }];
  for (const a of rule?.do.slice(0, rule.do.findIndex(isNormal)) ?? []) {
    const current = model[model.length - 1]!;
    if (ownBytes(a)) current.bytes = true;
    else if (typeof a === 'object' && 'delay' in a)
      model.push({ bytes: false, delayMs: a.delay, trickleMs: current.trickleMs });
    else if (typeof a === 'object' && 'trickle' in a) model.push({ bytes: false, delayMs: 0, trickleMs: a.trickle });
  }
  const at = model.filter((s) => s.bytes || s.delayMs).length;
  const segment: Segment = { bytes, delayMs: 0, trickleMs: model[model.length - 1]!.trickleMs };
  out.sequence = [...out.sequence.slice(0, at), segment, ...out.sequence.slice(at)];
}
