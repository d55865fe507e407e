import { FtpsOptionsSchema } from '../../servers/ftps/options.js';
import { explainFtpsSetup } from '../../servers/ftps/faults.js';
import { explainFtpsRule } from '../../servers/ftps/script.js';
import { define, TLS_EVENTS } from './define.js';

/**
 * FTP (RFC 959) with AUTH TLS (RFC 4217) or implicit TLS: CONFORM_ACTION
 * download, upload or list, as the case's `server.transfer` says. Data
 * connections are recorded on the server name `ftps-data`, a foreign PASV
 * address's trap on `ftps-trap`.
 */
export const FTPS = define({
  optionsSchema: FtpsOptionsSchema,
  // The server loads when a case runs: `list` and `explain` need only its schema.
  start: async (options, ctx) => (await import('../../servers/ftps/server.js')).startFtpsServer(options, ctx),
  actions: ['download', 'upload', 'list'],
  emits: [...TLS_EVENTS, 'command', 'reply', 'credentials', 'payload-sent', 'payload-received', 'pipelined-before-tls', 'plaintext-after-hello', 'tls-cleared'],
  describeFaults: explainFtpsSetup,
  explainRule: explainFtpsRule,
});
