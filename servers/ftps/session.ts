/**
 * What an FTP command handler sees: the case's options, the connection's
 * state, the virtual tree, and helpers that build replies together with the
 * events that record them. Pure: nothing here touches a socket.
 */
import type { Layer } from '../shared/events.js';
import type { MachineOutput, RecordedEvent } from '../shared/line-session.js';
import { explainFtpsFault, type FtpsFault, type FtpsFaultKind, type StallStep } from './faults.js';
import type { FtpsOptions } from './options.js';
import { faultKit } from '../shared/fault-kit.js';
import type { VirtualTree } from './tree.js';
import type { DataEdit } from './script.js';

/** Where the next data connection comes from (RFC 959 §3.2, RFC 2428). */
export type DataPlan =
  | { mode: 'passive'; command: 'PASV' | 'EPSV' }
  | { mode: 'active'; command: 'PORT' | 'EPRT'; host: string; port: number };

/** A transfer the shell carries out on the data connection, then reports with `transferred`. */
export interface TransferRequest {
  plan: DataPlan;
  /** Bytes to send (RETR, LIST), already in wire form; absent for STOR. */
  send?: Buffer;
  /** STOR: where the upload is stored once complete. */
  storeAt?: string;
  /** TLS on the data connection (PROT P), with the server as TLS server in both modes (RFC 4217 §7). */
  protect: boolean;
  /** TYPE A: CRLF on the wire, LF stored. */
  ascii: boolean;
}

/**
 * A script rule's change of the data work (servers/ftps/script.ts), carried
 * to the data channel with the request, and the `fault` event the data
 * channel records when the change first acts (the moment the client meets it).
 */
export interface DataScript {
  edit: DataEdit;
  fault: { name: string; explain: string };
  /** Whether the fault event is the data channel's to record (else it was recorded with the command). */
  records: boolean;
  /** Told once, when the change first acts. */
  acted?: () => void;
}

/** The shell's side of the data channel, asked for by a machine output; a script rule may change what it does. */
export type DataRequest =
  | { op: 'listen'; command: 'PASV' | 'EPSV'; script?: DataScript }
  | { op: 'transfer'; transfer: TransferRequest; script?: DataScript };

export interface FtpOutput extends MachineOutput {
  data?: DataRequest;
}

export interface FtpsState {
  layer: Layer;
  tlsDone: boolean;
  user?: string;
  loggedIn: boolean;
  /** PBSZ was sent (RFC 4217 §9: before PROT). */
  pbsz: boolean;
  prot: 'C' | 'P';
  type: 'A' | 'I';
  cwd: string;
  plan?: DataPlan;
  /** RFC 2428 §4: after EPSV ALL, EPSV is the only data connection setup command accepted. */
  epsvAll: boolean;
  commands: number;
  badCommands: number;
  stalled: boolean;
  /** A reply-style fault (LF-only, multi-line) was recorded as carried out. */
  styled?: boolean;
  /** AUTH was refused by the `auth-refused` fault: the login in clear is lured (331 to any USER, 230 to any PASS). */
  lured?: boolean;
  /** The fault's bytes went out behind a refusal (once). */
  injected?: boolean;
  /** CCC done (RFC 4217 §5): plaintext control connection, PROT level frozen. */
  cleared?: boolean;
}

export interface FtpsContext {
  options: FtpsOptions;
  state: FtpsState;
  tree: VirtualTree;
  fault<K extends FtpsFaultKind>(kind: K): Extract<FtpsFault, { kind: K }> | undefined;
  featLines(): string[];
}

export function initialState(implicit: boolean): FtpsState {
  return {
    layer: implicit ? 'tls' : 'plaintext',
    tlsDone: implicit,
    loggedIn: false,
    pbsz: false,
    // RFC 4217 §8 leaves implicit FTPS's default to practice: vsftpd protects data from the start.
    prot: implicit ? 'P' : 'C',
    type: 'A',
    cwd: '/',
    epsvAll: false,
    commands: 0,
    badCommands: 0,
    stalled: false,
  };
}

const kit = faultKit(explainFtpsFault);

/** The event recording that a fault was carried out (reports explain it). */
export const faultEvent = kit.event;
export { prepend } from '../shared/fault-kit.js';

/** A reply (RFC 959 §4.2), single- or multi-line; the faults decide the line endings and the form. */
export function reply(
  ctx: FtpsContext,
  code: string,
  text: string | string[],
  extra: Partial<FtpOutput> = {},
): FtpOutput {
  const eol = ctx.fault('lf-replies') ? '\n' : '\r\n';
  let lines = Array.isArray(text) ? text : [text];
  if (ctx.fault('multiline-replies') && lines.length === 1) lines = [lines[0]!, 'Conform FTP server', lines[0]!];
  const write =
    lines.length === 1
      ? `${code} ${lines[0]}${eol}`
      : `${code}-${lines[0]}${eol}${lines
          .slice(1, -1)
          .map((l) => ` ${l}${eol}`)
          .join('')}${code} ${lines[lines.length - 1]}${eol}`;
  const event: RecordedEvent = { type: 'reply', fields: { layer: ctx.state.layer, code, text: lines.join(' / ') } };
  return { ...extra, write, record: [...styleFaults(ctx), event, ...(extra.record ?? [])] };
}

/** The reply-style faults, recorded once, with the first reply they shape (the greeting). */
function styleFaults(ctx: FtpsContext): RecordedEvent[] {
  if (ctx.state.styled) return [];
  ctx.state.styled = true;
  return [ctx.fault('lf-replies'), ctx.fault('multiline-replies')].flatMap((f) => (f ? [faultEvent(f)] : []));
}

/** Goes silent for good, recording why. */
export function stall(ctx: FtpsContext, fault: FtpsFault): FtpOutput {
  ctx.state.stalled = true;
  return kit.stall(fault);
}

/** The stall fault, when it is set for this step. */
export function stallAt(ctx: FtpsContext, step: StallStep): FtpsFault | undefined {
  return kit.stallAt(ctx.options.faults, step);
}

/** TLS is on for this server at all. */
export function tlsEnabled(ctx: FtpsContext): boolean {
  return ctx.options.tls !== 'none';
}
