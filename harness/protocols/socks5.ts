import { Socks5OptionsSchema } from '../../servers/socks5/options.js';
import { explainSocks5Fault } from '../../servers/socks5/faults.js';
import { explainSocks5Rule } from '../../servers/socks5/script-explain.js';
import { define, TLS_EVENTS } from './define.js';

/**
 * SOCKS5 (RFC 1928, RFC 1929): the proxy records the greeting, method choice,
 * sub-negotiation, request and reply as `command` / `reply` / `credentials`
 * events, the tunnelled bytes as payloads; an HTTPS target behind it records
 * the ClientHello that crossed the tunnel.
 */
export const SOCKS5 = define({
  optionsSchema: Socks5OptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('../../servers/socks5/server.js')).startSocks5Server(options, ctx),
  actions: ['get', 'bind', 'udp'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-sent', 'payload-received'],
  describeFaults: (options) => [...options.script.map(explainSocks5Rule), ...options.faults.map(explainSocks5Fault)],
  // Its rules trigger on SOCKS5's stages, so they explain themselves.
  explainRule: explainSocks5Rule,
  // A SOCKS5 client speaks first: its greeting is the least that shows it tried.
  firstStep: { matcher: { type: 'command', verb: 'GREETING' }, point: 'the proxy (its greeting)', missing: 'connected, but sent no greeting' },
});
