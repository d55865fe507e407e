/** HTTPS (RFC 9110 over TLS): CONFORM_ACTION=get fetches the served body. */
import { defineProtocol, SERVED, TLS_EVENTS } from '../shared/descriptor.js';
import { explainRule } from '../shared/script/schema.js';
import { HttpsOptionsSchema } from './options.js';
import { explainHttpsFault } from './faults.js';

export const HTTPS = defineProtocol({
  optionsSchema: HttpsOptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('./server.js')).startHttpsServer(options, ctx),
  actions: ['get'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'payload-sent'],
  // RFC 9112 §3: the client speaks first; the server answers with a status line.
  firstExchange: { send: Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'), expect: Buffer.from('HTTP/1.1 ') },
  describeFaults: (options) => [...options.script.map(explainRule), ...options.faults.map(explainHttpsFault)],
  tlsModes: [
    {
      mode: '',
      server: {},
      label: '',
      refs: ['RFC 9110 §4.2.2'],
      refused: [{ outcome: 'failure' }, { never: 'command' }],
      accepted: SERVED,
    },
  ],
});
