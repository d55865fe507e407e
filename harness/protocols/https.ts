import { HttpsOptionsSchema } from '../../servers/https/options.js';
import { explainHttpsFault } from '../../servers/https/faults.js';
import { define, TLS_EVENTS } from './define.js';
import { explainRule } from '../../servers/shared/script/schema.js';

export const HTTPS = define({
  optionsSchema: HttpsOptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('../../servers/https/server.js')).startHttpsServer(options, ctx),
  actions: ['get'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'payload-sent'],
  describeFaults: (options) => [...options.script.map(explainRule), ...options.faults.map(explainHttpsFault)],
});
