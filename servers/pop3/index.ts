/** POP3 (RFC 1939) with STLS (RFC 2595) or implicit TLS (RFC 8314): CONFORM_ACTION=retrieve fetches message 1. */
import { defineProtocol, NOTHING_INSIDE, SERVED, TLS_EVENTS, upgradeAndImplicit } from '../shared/descriptor.js';
import { explainRule } from '../shared/script/schema.js';
import { Pop3OptionsSchema } from './options.js';
import { explainPop3Fault } from './faults.js';

export const POP3 = defineProtocol({
  optionsSchema: Pop3OptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('./server.js')).startPop3Server(options, ctx),
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
  // RFC 1939 §4: the server greets with +OK.
  firstExchange: { expect: Buffer.from('+OK') },
  describeFaults: (options) => [...options.script.map(explainRule), ...options.faults.map(explainPop3Fault)],
  tlsModes: upgradeAndImplicit({
    name: 'POP3',
    upgrade: 'stls',
    upgradeLabel: 'STLS',
    refs: ['RFC 8314 §5.3'],
    refused: NOTHING_INSIDE,
    accepted: SERVED,
  }),
});
