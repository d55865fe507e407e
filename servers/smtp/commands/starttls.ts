import type { MachineOutput } from '../../shared/line-session.js';
import { merge } from '../session.js';
import type { CommandSpec } from './types.js';

const REFUSALS = {
  '454': '4.7.0 TLS not available due to local problem',
  '502': '5.5.1 Error: command not implemented',
  '500': '5.5.2 Error: command not recognized',
  // Not a refusal any RFC names: a client must treat anything but 220 as "no TLS" (RFC 3207 §4).
  '354': '3.0.0 Go ahead',
} as const;

/** RFC 3207 §4: STARTTLS, answered 220 and followed by the handshake (the shell does it). */
export const STARTTLS: CommandSpec = {
  verb: 'STARTTLS',
  capability: 'STARTTLS',
  refusal: (s) => s.reply('502', '5.5.1 Error: command not implemented'),
  needsHello: true,
  stallStep: 'starttls',
  lastInGroup: true,
  handle(s, args) {
    if (s.layer === 'tls' || s.fakeTls) return s.reply('554', '5.5.1 Error: TLS already active');
    if (args) return s.reply('501', '5.5.4 Syntax: STARTTLS');
    const refuse = s.fault('refuse-starttls');
    if (refuse) {
      // Replies to commands not yet sent, in the same write: only a client that reads
      // ahead of its own commands takes them (curl's fix for CVE-2021-22947 rejects them).
      const injected: MachineOutput = refuse.inject ? { write: refuse.inject } : {};
      return s.carriedOut(refuse, merge(s.reply(refuse.code, REFUSALS[refuse.code]), injected));
    }
    const noTls = s.fault('no-tls-after-go-ahead');
    if (noTls) {
      s.fakeTls = true;
      return s.carriedOut(noTls, s.reply('220', '2.0.0 Ready to start TLS'));
    }
    const inject = s.fault('inject-after-starttls');
    let goAhead = s.reply('220', '2.0.0 Ready to start TLS', { upgrade: inject ? { inject: inject.bytes } : {} });
    if (inject) goAhead = s.carriedOut(inject, goAhead);
    const failure = s.fault('handshake-failure');
    return failure ? s.carriedOut(failure, goAhead) : goAhead;
  },
};
