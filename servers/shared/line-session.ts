import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { EventLog, RecordedEvent } from './events.js';
import { LineReader, LineTooLongError } from './line-reader.js';
import { acceptTls, type TlsAcceptResult, type TlsSessionCache } from './tls-accept.js';
import { upgradeToTls } from './starttls.js';
import { leakPreview, plaintextEvents } from './plaintext-tap.js';
import { TlsRecordScanner } from './tls-records.js';
import { captureClientHello } from './client-hello.js';
import type { TrackedConnection } from './connection.js';
import { TLS_HANDSHAKE_RECORD } from './client-hello.js';
import type { ClientCertPolicy } from './client-cert.js';

export type { RecordedEvent } from './events.js';

/** Bytes written after a pause, and how: whole, or one byte every `trickleMs` (a scripted trickle). */
export interface Segment {
  bytes: Buffer;
  delayMs: number;
  trickleMs: number;
}

/** What a protocol machine wants done after an input. All fields optional. */
export interface MachineOutput {
  /** Bytes to write, line endings included (the machine decides them, LF-only faults too). */
  write?: string | Buffer;
  /** Events to record, in order (commands, replies, credentials, faults…). */
  record?: RecordedEvent[];
  /** `write` is a go-ahead: upgrade to TLS after it; `inject` goes out in the same write. */
  upgrade?: { inject?: string | Buffer };
  /** End the connection after writing. */
  close?: boolean;
  /** Go silent: read and ignore everything from now on, until the client leaves. */
  stall?: boolean;
  /**
   * `write` is the go-ahead of a clearing (FTP's CCC, RFC 4217 §5): written
   * inside TLS, then TLS is shut down with close_notify and the connection
   * goes on in plaintext; the machine hears of it through `cleared`.
   */
  clear?: boolean;
  /**
   * The reply invites no TLS, yet bytes injected behind it might: from now on,
   * a ClientHello at the start of a line in plaintext is recorded
   * (`client-hello`) instead of being read as a line, and the connection is
   * closed. The client may act on the injected bytes a command later (they
   * answer its next command), so the watch lasts.
   */
  watchHello?: boolean;
  /** Timed writes after `write` (a script's delays and trickles); what else the output asks comes once they are out. */
  sequence?: Segment[];
  /** Abort the connection (TCP RST) instead of closing it. */
  reset?: boolean;
  /** With `close` inside TLS: end TCP under the TLS layer, with no close_notify. */
  withoutNotify?: boolean;
  /**
   * Bytes that follow the answer of work that ends later (a script's bytes after
   * FTP's deferred 227/229 or 226): written once `followUp`'s output is out.
   */
  trailer?: Buffer;
}

/**
 * A line-based protocol (SMTP, POP3, the FTP control channel) as a pure state
 * machine: lines in, outputs out. It knows whether it is inside TLS because it
 * asked for the upgrade and is told when it happened; it never sees a socket.
 */
export interface LineMachine<O extends MachineOutput = MachineOutput> {
  /** The connection is ready (after the implicit-TLS handshake, if any): greet. */
  start(): O;
  /** One line from the client, without its ending. */
  line(line: string): O;
  /** The upgrade asked for by `upgrade` completed (RFC 3207 §4.2: forget what came before). */
  upgraded(): O;
  /** The client sent a line longer than the limit. */
  lineTooLong(): O;
  /** The clearing asked for by `clear` completed: plaintext from now on; `closeNotify` says whether the client sent its own. */
  cleared?(closeNotify: boolean): O;
  /** False while lines are not commands (a message's body, a SASL exchange): a script leaves those alone. Default true. */
  expectsCommand?(): boolean;
  /** SMTP: this line (read while no command is expected) ends the message data. */
  endsMessage?(line: string): boolean;
  /**
   * The command a line opens, where its first word is not the verb (IMAP's tag
   * comes first, RFC 9051 §2.2.1): for a script's triggers, and its `{tag}`.
   * Default: the first word is the verb.
   */
  commandOf?(line: string): { verb: string; args: string; tag?: string } | undefined;
  /** A script's state change without the exchange that earns it (`logged-in`). */
  setState?(state: 'logged-in'): void;
  /** A script's `connect` rule: what to write in plaintext before anything else. */
  connected?(): MachineOutput | undefined;
  /** A script's `client-hello` rule is armed: a ClientHello where a line was expected is its to answer. */
  watchesHello?(): boolean;
  /** A script's `client-hello` rule swallows the hello and the session reads on in plaintext. */
  helloGoesOn?(): boolean;
  /** A script's `client-hello` rule: bytes before (or instead of) the handshake; `proceed` lets it happen. */
  clientHello?(): (MachineOutput & { proceed: boolean }) | undefined;
}

export interface LineSessionOptions<O extends MachineOutput = MachineOutput> {
  log: EventLog;
  server: string;
  connection: TrackedConnection;
  context: SecureContext;
  /** Whether the handshake asks for a client certificate (client-cert.ts). Default `none`. */
  clientCert?: ClientCertPolicy;
  keylog: string[];
  /** Implicit TLS: the handshake comes before the greeting. */
  implicitTls: boolean;
  /** Written in plaintext before the implicit handshake (the "plaintext banner on a TLS port" fault). */
  plaintextBanner?: string;
  /** Longest line accepted. Default 4096 (RFC 5321 §4.5.3.1.6 allows 1000 for SMTP; be lenient). */
  maxLine?: number;
  machine: LineMachine<O>;
  /**
   * A fresh machine to read plaintext found where TLS belonged (plaintext-tap.ts):
   * its commands are judged on their own, whatever state the live session is in.
   * Default: the live machine.
   */
  plaintextMachine?: () => LineMachine<O>;
  /** Resumable TLS sessions of this connection (FTP shares them with its data connections). */
  sessions?: TlsSessionCache;
  /**
   * Work an output starts whose answer comes later (FTP: a passive listener,
   * a transfer). Lines after it wait until the promise settles; its output,
   * if any, is then carried out like the machine's own.
   */
  followUp?: (out: O) => Promise<O | undefined> | undefined;
  /** Called once when the session is over, whichever side ended it. */
  onEnd?: () => void;
}

/** How long a closing reply (221, 421) may wait for a client that does not read, before the connection is cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * The socket shell shared by line protocols: runs the machine over a socket,
 * performs the implicit handshake or the STARTTLS-style upgrade it asks for,
 * and carries out its writes, closes and stalls. Lines are handled one at a
 * time: an output with work that ends later (FTP's data channel) holds the
 * next line back until `followUp` answers. Everything the machine decides is
 * recorded by the machine; the shell records only what sockets tell.
 */
export async function serveLineSession<O extends MachineOutput>(
  socket: Socket,
  opts: LineSessionOptions<O>,
): Promise<void> {
  const { log, server, connection, machine } = opts;
  const conn = connection.id;
  const maxLine = opts.maxLine ?? 4096;
  // Plaintext a client sends where TLS belongs is read as the commands it would be (their replies are never sent).
  let shadow: LineMachine<O> | undefined;
  const plaintext = (line: string): RecordedEvent[] => {
    shadow ??= opts.plaintextMachine?.() ?? machine;
    // Each line a chunk of its own: the reader reads, it does not judge pipelining (SMTP's machine counts chunks).
    (shadow as { newChunk?: () => void }).newChunk?.();
    return shadow.line(line).record ?? [];
  };
  let stream: Duplex = socket;
  /**
   * A script's `client-hello` rule, between the hello and the handshake: its
   * bytes go out in plaintext, then the handshake, or the rule's ending (a
   * close, a reset, or silence while the client's plaintext is recorded).
   */
  const scriptedHello = async (): Promise<'continue' | 'stop'> => {
    const answer = machine.clientHello?.();
    if (!answer) return 'continue';
    const { proceed, ...rest } = answer;
    const out = rest.sequence ? await play(rest) : rest;
    if (proceed) {
      for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
      if (out.write !== undefined) socket.write(out.write);
      return 'continue';
    }
    if (apply({ ...out, stall: !out.close && !out.reset })) end();
    return 'stop';
  };
  const tlsOptions = {
    log,
    server,
    conn,
    context: opts.context,
    keylog: opts.keylog,
    plaintext,
    ...(opts.clientCert ? { clientCert: opts.clientCert } : {}),
    ...(opts.sessions ? { sessions: opts.sessions } : {}),
    ...(machine.clientHello ? { beforeHandshake: scriptedHello } : {}),
  };
  /** The TLS layer while TLS is up, with its way to be shut down for plaintext (CCC). */
  let tls: Extract<TlsAcceptResult, { kind: 'tls' }> | undefined;
  let reader = new LineReader(maxLine);
  let stalled = false;
  /** Bytes injected behind a reply may invite TLS nobody offered: a ClientHello arriving in plaintext is evidence, not a line. */
  let helloWatch = false;
  /** A swallowed ClientHello (a script's): TLS records are skipped, the plaintext behind them read as lines. */
  let behindHello: TlsRecordScanner | undefined;
  let leaked = false;
  /** The session is over (the server closed it, or the client left): no more lines. */
  let ended = false;
  let busy = false;

  const end = (): void => {
    if (ended) return;
    ended = true;
    opts.onEnd?.();
  };
  socket.once('close', end);

  /** Goes on inside TLS when the handshake succeeded; otherwise ends the connection. */
  const adopted = (result: TlsAcceptResult): boolean => {
    // A script answered the hello instead of a handshake, and ended (or silenced) the connection itself.
    if (result.kind === 'stopped') {
      end();
      return false;
    }
    if (result.kind !== 'tls') {
      end();
      connection.serverCloses();
      socket.destroy();
      return false;
    }
    connection.adopt(result.socket);
    stream = result.socket;
    stream.on('error', () => undefined);
    tls = result;
    return true;
  };

  /** Records and writes; says whether the session goes on. A go-ahead with a stall is written, then silence. */
  const apply = (out: MachineOutput): boolean => {
    for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
    if (out.stall) stalled = true;
    if (out.reset) {
      end();
      connection.serverCloses();
      if (out.write !== undefined) stream.write(out.write);
      socket.resetAndDestroy();
      return false;
    }
    if (out.close && out.withoutNotify && stream !== socket) {
      end();
      connection.serverCloses();
      // Flushed through TLS, then TCP ends beneath it: the client sees no close_notify.
      stream.write(out.write ?? Buffer.alloc(0), () => socket.end());
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      return false;
    }
    if (out.close) {
      end();
      connection.serverCloses();
      stream.end(out.write);
      // A client that never reads would keep the reply, and the connection, pending for ever.
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      return false;
    }
    if (out.write !== undefined) stream.write(out.write);
    if (out.watchHello && stream === socket) helloWatch = true;
    return true;
  };

  /** A machine that threw: recorded, and the connection cut; the server goes on. */
  const failed = (err: Error): void => {
    log.record(server, 'server-error', { code: 'LINE_SESSION', message: err.message }, conn);
    end();
    socket.destroy();
  };

  const tooLong = (): void => {
    stream.off('data', onData);
    apply({ ...machine.lineTooLong(), close: true });
  };

  /** The go-ahead (with any injected bytes in the same write), the handshake, then a fresh reader inside TLS. */
  const upgrade = async (out: O): Promise<void> => {
    for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
    stream.off('data', onData);
    socket.pause();
    const inject = out.upgrade?.inject;
    const result = await upgradeToTls(socket, {
      ...tlsOptions,
      leftover: reader.takeRest(),
      goAhead: Buffer.from(out.write ?? ''),
      ...(inject !== undefined ? { inject: Buffer.from(inject) } : {}),
    });
    await inside(result);
  };

  /** A handshake done (after a go-ahead, or a hello a script let through): a fresh reader, and the machine told. */
  const inside = async (result: TlsAcceptResult): Promise<void> => {
    if (!adopted(result)) return;
    reader = new LineReader(maxLine);
    stream.on('data', onData);
    // Called from drain, which holds further lines back until this returns.
    let out = machine.upgraded();
    if (out.sequence) out = await play(out);
    apply(out);
  };

  /** A ClientHello where a line was expected, and a script's `client-hello` rule to answer it. */
  const helloForScript = async (chunk: Buffer): Promise<void> => {
    stream.off('data', onData);
    socket.pause();
    socket.unshift(chunk);
    if (!machine.helloGoesOn?.()) return inside(await acceptTls(socket, tlsOptions));
    // Swallowed: the hello recorded, the rule's bytes sent, and lines read on in plaintext behind TLS records.
    const hello = await captureClientHello(socket).catch(() => undefined);
    if (hello) log.record(server, 'client-hello', hello, conn);
    const { proceed: _p, ...out } = machine.clientHello!()!;
    if (!apply(out.sequence ? await play(out) : out)) return;
    behindHello = new TlsRecordScanner();
    socket.on('data', onData);
    socket.resume();
  };

  /**
   * RFC 4217 §5: the go-ahead inside TLS, TLS shut down, then plaintext on the
   * same connection. Anything sent inside TLS after the command is not read:
   * the next command comes in plaintext.
   */
  const clear = async (out: O): Promise<void> => {
    for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
    if (!tls || !machine.cleared)
      throw new Error('a clearing was asked for outside TLS, or of a machine that cannot clear');
    const { socket: layer, clear: shutDown } = tls;
    tls = undefined;
    stream.off('data', onData);
    // The TLS layer's end is not the connection's end.
    connection.release(layer);
    reader = new LineReader(maxLine);
    const result = await shutDown(out.write ?? '');
    layer.destroy();
    if (!result || ended) return;
    stream = socket;
    reader.push(result.rest);
    socket.on('data', onData);
    socket.resume();
    apply(machine.cleared(result.closeNotify));
  };

  /** A ClientHello where no TLS was offered: recorded, and the connection closed (the client acted on injected bytes). */
  const helloUninvited = async (chunk: Buffer): Promise<void> => {
    stream.off('data', onData);
    socket.pause();
    socket.unshift(chunk);
    await acceptTls(socket, { ...tlsOptions, beforeHandshake: () => 'stop' });
    end();
    connection.serverCloses();
    socket.destroy();
  };

  /**
   * A script's timed writes: `write` at once, then each segment after its
   * delay, byte by byte when it trickles. Returns the output without them, for
   * the rest (events, upgrade, close) to be carried out as usual.
   */
  const play = async <T extends MachineOutput>(out: T): Promise<T> => {
    const { sequence, write, ...rest } = out;
    if (write !== undefined) stream.write(write);
    for (const segment of sequence ?? []) {
      if (segment.delayMs) await sleep(segment.delayMs);
      if (ended) break;
      if (!segment.trickleMs) {
        stream.write(segment.bytes);
        continue;
      }
      for (const byte of segment.bytes) {
        if (ended) break;
        stream.write(Buffer.from([byte]));
        await sleep(segment.trickleMs);
      }
    }
    return rest as T;
  };

  /** Handles the complete lines in order; runs once at a time, and picks up lines that arrive while it waits. */
  const drain = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (let line = reader.next(); line !== undefined && !stalled && !ended; line = reader.next()) {
        let out = machine.line(line);
        if (out.sequence) out = await play(out);
        if (ended) return;
        if (out.upgrade && !out.stall) {
          await upgrade(out);
          continue;
        }
        if (out.clear) {
          await clear(out);
          continue;
        }
        if (!apply(out)) return;
        const pending = opts.followUp?.(out);
        if (!pending) {
          if (out.trailer) stream.write(out.trailer);
          continue;
        }
        // While that work goes on, read no more commands: a flooding client meets TCP backpressure, not a growing buffer.
        stream.pause();
        const later = await pending.finally(() => stream.resume());
        if (later && !ended && !apply(later)) return;
        if (out.trailer && !ended) stream.write(out.trailer);
      }
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      tooLong();
    } finally {
      busy = false;
    }
  };

  function onData(chunk: Buffer): void {
    if (stalled || ended) return;
    if (behindHello) {
      chunk = behindHello.push(chunk);
      if (!chunk.length) return;
      // The client talks on in plaintext as if TLS were up: evidence, once, then lines as any.
      if (!leaked) log.record(server, 'plaintext-after-hello', { preview: leakPreview(chunk) }, conn);
      leaked = true;
    }
    if (stream === socket && !behindHello && chunk[0] === TLS_HANDSHAKE_RECORD && reader.buffered === 0) {
      if (machine.watchesHello?.()) return void helloForScript(chunk).catch(failed);
      if (helloWatch) return void helloUninvited(chunk).catch(failed);
    }
    try {
      reader.push(chunk);
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      tooLong();
      return;
    }
    void drain().catch(failed);
  }

  stream.on('error', () => undefined);
  // A script's `connect` rule speaks first, in plaintext, even on an implicit-TLS port.
  const opening = machine.connected?.();
  if (opening) {
    if (!apply(opening.sequence ? await play(opening) : opening)) return;
    if (stalled) return void socket.resume();
  }
  if (opts.implicitTls) {
    if (opts.plaintextBanner) socket.write(opts.plaintextBanner);
    const result = await acceptTls(socket, tlsOptions);
    // Plaintext on the TLS port: what it says (a login, a command) is evidence too.
    if (result.kind === 'plaintext') {
      for (const line of result.first.toString('latin1').split(/\r?\n/).filter(Boolean)) {
        for (const e of plaintextEvents(plaintext, line)) log.record(server, e.type, e.fields as never, conn);
      }
    }
    if (!adopted(result)) return;
  }
  // A greeting that closes (421, -ERR) ends the session: no line is read after it.
  let greeting = machine.start();
  if (greeting.sequence) {
    // Lines that arrive while a scripted greeting trickles out wait in the reader.
    stream.on('data', onData);
    busy = true;
    greeting = await play(greeting);
    busy = false;
    if (!apply(greeting)) return;
    return void drain().catch(failed);
  }
  if (apply(greeting)) stream.on('data', onData);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
