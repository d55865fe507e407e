import { SmtpOptionsSchema, startSmtpServer } from '../../servers/smtp/index.js';
import { define, TLS_EVENTS } from './define.js';

export const SMTP = define({
  optionsSchema: SmtpOptionsSchema,
  start: startSmtpServer,
  actions: ['send'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-received', 'pipelined-before-tls', 'plaintext-after-hello'],
});
