export { ImapOptionsSchema, type ImapOptions } from './options.js';
export { ImapFaultSchema, explainImapFault, type ImapFault } from './faults.js';
export { startImapServer } from './server.js';
