import { explainHttpsFault, HttpsOptionsSchema, startHttpsServer } from '../../servers/https/index.js';
import { define, TLS_EVENTS } from './define.js';

export const HTTPS = define({
  optionsSchema: HttpsOptionsSchema,
  start: startHttpsServer,
  actions: ['get'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'payload-sent'],
  describeFaults: (options) => options.faults.map(explainHttpsFault),
});
