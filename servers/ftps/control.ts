/**
 * The control connection: the shared line-session shell, plus what FTP adds.
 * A command may start work on the data channel (a passive listener, a
 * transfer) whose reply comes later; the shell holds the next command back
 * until that work is done, and the listener closes with the session.
 */
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { TrackedConnection } from '../shared/connection.js';
import { serveLineSession, type LineMachine } from '../shared/line-session.js';
import { withScript } from '../shared/script/engine.js';
import type { TlsSessionCache } from '../shared/tls-accept.js';
import { PassiveListener, runTransfer, type DataDeps } from './data.js';
import { MAX_LINE, type FtpMachine } from './machine.js';
import type { FtpOutput } from './session.js';

export interface ControlOptions extends DataDeps {
  server: string;
  connection: TrackedConnection;
  context: SecureContext;
  /** This connection's session store, shared with its data connections when they use the same certificate. */
  sessions: TlsSessionCache;
  implicitTls: boolean;
  plaintextBanner?: string;
  machine: FtpMachine;
  /** A fresh machine to read plaintext sent where TLS belonged (see LineSessionOptions). */
  plaintextMachine: () => FtpMachine;
}

export function serveControl(socket: Socket, opts: ControlOptions): Promise<void> {
  const { machine } = opts;
  /** The session is over: a listener still opening must close at once. */
  let ended = false;
  let listener: PassiveListener | undefined;
  const foreign = opts.options.faults.find((f) => f.kind === 'pasv-foreign-address');
  const trapAddress = foreign && 'address' in foreign ? foreign.address : undefined;

  const runData = async (out: FtpOutput): Promise<FtpOutput | undefined> => {
    const req = out.data!;
    if (req.op === 'listen') {
      listener?.close();
      const opened = await PassiveListener.open(opts, trapAddress);
      // The client may have left while the port was being opened.
      if (ended) {
        opened.close();
        return undefined;
      }
      listener = opened;
      return machine.passiveReady(req.command, trapAddress ?? opts.bindHost, listener.port);
    }
    const current = req.transfer.plan.mode === 'passive' ? listener : undefined;
    listener = undefined;
    const result = await runTransfer(opts, req.transfer, current, (path, data) => machine.ctx.tree.uploads.set(path, data));
    return ended ? undefined : machine.transferred(result);
  };

  return serveLineSession<FtpOutput>(socket, {
    log: opts.log, server: opts.server, connection: opts.connection, context: opts.context, sessions: opts.sessions,
    keylog: opts.keylog, implicitTls: opts.implicitTls, maxLine: MAX_LINE,
    // A script answers around the machine; the data channel still asks the machine itself (passiveReady, transferred).
    // The script's shadow must be a machine of its own: the live one fed twice would answer twice.
    machine: withScript(machine, opts.options.script, opts.plaintextMachine, opts.implicitTls) as LineMachine<FtpOutput>,
    plaintextMachine: opts.plaintextMachine,
    ...(opts.plaintextBanner !== undefined ? { plaintextBanner: opts.plaintextBanner } : {}),
    followUp: (out) => (out.data ? runData(out) : undefined),
    onEnd: () => {
      ended = true;
      listener?.close();
      listener = undefined;
    },
  });
}
