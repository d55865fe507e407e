/** Data connections (RFC 959 §4.1.2 PASV/PORT, RFC 2428 EPSV/EPRT) and transfers (RETR, STOR, LIST, NLST, MLSD). */
import type { DataCommand } from '../options.js';
import { listLine, mlsdLine, resolvePath } from '../tree.js';
import type { DataPlan, FtpOutput, FtpsContext } from '../session.js';
import { faultEvent, prepend, reply, stall, stallAt } from '../session.js';
import type { CommandDef } from './types.js';

function allowed(ctx: FtpsContext, verb: DataCommand): boolean {
  return ctx.options.dataCommands.includes(verb);
}

/** RFC 2428 §4: once the client said EPSV ALL, every other setup command is refused (501, as BSD ftpd and pyftpdlib answer). */
function afterEpsvAll(ctx: FtpsContext, verb: DataCommand): FtpOutput | undefined {
  return ctx.state.epsvAll && verb !== 'EPSV' ? reply(ctx, '501', `${verb} not allowed after EPSV ALL.`) : undefined;
}

function passive(verb: 'PASV' | 'EPSV'): CommandDef {
  return {
    verb,
    ...(verb === 'EPSV' ? { feat: 'EPSV' } : {}),
    handle(ctx, args) {
      if (!allowed(ctx, verb)) return reply(ctx, '502', `${verb} not allowed.`);
      const refused = afterEpsvAll(ctx, verb);
      if (refused) return refused;
      if (verb === 'EPSV' && args.trim()) {
        const arg = args.trim().toUpperCase();
        if (arg === 'ALL') {
          ctx.state.epsvAll = true;
          return reply(ctx, '200', 'EPSV ALL ok.');
        }
        // RFC 2428 §3: EPSV <net-prt>; this loopback server speaks IPv4 (1) only.
        if (arg !== '1') return reply(ctx, '522', 'Network protocol not supported, use (1)');
      }
      const stalling = stallAt(ctx, 'pasv');
      if (stalling) return stall(ctx, stalling);
      // The shell opens the listener and asks passiveReply() for the 227/229 line.
      return { data: { op: 'listen', command: verb } };
    },
  };
}

/** The 227 / 229 reply naming the listener (RFC 959 §4.1.2, RFC 2428 §3). */
export function passiveReply(ctx: FtpsContext, command: 'PASV' | 'EPSV', host: string, port: number): FtpOutput {
  ctx.state.plan = { mode: 'passive', command };
  if (command === 'EPSV') return reply(ctx, '229', `Entering Extended Passive Mode (|||${port}|)`);
  const out = reply(ctx, '227', `Entering Passive Mode (${host.split('.').join(',')},${port >> 8},${port & 255}).`);
  // The foreign address is carried out here, when the client reads it (the trap records whether it followed).
  const foreign = ctx.fault('pasv-foreign-address');
  return foreign ? prepend([faultEvent(foreign)], out) : out;
}

/** PORT h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2). */
export function parsePort(args: string): { host: string; port: number } | undefined {
  const n = args.split(',').map((s) => Number(s.trim()));
  if (n.length !== 6 || n.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  return { host: n.slice(0, 4).join('.'), port: n[4]! * 256 + n[5]! };
}

/** EPRT |1|host|port| (RFC 2428 §2); IPv4 only on this loopback server. */
export function parseEprt(args: string): { host: string; port: number } | undefined {
  const m = /^(.)1\1(\d+\.\d+\.\d+\.\d+)\1(\d+)\1$/.exec(args);
  const port = m ? Number(m[3]) : 0;
  return m && port > 0 && port < 65536 ? { host: m[2]!, port } : undefined;
}

function active(verb: 'PORT' | 'EPRT'): CommandDef {
  return {
    verb,
    ...(verb === 'EPRT' ? { feat: 'EPRT' } : {}),
    handle(ctx, args) {
      if (!allowed(ctx, verb)) return reply(ctx, '502', `${verb} not allowed.`);
      const refused = afterEpsvAll(ctx, verb);
      if (refused) return refused;
      const stalling = stallAt(ctx, 'pasv');
      if (stalling) return stall(ctx, stalling);
      const target = verb === 'PORT' ? parsePort(args) : parseEprt(args);
      if (!target) return reply(ctx, '501', `Illegal ${verb} command.`);
      // vsftpd's port_promiscuous=NO: only the control connection's peer (loopback here), as FTP bounce protection.
      if (!target.host.startsWith('127.')) return reply(ctx, '500', 'Illegal PORT command.');
      ctx.state.plan = { mode: 'active', command: verb, ...target };
      return reply(ctx, '200', `${verb} command successful. Consider using PASV.`);
    },
  };
}

/** What every transfer checks first: a data plan, and PROT P when the server requires it (RFC 4217 §9, vsftpd's 521). */
function refuseTransfer(ctx: FtpsContext): FtpOutput | undefined {
  const { state, options } = ctx;
  if (!state.plan) return reply(ctx, '425', 'Use PORT or PASV first.');
  if (state.tlsDone && options.protP === 'required' && state.prot !== 'P')
    return reply(ctx, '521', 'Data connections must be encrypted.');
  return undefined;
}

function transfer(ctx: FtpsContext, message: string, send: Buffer | undefined, storeAt?: string): FtpOutput {
  const refused = refuseTransfer(ctx);
  if (refused) return refused;
  const plan = ctx.state.plan as DataPlan;
  ctx.state.plan = undefined;
  const ascii = ctx.state.type === 'A';
  const wire = send && ascii ? toCrlf(send) : send;
  const stalling = stallAt(ctx, 'transfer');
  const data = {
    op: 'transfer',
    transfer: {
      plan,
      ...(wire ? { send: wire } : {}),
      ...(storeAt ? { storeAt } : {}),
      protect: ctx.state.prot === 'P',
      ascii,
    },
  } as const;
  const missing = ctx.fault('missing-150');
  // The preliminary reply is left out: the final one (226) comes when the shell reports the transfer.
  if (missing) return { data, record: [faultEvent(missing)] };
  const out = reply(ctx, '150', message, { data });
  if (!stalling) return out;
  // The 150 goes out, then nothing: no data connection, no final reply.
  const silent = stall(ctx, stalling);
  return { write: out.write!, stall: true, record: [...(out.record ?? []), ...(silent.record ?? [])] };
}

/** RFC 959 §3.1.1.1: TYPE A sends NVT-ASCII, lines ending CRLF. */
export function toCrlf(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

export function fromCrlf(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

const RETR: CommandDef = {
  verb: 'RETR',
  handle(ctx, args) {
    const path = resolvePath(ctx.state.cwd, args);
    const file = path ? ctx.tree.file(path) : undefined;
    if (!file) return reply(ctx, '550', 'Failed to open file.');
    const mode = ctx.state.type === 'A' ? 'ASCII' : 'BINARY';
    return transfer(ctx, `Opening ${mode} mode data connection for ${args} (${file.length} bytes).`, file);
  },
};

const STOR: CommandDef = {
  verb: 'STOR',
  handle(ctx, args) {
    const path = resolvePath(ctx.state.cwd, args);
    if (!path || !path.startsWith('/upload/') || path.slice(8).includes('/') || path === '/upload/')
      return reply(ctx, '553', 'Could not create file.');
    return transfer(ctx, 'Ok to send data.', undefined, path);
  },
};

function listing(
  verb: 'LIST' | 'NLST' | 'MLSD',
  line: (e: { name: string; dir: boolean; size: number }) => string,
): CommandDef {
  return {
    verb,
    ...(verb === 'MLSD' ? { feat: 'MLST type*;size*;modify*;' } : {}),
    handle(ctx, args) {
      // LIST's options (-a, -l) are what ls would take: ignored, as vsftpd does.
      const target = args.replace(/^(-\S+\s*)+/, '');
      const path = resolvePath(ctx.state.cwd, target);
      if (!path || !ctx.tree.isDirectory(path))
        return reply(ctx, verb === 'MLSD' ? '550' : '450', 'No such directory.');
      const body = Buffer.from(ctx.tree.entries(path).map(line).join(''), 'latin1');
      // Listings are already CRLF text: sent as they are, whatever the TYPE.
      const saved = ctx.state.type;
      ctx.state.type = 'I';
      const out = transfer(ctx, 'Here comes the directory listing.', body);
      ctx.state.type = saved;
      return out;
    },
  };
}

export const DATA_COMMANDS_DEFS: readonly CommandDef[] = [
  passive('PASV'),
  passive('EPSV'),
  active('PORT'),
  active('EPRT'),
  RETR,
  STOR,
  listing('LIST', listLine),
  listing('NLST', (e) => `${e.name}\r\n`),
  listing('MLSD', mlsdLine),
];
