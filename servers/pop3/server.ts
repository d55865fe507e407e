import { startMailStoreServer } from '../shared/mail-store-server.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { explainPop3Fault } from './faults.js';
import { createPop3Machine, MAX_LINE } from './machine.js';
import { makeMessages } from './mailbox.js';
import type { Pop3Options } from './options.js';

/** Starts the POP3 server of one case on an ephemeral loopback port (the shared mail-store shell). */
export async function startPop3Server(options: Pop3Options, ctx: ServerContext): Promise<RunningServer> {
  const messages = makeMessages(options.mailbox);
  return startMailStoreServer({
    name: 'pop3',
    options,
    ctx,
    messages,
    machine: () => createPop3Machine(options, messages),
    explainFault: explainPop3Fault,
    maxLine: MAX_LINE,
    url: (secure, host, port) => `${secure ? 'pop3s' : 'pop3'}://${host}:${port}`,
  });
}
