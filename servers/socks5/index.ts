export { Socks5OptionsSchema, METHODS, type Socks5Options } from './options.js';
export { Socks5FaultSchema, explainSocks5Fault, type Socks5Fault } from './faults.js';
export { createSocks5Machine, type Socks5Machine } from './machine.js';
export { startSocks5Server } from './server.js';
