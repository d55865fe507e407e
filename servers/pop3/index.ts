export { Pop3OptionsSchema, type Pop3Options } from './options.js';
export { Pop3FaultSchema, explainPop3Fault, type Pop3Fault } from './faults.js';
export { startPop3Server } from './server.js';
