import { startMailStoreServer } from '../shared/mail-store-server.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { explainImapFault } from './faults.js';
import { createImapMachine, MAX_LINE } from './machine.js';
import { makeMessages } from './mailbox.js';
import type { ImapOptions } from './options.js';

/** Starts the IMAP server of one case on an ephemeral loopback port (the shared mail-store shell). */
export async function startImapServer(options: ImapOptions, ctx: ServerContext): Promise<RunningServer> {
  const messages = makeMessages(options.mailbox);
  return startMailStoreServer({
    name: 'imap',
    options,
    ctx,
    messages,
    machine: () => createImapMachine(options, messages),
    explainFault: explainImapFault,
    maxLine: MAX_LINE,
    // RFC 5092: the URL names the mailbox; message 1 is the one to retrieve.
    url: (secure, host, port) => `${secure ? 'imaps' : 'imap'}://${host}:${port}/INBOX`,
  });
}
