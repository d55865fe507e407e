/** IMAP (RFC 9051, RFC 3501) with STARTTLS or implicit TLS (RFC 8314): CONFORM_ACTION=retrieve fetches message 1 of INBOX. */
import { defineProtocol, NOTHING_INSIDE, SERVED, TLS_EVENTS, upgradeAndImplicit } from '../shared/descriptor.js';
import { explainRule } from '../shared/script/schema.js';
import { ImapOptionsSchema } from './options.js';
import { explainImapFault } from './faults.js';

export const IMAP = defineProtocol({
  optionsSchema: ImapOptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('./server.js')).startImapServer(options, ctx),
  actions: ['retrieve'],
  emits: [
    ...TLS_EVENTS,
    'command',
    'reply',
    'credentials',
    'payload-sent',
    'pipelined-before-tls',
    'plaintext-after-hello',
  ],
  // RFC 9051 §7.1: the server greets with an untagged OK (or PREAUTH, BYE).
  firstExchange: { expect: Buffer.from('* OK') },
  describeFaults: (options) => [...options.script.map(explainRule), ...options.faults.map(explainImapFault)],
  tlsModes: upgradeAndImplicit({
    name: 'IMAP',
    upgrade: 'starttls',
    upgradeLabel: 'STARTTLS',
    refs: ['RFC 8314 §5.3'],
    refused: NOTHING_INSIDE,
    accepted: SERVED,
  }),
});
