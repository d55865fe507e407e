import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { bytesOf, explainRule, ruleName, type HttpsScriptRule, type NormalEdit } from '../shared/script/schema.js';
import type { EventLog, Layer } from '../shared/events.js';
import {
  editHead,
  editRawResponse,
  RequestHeadParser,
  planResponse,
  sha256,
  simpleResponse,
  statusOf,
  type HttpRequestHead,
} from './machine.js';
import type { HttpsOptions } from './options.js';

/** Where a rule plays: the connection, the layer its bytes cross in, and how it ends. */
export interface Stage {
  log: EventLog;
  server: string;
  conn: number;
  layer: Layer;
  /** The TCP socket under the stream, for a script's close without close_notify and its reset. */
  raw?: Socket;
  /** Called before the server ends the connection (so it is recorded as the server's doing). */
  closing?: () => void;
  /** What `{http-url}` in a rule's text stands for: the cleartext twin's URL (server.ts starts it). */
  httpUrl?: string;
  /** The rule answers a ClientHello: an alert there refuses the handshake, and is recorded as a failed one. */
  hello?: boolean;
}

export interface ExchangeSpec extends Stage {
  options: HttpsOptions;
  body: Buffer;
  /** Decides the answer once the request head is known. */
  answer(head: HttpRequestHead): Answer;
  /** Ends the connection after the response; defaults to a graceful end. */
  finish?(stream: Duplex): void;
  /** Scripted misbehaviour: rules that answer a request instead of (or around) the server. */
  script?: HttpsScript;
}

/** The placeholder a rule's text may hold for the cleartext twin's URL (a redirect to plain http://). */
export const HTTP_URL = '{http-url}';

/**
 * A case's HTTPS rules on one connection, with how often each fired
 * (servers/shared/script/schema.ts): at its accept (`connect`), at its
 * ClientHello (`client-hello`), and at a request, in either layer (a plaintext
 * request on the TLS port is a request too: a client that fell back).
 */
export class HttpsScript {
  private readonly fired: number[];
  /** Each rule's path pattern, compiled once. */
  private readonly paths: Array<RegExp | undefined>;
  constructor(readonly rules: HttpsScriptRule[]) {
    this.fired = rules.map(() => 0);
    this.paths = rules.map((r) =>
      typeof r.on === 'object' && r.on.request.path !== undefined ? new RegExp(r.on.request.path) : undefined,
    );
  }

  /** The first rule, not yet spent, whose request trigger matches the request. */
  match(head: HttpRequestHead): number | undefined {
    return this.take((on, i) => {
      if (on === 'request') return true;
      if (typeof on === 'string') return false;
      const { method } = on.request;
      return (
        (!method || method.toUpperCase() === head.method.toUpperCase()) && (this.paths[i]?.test(head.target) ?? true)
      );
    });
  }

  /** The first rule, not yet spent, on this moment of the connection. */
  at(moment: 'connect' | 'client-hello'): number | undefined {
    return this.take((on) => on === moment);
  }

  private take(matches: (on: HttpsScriptRule['on'], index: number) => boolean): number | undefined {
    const i = this.rules.findIndex((r, at) => this.fired[at]! < (r.times ?? 1) && matches(r.on, at));
    if (i < 0) return undefined;
    this.fired[i]!++;
    return i;
  }
}

/** Whether a script writes the cleartext twin's URL, so the server must start the twin. */
export function namesHttpUrl(rules: HttpsScriptRule[]): boolean {
  return rules.some((r) =>
    r.do.some(
      (a) =>
        typeof a === 'object' &&
        (('reply' in a && [a.reply].flat().some((l) => l.includes(HTTP_URL))) ||
          ('send' in a && a.send.includes(HTTP_URL))),
    ),
  );
}

/** Serves the body at the case's path only: anything else is a 404 (and is recorded as asked). */
export function atPath(head: HttpRequestHead, options: HttpsOptions, answer: Answer): Answer {
  return head.target === options.path ? answer : { kind: 'raw', bytes: simpleResponse('404 Not Found') };
}

export type Answer =
  | { kind: 'body'; truncateAt?: number; stallAfterHeaders?: boolean }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'stall' };

/** Reads one request head from the stream, records it, and writes the planned answer. */
export function serveOneRequest(stream: Duplex, spec: ExchangeSpec): void {
  const { log, server, conn, layer } = spec;
  const parser = new RequestHeadParser();
  const onData = (chunk: Buffer): void => {
    const parsed = parser.push(chunk);
    if (parsed.kind === 'more') return;
    stream.off('data', onData);
    if (parsed.kind === 'error') {
      log.record(server, 'reply', { layer, code: '400', text: parsed.message }, conn);
      stream.end(simpleResponse('400 Bad Request'));
      return;
    }
    const { head } = parsed;
    log.record(server, 'command', { layer, verb: head.method, args: head.target, raw: head.requestLine }, conn);
    respond(stream, spec, head);
  };
  stream.on('data', onData);
}

function respond(stream: Duplex, spec: ExchangeSpec, head: HttpRequestHead): void {
  const rule = spec.script?.match(head);
  if (rule !== undefined) {
    void scripted(stream, spec, head, rule).catch(() => stream.destroy());
    return;
  }
  respondNormally(stream, spec, head, true);
}

/**
 * The server's own answer; `end`: whether the connection ends after it (not
 * when a script goes on); `edit`: a script's `normal` edit (the head edited,
 * the body cut to a fraction with its framing still announcing all of it).
 */
function respondNormally(
  stream: Duplex,
  spec: ExchangeSpec,
  head: HttpRequestHead,
  end: boolean,
  edit?: NormalEdit,
): void {
  const { log, server, conn, layer } = spec;
  const answer = spec.answer(head);
  if (answer.kind === 'stall') return;
  if (answer.kind === 'raw') {
    const bytes = edit ? editRawResponse(answer.bytes, edit) : answer.bytes;
    log.record(server, 'reply', { layer, code: answer.bytes.toString('latin1', 9, 12), text: '' }, conn);
    if (end) stream.end(bytes);
    else stream.write(bytes);
    return;
  }
  const plan = planResponse(
    spec.body,
    spec.options.body.framing,
    edit?.cut ?? answer.truncateAt,
    edit?.lineEnd === 'lf' ? '\n' : '\r\n',
  );
  if (edit) plan.chunks[0] = editHead(plan.chunks[0]!, edit);
  log.record(server, 'reply', { layer, code: '200', text: 'OK' }, conn);
  if (answer.stallAfterHeaders) {
    stream.write(plan.chunks[0]!);
    return;
  }
  for (const chunk of plan.chunks) stream.write(chunk);
  const sent = spec.body.subarray(0, plan.bodyBytesSent);
  log.record(
    server,
    'payload-sent',
    { layer, bytes: plan.bodyBytesSent, sha256: sha256(sent), complete: plan.complete },
    conn,
  );
  if (!end) return;
  if (spec.finish) spec.finish(stream);
  else stream.end();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How a rule ended the connection, if it did. */
export type Ending = 'stall' | 'close' | 'close-without-notify' | 'reset';

const ENDINGS: ReadonlySet<string> = new Set<Ending>(['stall', 'close', 'close-without-notify', 'reset']);

/**
 * Plays a rule's actions in order on `stream`: its fault event first (so the
 * transcript shows it before the bytes it caused), bytes as written (a trickle
 * applies to all that follows it), `normal` through `normal()` (the server's
 * own bytes, to be written like the rule's), up to an ending, which is carried
 * out and returned. No ending: undefined, the caller goes on.
 */
export async function playRule(
  stream: Duplex,
  stage: Stage,
  rule: HttpsScriptRule,
  index: number,
  normal: (edit?: NormalEdit) => Buffer | undefined,
): Promise<Ending | undefined> {
  const { log, server, conn, layer } = stage;
  log.record(server, 'fault', { name: ruleName(index), explain: explainRule(rule, index) }, conn);
  let trickleMs = 0;
  const write = async (bytes: Buffer): Promise<void> => {
    if (!trickleMs) return void stream.write(bytes);
    for (const byte of bytes) {
      if (stream.destroyed) return;
      stream.write(Buffer.from([byte]));
      await sleep(trickleMs);
    }
  };
  for (const action of rule.do) {
    if (stream.destroyed) return 'close';
    if (typeof action === 'string' && ENDINGS.has(action)) return end(stream, stage, action as Ending);
    if (action === 'normal' || (typeof action === 'object' && 'normal' in action)) {
      const own = normal(action === 'normal' ? undefined : action.normal);
      if (own) await write(own);
    } else if (typeof action === 'string') continue;
    else if ('delay' in action) await sleep(action.delay);
    else if ('trickle' in action) trickleMs = action.trickle;
    else if ('reply' in action) {
      const lines = [action.reply].flat().map((l) => withUrl(l, stage));
      log.record(
        server,
        'reply',
        { layer, code: /^HTTP\/\S+ (\d{3})/.exec(lines[0]!)?.[1] ?? lines[0]!.slice(0, 3), text: lines[0]! },
        conn,
      );
      await write(bytesOf({ reply: lines }));
    } else if ('send' in action || 'hex' in action) {
      const bytes = bytesOf('send' in action ? { send: withUrl(action.send, stage) } : action);
      // A response written raw is a response: its status is evidence as a `reply` action's is.
      const code = statusOf(bytes);
      if (code)
        log.record(
          server,
          'reply',
          { layer, code, text: bytes.toString('latin1', 0, Math.max(0, bytes.indexOf('\n'))).trimEnd() },
          conn,
        );
      await write(bytes);
    } else if ('alert' in action) {
      // On a ClientHello, an alert is the handshake refused: a failed one, as the client sees it.
      if (stage.hello) log.record(server, 'tls-failed', { error: 'SCRIPTED_ALERT', alert: action.alert }, conn);
      await write(bytesOf(action));
    }
  }
  return undefined;
}

function withUrl(text: string, stage: Stage): string {
  return stage.httpUrl && text.includes(HTTP_URL) ? text.split(HTTP_URL).join(stage.httpUrl) : text;
}

/** Carries out a rule's ending: a stall keeps the connection, the others end it (with close_notify, without, or by RST). */
function end(stream: Duplex, stage: Stage, ending: Ending): Ending {
  if (ending === 'stall') return ending;
  if (ending === 'reset') {
    if (stage.raw) stage.raw.resetAndDestroy();
    else stream.destroy();
    return ending;
  }
  stage.closing?.();
  if (ending === 'close') stream.end();
  // End TCP under TLS once what was written is flushed: no close_notify.
  else stream.write(Buffer.alloc(0), () => (stage.raw ?? stream).end());
  return ending;
}

/**
 * A script's answer to a request: its actions in order, the server's own
 * response where `normal` stands, and an ending (a graceful close unless the
 * rule stalls, resets or closes without close_notify).
 */
async function scripted(stream: Duplex, spec: ExchangeSpec, head: HttpRequestHead, index: number): Promise<void> {
  const rule = spec.script!.rules[index]!;
  // The server's own bytes, gathered so that a trickle or what follows applies to them too.
  const normal = (edit?: NormalEdit): Buffer => {
    const parts: Buffer[] = [];
    const sink = { write: (b: Buffer) => parts.push(Buffer.from(b)) > 0 } as unknown as Duplex;
    respondNormally(sink, spec, head, false, edit);
    return Buffer.concat(parts);
  };
  if ((await playRule(stream, spec, rule, index, normal)) === undefined && !stream.destroyed)
    end(stream, spec, 'close');
}
