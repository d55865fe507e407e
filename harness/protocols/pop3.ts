import { Pop3OptionsSchema, startPop3Server } from '../../servers/pop3/index.js';
import { define, TLS_EVENTS } from './define.js';

/** POP3 (RFC 1939) with STLS (RFC 2595) or implicit TLS (RFC 8314): CONFORM_ACTION=retrieve fetches message 1. */
export const POP3 = define({
  optionsSchema: Pop3OptionsSchema,
  start: startPop3Server,
  actions: ['retrieve'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-sent', 'pipelined-before-tls', 'plaintext-after-hello'],
});
