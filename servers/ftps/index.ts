export { FtpsOptionsSchema, type FtpsOptions } from './options.js';
export { FtpsFaultSchema, explainFtpsFault, explainFtpsSetup, type FtpsFault } from './faults.js';
export { startFtpsServer } from './server.js';
