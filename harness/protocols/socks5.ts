import { explainSocks5Fault, Socks5OptionsSchema, startSocks5Server } from '../../servers/socks5/index.js';
import { define, TLS_EVENTS } from './define.js';

/**
 * SOCKS5 (RFC 1928, RFC 1929): the proxy records the greeting, method choice,
 * sub-negotiation, request and reply as `command` / `reply` / `credentials`
 * events, the tunnelled bytes as payloads; an HTTPS target behind it records
 * the ClientHello that crossed the tunnel.
 */
export const SOCKS5 = define({
  optionsSchema: Socks5OptionsSchema,
  start: startSocks5Server,
  actions: ['get', 'bind', 'udp'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-sent', 'payload-received'],
  describeFaults: (options) => options.faults.map(explainSocks5Fault),
});
