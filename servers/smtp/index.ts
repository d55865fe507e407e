/** SMTP (RFC 5321) with STARTTLS (RFC 3207) or implicit TLS (RFC 8314): CONFORM_ACTION=send submits a message. */
import { defineProtocol, NOTHING_INSIDE, TLS_EVENTS, upgradeAndImplicit } from '../shared/descriptor.js';
import { explainRule } from '../shared/script/schema.js';
import { SmtpOptionsSchema } from './options.js';
import { explainSmtpFault } from './faults.js';

export const SMTP = defineProtocol({
  optionsSchema: SmtpOptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('./server.js')).startSmtpServer(options, ctx),
  actions: ['send'],
  emits: [
    ...TLS_EVENTS,
    'command',
    'reply',
    'credentials',
    'payload-received',
    'pipelined-before-tls',
    'plaintext-after-hello',
  ],
  // RFC 5321 §4.2: the server greets with 220.
  firstExchange: { expect: Buffer.from('220') },
  describeFaults: (options) => [...options.script.map(explainRule), ...options.faults.map(explainSmtpFault)],
  tlsModes: upgradeAndImplicit({
    name: 'SMTP',
    upgrade: 'starttls',
    upgradeLabel: 'STARTTLS',
    refs: ['RFC 8314 §5.3'],
    refused: [...NOTHING_INSIDE, { delivered: 'nothing' }],
    accepted: [{ outcome: 'success' }, { delivered: 'input' }],
  }),
});
