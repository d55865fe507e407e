import { SmtpOptionsSchema } from '../../servers/smtp/options.js';
import { explainSmtpFault } from '../../servers/smtp/faults.js';
import { define, TLS_EVENTS } from './define.js';
import { explainRule } from '../../servers/shared/script/schema.js';

export const SMTP = define({
  optionsSchema: SmtpOptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('../../servers/smtp/server.js')).startSmtpServer(options, ctx),
  actions: ['send'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-received', 'pipelined-before-tls', 'plaintext-after-hello'],
  describeFaults: (options) => [...options.script.map(explainRule), ...options.faults.map(explainSmtpFault)],
});
