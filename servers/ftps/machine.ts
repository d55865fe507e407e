/**
 * The FTP control channel as a pure state machine: lines in, outputs out.
 * Transfers are asked of the shell (`data`), which reports back through
 * `passiveReady` and `transferred`; nothing here touches a socket.
 */
import type { RecordedEvent } from '../shared/line-session.js';
import { redactCommandLine } from '../shared/redact.js';
import { passiveReply } from './commands/data.js';
import { findFault } from '../shared/fault-kit.js';
import type { FtpsFault } from './faults.js';
import type { FtpsOptions } from './options.js';
import { COMMANDS, featLines } from './registry.js';
import {
  faultEvent,
  initialState,
  prepend,
  reply,
  stall,
  stallAt,
  type FtpOutput,
  type FtpsContext,
} from './session.js';
import type { VirtualTree } from './tree.js';

/** Longest command line accepted (vsftpd's VSFTP_MAX_COMMAND_LINE is 4096). */
export const MAX_LINE = 4096;
/** Unknown commands tolerated before the server hangs up. */
const MAX_BAD_COMMANDS = 20;
/** Commands of any kind per connection: a flood ends. */
const MAX_COMMANDS = 2000;

/** How a transfer on the data connection ended, as the shell saw it. */
export type TransferResult =
  | { ok: true }
  | { ok: false; code: '425' | '426' | '421' | '522' | '451'; text: string; close?: boolean };

export interface FtpMachine {
  start(): FtpOutput;
  line(line: string): FtpOutput;
  upgraded(): FtpOutput;
  lineTooLong(): FtpOutput;
  /** CCC's clearing completed (the shell shut TLS down): plaintext from now on. */
  cleared(closeNotify: boolean): FtpOutput;
  /** A script's state change (servers/shared/script): `logged-in` as after 230. */
  setState(state: 'logged-in'): void;
  /** The passive listener is up on host:port: the 227/229 reply. */
  passiveReady(command: 'PASV' | 'EPSV', host: string, port: number): FtpOutput;
  /** The transfer asked for ended: 226, or the failure's reply. */
  transferred(result: TransferResult): FtpOutput;
  readonly ctx: FtpsContext;
}

export function createFtpMachine(options: FtpsOptions, tree: VirtualTree): FtpMachine {
  const implicit = options.tls === 'implicit';
  const ctx: FtpsContext = {
    options,
    tree,
    state: initialState(implicit),
    fault: (kind) => findFault(options.faults, kind),
    featLines: () => featLines(ctx),
  };
  return {
    ctx,
    start() {
      const stalling = stallAt(ctx, 'greeting');
      if (stalling) return stall(ctx, stalling);
      const g230 = ctx.fault('greeting-230');
      if (g230) {
        // Logged in before any TLS: the trap curl fell into (CVE-2021-22946) when it skipped AUTH TLS.
        ctx.state.loggedIn = true;
        return prepend([faultEvent(g230)], reply(ctx, '230', 'Already logged in.'));
      }
      return reply(ctx, '220', '(Conform FTP server, vsFTPd style)');
    },
    line: (line) => dispatch(ctx, line),
    // A script's `logged-in`: as after 230 (what the greeting-230 fault does).
    setState: (state) => void (state === 'logged-in' && (ctx.state.loggedIn = true)),
    upgraded() {
      // RFC 4217 §4: nothing is said after the handshake; the client speaks next.
      ctx.state.tlsDone = true;
      ctx.state.layer = 'tls';
      ctx.state.user = undefined;
      return {};
    },
    lineTooLong: () => reply(ctx, '500', 'Input line too long.'),
    cleared(closeNotify) {
      // RFC 4217 §5: "Continue the control connection in plaintext, expecting the next command from the client to be in plaintext."
      ctx.state.cleared = true;
      ctx.state.layer = 'plaintext';
      return { record: [{ type: 'tls-cleared', fields: { closeNotify } }] };
    },
    passiveReady: (command, host, port) => passiveReply(ctx, command, host, port),
    transferred(result) {
      if (result.ok) return reply(ctx, '226', 'Transfer complete.');
      return reply(ctx, result.code, result.text, result.close ? { close: true } : {});
    },
  };
}

function dispatch(ctx: FtpsContext, line: string): FtpOutput {
  const { state } = ctx;
  if (state.stalled) return {};
  const space = line.indexOf(' ');
  const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase().slice(0, 16);
  const args = space < 0 ? '' : line.slice(space + 1);
  const def = COMMANDS.get(verb);
  const shown = def?.redact ? `${verb} ${def.redact(args)}`.trim() : redactCommandLine(line);
  const command: RecordedEvent = {
    type: 'command',
    fields: {
      layer: state.layer,
      verb,
      args: def?.redact ? def.redact(args) : redactCommandLine(line).slice(verb.length + 1),
      raw: shown.slice(0, 200),
    },
  };
  const evidence = def?.evidence?.(ctx, args) ?? [];
  return prepend([command, ...evidence], answer(ctx, verb, args));
}

function answer(ctx: FtpsContext, verb: string, args: string): FtpOutput {
  const { state } = ctx;
  if (++state.commands > MAX_COMMANDS) return reply(ctx, '421', 'Too many commands.', { close: true });
  const def = COMMANDS.get(verb);
  if (!def) {
    const tooMany = ++state.badCommands >= MAX_BAD_COMMANDS;
    return reply(
      ctx,
      tooMany ? '421' : '500',
      tooMany ? 'Too many bad commands.' : 'Unknown command.',
      tooMany ? { close: true } : {},
    );
  }
  if (!def.beforeLogin && !state.loggedIn) return reply(ctx, '530', 'Please login with USER and PASS.');
  return def.handle(ctx, args);
}

export type { FtpsFault };
