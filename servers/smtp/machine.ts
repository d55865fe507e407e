/**
 * The SMTP server as a pure state machine (servers/shared/line-session.ts runs
 * it over a socket): lines in, replies and events out. Every command passes the
 * same ordered checks before its handler, as nodemailer's smtp-server does:
 * limits, synchronization (RFC 2920), a 554 greeting, the registry, its
 * capability, EHLO first, TLS first, scripted stalls.
 */
import { redactCommandLine } from '../shared/redact.js';
import { preview } from '../shared/events.js';
import type { LineMachine, MachineOutput, RecordedEvent } from '../shared/line-session.js';
import { advertised, accepted, lure } from './capabilities.js';
import { authContinuation, leakedByAuthLine, redactAuth } from './commands/auth.js';
import { dataLine } from './commands/data.js';
import type { SmtpOptions } from './options.js';
import { COMMANDS, type CommandSpec } from './registry.js';
import { merge, Session, type DataState, type Mailbox } from './session.js';

/** A TLS record header seen where a command line was expected: a ClientHello sent in the clear. */
const TLS_RECORD = /^\x16\x03[\x00-\x04]/;
/** A SASL response: base64 in whole quanta, at least 8 characters (so not a short unknown verb). */
const BASE64_LINE = /^(?=.{8,}$)(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const VERBS = 'EHLO|HELO|AUTH|MAIL|RCPT|DATA|QUIT|RSET|NOOP|STARTTLS';
const COMMAND_LINE = new RegExp(`^(?:${VERBS})\\b[ -~]*$`, 'i');
const VERB_AT_END = new RegExp(`(?:${VERBS})\\b[ -~]*$`, 'i');

export class SmtpMachine implements LineMachine {
  readonly session: Session;
  /** Input chunk counter: lines of one chunk were written together by the client. */
  private chunk = 0;
  private previous: { verb: string; chunk: number; lastInGroup: boolean } | undefined;
  /** The machine asked to close: later input is ignored (the shell keeps reading after a closing greeting). */
  private closed = false;

  constructor(options: SmtpOptions, mailbox: Mailbox, implicit: boolean) {
    this.session = new Session(options, mailbox, implicit);
  }

  /** The socket shell calls this before each chunk of input (see server.ts). */
  newChunk(): void {
    this.chunk++;
  }

  start(): MachineOutput {
    const s = this.session;
    const refuse = s.fault('refuse-greeting');
    if (refuse?.code === '421') {
      this.closed = true;
      return s.carriedOut(refuse, s.reply('421', `4.3.2 ${s.options.hostname} Service not available`, { close: true }));
    }
    const stall = s.fault('stall');
    if (stall?.at === 'greeting') return s.carriedOut(stall, { stall: true });
    if (refuse) {
      s.refused = true;
      return s.carriedOut(refuse, s.reply('554', `5.3.2 ${s.options.hostname} No SMTP service here`));
    }
    return s.reply('220', `${s.options.hostname} ESMTP Conform`);
  }

  line(line: string): MachineOutput {
    if (this.closed) return {};
    try {
      const out = this.dispatch(line);
      if (out.close) this.closed = true;
      return out;
    } catch (err) {
      // Nothing a client sends may crash the server; a bug here is the server's, reported as such.
      return merge(
        { record: [{ type: 'server-error', fields: { code: 'SMTP_MACHINE', message: (err as Error).message } }] },
        this.session.reply('451', '4.3.0 Error: local error in processing', { close: true }),
      );
    }
  }

  /** RFC 3207 §4.2: everything learned before TLS is forgotten; the server waits for the client's EHLO. */
  upgraded(): MachineOutput {
    const s = this.session;
    s.layer = 'tls';
    s.forgetAll();
    this.previous = undefined;
    return {};
  }

  lineTooLong(): MachineOutput {
    return this.session.reply('500', '5.5.2 Error: line too long');
  }

  /** Message lines and SASL responses are no commands. */
  expectsCommand(): boolean {
    return !this.session.data && !this.session.auth;
  }

  /** RFC 5321 §4.1.1.4: a line holding only "." ends the mail data. */
  endsMessage(line: string): boolean {
    return this.session.data !== undefined && line === '.';
  }

  /** A script's `logged-in`: AUTH as if it succeeded. */
  setState(state: 'logged-in'): void {
    if (state === 'logged-in') this.session.authenticated = true;
  }

  private dispatch(raw: string): MachineOutput {
    const s = this.session;
    if (s.data) return this.messageLine(raw);
    if (s.auth) return authContinuation(s, raw);
    const fake = s.fakeTls ? this.fakeTlsLine(raw) : { line: raw, record: [] };
    if (fake.line === undefined) return { record: fake.record };
    const line = fake.line;
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const args = space < 0 ? '' : line.slice(space + 1).trim();
    const spec = COMMANDS.get(verb);
    const out = merge(
      { record: [...fake.record, ...this.commandEvents(verb, args, line)] },
      this.answer(verb, args, spec),
    );
    this.previous = { verb, chunk: this.chunk, lastInGroup: spec?.lastInGroup ?? false };
    // The handler may just have opened the message (DATA): remember the chunk it came in.
    const opened = s.data as DataState | undefined;
    if (opened) opened.chunk = this.chunk;
    return out;
  }

  private commandEvents(verb: string, args: string, line: string): RecordedEvent[] {
    const s = this.session;
    if (verb === 'AUTH') {
      // Never the secret: the AUTH line is recorded without its initial response.
      const redacted = redactAuth(args);
      const leaked = leakedByAuthLine(s, args);
      return [
        { type: 'command', fields: { layer: s.layer, verb, args: redacted, raw: `AUTH ${redacted}` } },
        ...(leaked ? [leaked] : []),
      ];
    }
    // A SASL response sent out of turn (after a refused AUTH, say) arrives as a "command": keep it out too.
    if (!COMMANDS.has(verb) && BASE64_LINE.test(line))
      return [
        { type: 'command', fields: { layer: s.layer, verb: '[base64]', args: '', raw: '[base64 line redacted]' } },
      ];
    const clean = (text: string): string =>
      preview(Buffer.from(text.split(s.options.auth.pass).join('[redacted]'), 'latin1'), 200);
    return [
      {
        type: 'command',
        fields: { layer: s.layer, verb: preview(Buffer.from(verb, 'latin1'), 16), args: clean(args), raw: clean(line) },
      },
    ];
  }

  /** The chain of checks every command passes, then its handler. */
  private answer(verb: string, args: string, spec: CommandSpec | undefined): MachineOutput {
    const s = this.session;
    if (++s.commands > s.options.maxCommands) return s.reply('421', '4.7.0 Error: too many commands', { close: true });
    if (this.outOfSync()) return s.reply('554', '5.5.0 Error: SMTP protocol synchronization', { close: true });
    if (s.refused && verb !== 'QUIT') return s.reply('503', '5.5.1 Error: no SMTP service here, send QUIT');
    if (!spec) return s.reply('502', '5.5.2 Error: command not recognized');
    if (spec.capability && !accepted(s, spec.capability)) return spec.refusal!(s);
    if (spec.needsHello && !s.greeted) return s.reply('503', '5.5.1 Error: send HELO/EHLO first');
    // The man in the middle of a lure takes everything in plaintext (capabilities.ts).
    if (spec.needsTls && s.options.tls === 'starttls-required' && s.layer === 'plaintext' && !lure(s))
      return s.reply('530', '5.7.0 Must issue a STARTTLS command first');
    const stall = s.fault('stall');
    if (stall && stall.at === spec.stallStep && (!stall.layer || stall.layer === s.layer))
      return s.carriedOut(stall, { stall: true });
    return spec.handle(s, args);
  }

  /**
   * RFC 2920 §3.1: a client may send a command before the previous one's reply
   * only when PIPELINING was advertised, and never after a command that must end
   * a group (EHLO, DATA, AUTH, QUIT …). Lines of one input chunk were written
   * together, so a command in the same chunk as its predecessor was pipelined.
   * Like Exim (and Postfix's reject_unauth_pipelining), such a client is refused.
   */
  private outOfSync(): boolean {
    const prev = this.previous;
    if (!prev || prev.chunk !== this.chunk) return false;
    const s = this.session;
    return !(s.extended && advertised(s, 'PIPELINING')) || prev.lastInGroup;
  }

  private messageLine(raw: string): MachineOutput {
    const s = this.session;
    // The message in the same chunk as DATA was sent before the 354 (RFC 2920 §3.1: DATA ends a group).
    if (s.data!.lines.length === 0 && s.data!.bytes === 0 && s.data!.chunk === this.chunk) {
      s.resetTransaction();
      return s.reply('554', '5.5.0 Error: SMTP protocol synchronization', { close: true });
    }
    const out = dataLine(s, raw);
    if (!s.data) this.previous = { verb: '.', chunk: this.chunk, lastInGroup: false };
    return out;
  }

  /**
   * With no-tls-after-go-ahead the client believes it is inside TLS. A line that
   * starts with a TLS record is its ClientHello (skipped); a command after that
   * is plaintext the client sends believing it encrypted (curl 7.78's mistake).
   */
  private fakeTlsLine(raw: string): { line: string | undefined; record: RecordedEvent[] } {
    const s = this.session;
    if (TLS_RECORD.test(raw)) s.sawHello = true;
    if (!s.sawHello) return { line: raw, record: [] };
    // The ClientHello's own bytes may hold line feeds: only a recognisable command counts.
    const line = COMMAND_LINE.test(raw) ? raw : VERB_AT_END.exec(raw.replace(/^[\s\S]*[^ -~]/, ''))?.[0];
    if (line === undefined) return { line, record: [] };
    return {
      line,
      record: [
        { type: 'plaintext-after-hello', fields: { preview: preview(Buffer.from(redactCommandLine(line), 'latin1')) } },
      ],
    };
  }
}
