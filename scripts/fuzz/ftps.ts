import fc from 'fast-check';
import { createFtpMachine } from '../../servers/ftps/machine.js';
import { FtpsOptionsSchema } from '../../servers/ftps/options.js';
import { VirtualTree } from '../../servers/ftps/tree.js';

/**
 * The FTP control machine never throws, never records a password, and never
 * serves or stores a path outside the virtual tree, whatever lines arrive in
 * whatever state, under every TLS mode and a sample of faults.
 */
const WORDS = [
  'AUTH TLS',
  'AUTH SSL',
  'AUTH KERBEROS',
  'PBSZ 0',
  'PROT P',
  'PROT C',
  'PROT E',
  'CCC',
  'USER conform',
  'PASS conform-ftp-secret',
  'PASS x',
  'FEAT',
  'SYST',
  'PWD',
  'CWD ..',
  'CWD /pub',
  'CWD ../../..',
  'CDUP',
  'TYPE I',
  'TYPE A',
  'TYPE E',
  'TYPE L 8',
  'PASV',
  'EPSV',
  'EPSV ALL',
  'PORT 127,0,0,1,4,1',
  'PORT 10,0,0,1,4,1',
  'PORT 1,2,3',
  'EPRT |1|127.0.0.1|2000|',
  'EPRT |2|::1|2000|',
  'RETR /pub/binary.bin',
  'RETR ../../../etc/passwd',
  'RETR /etc/passwd',
  'RETR a\0b',
  'STOR /upload/x',
  'STOR ../../tmp/x',
  'STOR /upload/../../x',
  'LIST',
  'LIST -la /pub',
  'NLST ..',
  'MLSD /',
  'SIZE /pub/text.txt',
  'SIZE ../../etc/shadow',
  'MDTM /pub/empty.txt',
  'NOOP',
  'QUIT',
  '',
  ' ',
  '\x16\x03\x01\x00',
  '\xff\xfe',
];
const line = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
);
const options = fc.record({
  tls: fc.constantFrom('none', 'explicit', 'explicit-required', 'implicit'),
  protP: fc.constantFrom('required', 'optional'),
  faults: fc.subarray([
    { kind: 'auth-refused' },
    { kind: 'greeting-230' },
    { kind: 'inject-after-auth' },
    { kind: 'prot-refused' },
    { kind: 'type-i-refused' },
    { kind: 'multiline-replies' },
    { kind: 'lf-replies' },
    { kind: 'pasv-foreign-address' },
  ]),
});
/** What the shell may do next: grant a passive listener, finish a transfer well or badly. */
const SHELL = fc.constantFrom('none', 'ok', 'fail');

export const ftpsProperty = fc.property(
  options,
  fc.array(fc.tuple(line, fc.boolean(), SHELL), { maxLength: 60 }),
  (opts, inputs) => {
    const tree = new VirtualTree();
    const machine = createFtpMachine(FtpsOptionsSchema.parse(opts), tree);
    const recorded = [JSON.stringify(machine.start())];
    for (const [text, upgrade, shell] of inputs) {
      const out = machine.line(text);
      recorded.push(JSON.stringify(out.record ?? []));
      if (out.upgrade && upgrade) machine.upgraded();
      if (out.data?.op === 'listen')
        recorded.push(JSON.stringify(machine.passiveReady(out.data.command, '127.0.0.1', 40000).record));
      if (out.data?.op === 'transfer') {
        const storeAt = out.data.transfer.storeAt;
        if (storeAt !== undefined && !/^\/upload\/[^/]+$/.test(storeAt))
          throw new Error(`an upload would land outside /upload: ${storeAt}`);
        if (shell !== 'none')
          machine.transferred(shell === 'ok' ? { ok: true } : { ok: false, code: '426', text: 'aborted' });
      }
    }
    recorded.push(JSON.stringify(machine.lineTooLong()));
    if (recorded.join('').includes('conform-ftp-secret')) throw new Error('a password was recorded');
    for (const path of [...tree.files.keys(), ...tree.uploads.keys()])
      if (!/^\/(pub|upload)\/[^/]+$/.test(path)) throw new Error(`the tree holds ${path}`);
  },
);
