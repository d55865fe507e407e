import { Pop3OptionsSchema } from '../../servers/pop3/options.js';
import { explainPop3Fault } from '../../servers/pop3/faults.js';
import { define, TLS_EVENTS } from './define.js';
import { explainRule } from '../../servers/shared/script/schema.js';

/** POP3 (RFC 1939) with STLS (RFC 2595) or implicit TLS (RFC 8314): CONFORM_ACTION=retrieve fetches message 1. */
export const POP3 = define({
  optionsSchema: Pop3OptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('../../servers/pop3/server.js')).startPop3Server(options, ctx),
  actions: ['retrieve'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-sent', 'pipelined-before-tls', 'plaintext-after-hello'],
  describeFaults: (options) => [...options.script.map(explainRule), ...options.faults.map(explainPop3Fault)],
});
