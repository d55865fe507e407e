/**
 * The control connection: the shared line-session shell, plus what FTP adds.
 * A command may start work on the data channel (a passive listener, a
 * transfer) whose reply comes later; the shell holds the next command back
 * until that work is done, and the listener closes with the session.
 */
import type { Socket } from 'node:net';
import { findFault } from '../shared/fault-kit.js';
import type { SecureContext } from 'node:tls';
import type { TrackedConnection } from '../shared/connection.js';
import { serveLineSession } from '../shared/line-session.js';
import type { TlsSessionCache } from '../shared/tls-accept.js';
import { PassiveListener, runTransfer, type DataDeps, type Trap } from './data.js';
import { MAX_LINE, type FtpMachine } from './machine.js';
import { FtpsScriptedMachine } from './scripted.js';
import type { ClientCertPolicy } from '../shared/client-cert.js';
import type { FtpOutput } from './session.js';

export interface ControlOptions extends DataDeps {
  server: string;
  connection: TrackedConnection;
  context: SecureContext;
  /** Whether the control connection's handshake asks for a client certificate (servers/shared/client-cert.ts). */
  clientCert?: ClientCertPolicy;
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
  const foreign = findFault(opts.options.faults, 'pasv-foreign-address');
  const faultTrap: Trap | undefined =
    foreign && 'address' in foreign ? { address: foreign.address, name: foreign.kind } : undefined;
  // A script answers around the machine, and the data channel's later replies (227/229, 226) go through it too.
  // The script's shadow must be a machine of its own: the live one fed twice would answer twice.
  const scripted = opts.options.script.length
    ? new FtpsScriptedMachine(machine, opts.plaintextMachine(), opts.options.script, opts.implicitTls)
    : undefined;
  const answering = scripted ?? machine;

  const runData = async (out: FtpOutput): Promise<FtpOutput | undefined> => {
    const req = out.data!;
    if (req.op === 'listen') {
      listener?.close();
      // A script rule's foreign address (its trap named after the rule), else the named fault's.
      const address = req.script?.edit.address;
      const trap = address !== undefined ? { address, name: req.script!.fault.name } : faultTrap;
      const opened = await PassiveListener.open(opts, trap);
      // The client may have left while the port was being opened.
      if (ended) {
        opened.close();
        return undefined;
      }
      listener = opened;
      if (address !== undefined) req.script!.acted?.();
      return answering.passiveReady(req.command, trap?.address ?? opts.bindHost, listener.port);
    }
    const current = req.transfer.plan.mode === 'passive' ? listener : undefined;
    listener = undefined;
    const result = await runTransfer(
      opts,
      req.transfer,
      current,
      (path, data) => machine.ctx.tree.uploads.set(path, data),
      req.script,
    );
    return ended ? undefined : answering.transferred(result);
  };

  return serveLineSession<FtpOutput>(socket, {
    log: opts.log,
    server: opts.server,
    connection: opts.connection,
    context: opts.context,
    sessions: opts.sessions,
    ...(opts.clientCert ? { clientCert: opts.clientCert } : {}),
    keylog: opts.keylog,
    implicitTls: opts.implicitTls,
    maxLine: MAX_LINE,
    machine: answering,
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
