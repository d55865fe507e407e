/** Session and file-information commands: RFC 959 §4.1, RFC 2389 FEAT, RFC 3659 SIZE/MDTM. */
import { resolvePath } from '../tree.js';
import { faultEvent, prepend, reply } from '../session.js';
import type { CommandDef } from './types.js';

const SYST: CommandDef = { verb: 'SYST', beforeLogin: true, handle: (ctx) => reply(ctx, '215', 'UNIX Type: L8') };
const NOOP: CommandDef = { verb: 'NOOP', beforeLogin: true, handle: (ctx) => reply(ctx, '200', 'NOOP ok.') };
const QUIT: CommandDef = {
  verb: 'QUIT',
  beforeLogin: true,
  handle: (ctx) => reply(ctx, '221', 'Goodbye.', { close: true }),
};

const FEAT: CommandDef = {
  verb: 'FEAT',
  beforeLogin: true,
  // RFC 2389 §3.2: a multi-line reply, one feature per line, each indented by a space.
  handle: (ctx) => reply(ctx, '211', ['Features:', ...ctx.featLines(), 'End']),
};

const OPTS: CommandDef = {
  verb: 'OPTS',
  beforeLogin: true,
  handle: (ctx, args) =>
    /^UTF8 ON$/i.test(args) ? reply(ctx, '200', 'Always in UTF8 mode.') : reply(ctx, '501', 'Option not understood.'),
};

const PWD: CommandDef = {
  verb: 'PWD',
  handle: (ctx) => reply(ctx, '257', `"${ctx.state.cwd}" is the current directory`),
};

const CWD: CommandDef = {
  verb: 'CWD',
  handle(ctx, args) {
    const path = resolvePath(ctx.state.cwd, args);
    if (!path || !ctx.tree.isDirectory(path)) return reply(ctx, '550', 'Failed to change directory.');
    ctx.state.cwd = path;
    return reply(ctx, '250', 'Directory successfully changed.');
  },
};

const CDUP: CommandDef = { verb: 'CDUP', handle: (ctx) => CWD.handle(ctx, '..') };

const TYPE: CommandDef = {
  verb: 'TYPE',
  handle(ctx, args) {
    const t = args.toUpperCase().replace(/\s+/g, ' ');
    if (t === 'I' || t === 'L 8') {
      const refused = ctx.fault('type-i-refused');
      if (refused) return prepend([faultEvent(refused)], reply(ctx, '504', 'Binary mode not available.'));
      ctx.state.type = 'I';
      return reply(ctx, '200', 'Switching to Binary mode.');
    }
    if (t === 'A' || t === 'A N') {
      ctx.state.type = 'A';
      return reply(ctx, '200', 'Switching to ASCII mode.');
    }
    // RFC 959 §3.1.1.2: EBCDIC is optional; vsftpd refuses it.
    return reply(ctx, '504', 'Unrecognised TYPE command.');
  },
};

const MODE: CommandDef = {
  verb: 'MODE',
  handle: (ctx, a) =>
    a.toUpperCase() === 'S' ? reply(ctx, '200', 'Mode set to S.') : reply(ctx, '504', 'Bad MODE command.'),
};
const STRU: CommandDef = {
  verb: 'STRU',
  handle: (ctx, a) =>
    a.toUpperCase() === 'F' ? reply(ctx, '200', 'Structure set to F.') : reply(ctx, '504', 'Bad STRU command.'),
};

const SIZE: CommandDef = {
  verb: 'SIZE',
  feat: 'SIZE',
  handle(ctx, args) {
    const path = resolvePath(ctx.state.cwd, args);
    const file = path ? ctx.tree.file(path) : undefined;
    // RFC 3659 §4: the size as transferred in the current TYPE; vsftpd gives the stored size.
    return file ? reply(ctx, '213', String(file.length)) : reply(ctx, '550', 'Could not get file size.');
  },
};

const MDTM: CommandDef = {
  verb: 'MDTM',
  feat: 'MDTM',
  handle(ctx, args) {
    const path = resolvePath(ctx.state.cwd, args);
    return path && ctx.tree.file(path)
      ? reply(ctx, '213', '20240115120000')
      : reply(ctx, '550', 'Could not get file modification time.');
  },
};

export const BASIC_COMMANDS: readonly CommandDef[] = [
  SYST,
  NOOP,
  QUIT,
  FEAT,
  OPTS,
  PWD,
  CWD,
  CDUP,
  TYPE,
  MODE,
  STRU,
  SIZE,
  MDTM,
];
