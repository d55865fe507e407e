export { HttpsOptionsSchema, type HttpsOptions } from './options.js';
export { HttpsFaultSchema, explainHttpsFault, type HttpsFault } from './faults.js';
export { startHttpsServer } from './server.js';
