export { SmtpOptionsSchema, type SmtpOptions } from './options.js';
export { SmtpFaultSchema, explainSmtpFault, type SmtpFault } from './faults.js';
export { startSmtpServer } from './server.js';
