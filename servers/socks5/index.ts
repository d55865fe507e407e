/**
 * SOCKS5 (RFC 1928, RFC 1929): the proxy records the greeting, method choice,
 * sub-negotiation, request and reply as `command` / `reply` / `credentials`
 * events, the tunnelled bytes as payloads; an HTTPS target behind it records
 * the ClientHello that crossed the tunnel.
 */
import { defineProtocol, SERVED, TLS_EVENTS } from '../shared/descriptor.js';
import { Socks5OptionsSchema } from './options.js';
import { explainSocks5Fault } from './faults.js';
import { explainSocks5Rule } from './script-explain.js';

export const SOCKS5 = defineProtocol({
  optionsSchema: Socks5OptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('./server.js')).startSocks5Server(options, ctx),
  actions: ['get', 'bind', 'udp'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-sent', 'payload-received'],
  // RFC 1928 §3: the client greets, offering "no authentication"; the proxy selects it.
  firstExchange: { send: Buffer.from([0x05, 0x01, 0x00]), expect: Buffer.from([0x05, 0x00]) },
  describeFaults: (options) => [...options.script.map(explainSocks5Rule), ...options.faults.map(explainSocks5Fault)],
  // Its rules trigger on SOCKS5's stages, so they explain themselves.
  explainRule: explainSocks5Rule,
  // A SOCKS5 client speaks first: its greeting is the least that shows it tried.
  firstStep: {
    matcher: { type: 'command', verb: 'GREETING' },
    point: 'the proxy (its greeting)',
    missing: 'connected, but sent no greeting',
  },
  // TLS, when there is any, is the client's with the target, through the tunnel;
  // the name it verifies and sends is the target URL's host (docs/contract.md).
  meetsTls: (job) => job.url.startsWith('https:'),
  tlsName: (job) => (job.url ? new URL(job.url).hostname.replace(/^\[|\]$/g, '') : job.host),
  requiresTls: (job) => job.url.startsWith('https:'),
  tlsModes: [
    {
      mode: '',
      server: { target: 'https' },
      label: 'SOCKS5, TLS to the target through the tunnel',
      refs: ['RFC 9110 §4.2.2'],
      refused: [{ outcome: 'failure' }, { never: { type: 'command', verb: 'GET' } }],
      accepted: SERVED,
    },
  ],
});
