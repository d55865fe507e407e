/**
 * FTP (RFC 959) with AUTH TLS (RFC 4217) or implicit TLS: CONFORM_ACTION
 * download, upload or list, as the case's `server.transfer` says. Data
 * connections are recorded on the server name `ftps-data`, a foreign PASV
 * address's trap on `ftps-trap`.
 */
import { defineProtocol, NOTHING_INSIDE, SERVED, TLS_EVENTS, upgradeAndImplicit } from '../shared/descriptor.js';
import { FtpsOptionsSchema } from './options.js';
import { explainFtpsSetup } from './faults.js';
import { explainFtpsRule } from './script.js';

export const FTPS = defineProtocol({
  optionsSchema: FtpsOptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('./server.js')).startFtpsServer(options, ctx),
  actions: ['download', 'upload', 'list'],
  emits: [
    ...TLS_EVENTS,
    'command',
    'reply',
    'credentials',
    'payload-sent',
    'payload-received',
    'pipelined-before-tls',
    'plaintext-after-hello',
    'tls-cleared',
  ],
  // RFC 959 §5.4: the server greets with 220.
  firstExchange: { expect: Buffer.from('220') },
  describeFaults: explainFtpsSetup,
  explainRule: explainFtpsRule,
  // FTP text (TYPE A, and every listing) crosses in NVT-ASCII with CRLF line ends and is
  // stored with the local convention (RFC 959 §3.1.1.1): a client may keep CRLF or write LF.
  textOutput: (job) => job.action === 'list' || job.ftpType === 'A',
  tlsModes: upgradeAndImplicit({
    name: 'FTPS',
    upgrade: 'explicit',
    upgradeLabel: 'AUTH TLS',
    refs: ['RFC 4217 §15.1.1'],
    refused: NOTHING_INSIDE,
    accepted: SERVED,
  }),
});
