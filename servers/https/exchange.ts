import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { bytesOf, editAnswer, explainRule, ruleName, type HttpsScriptRule } from '../shared/script/schema.js';
import type { EventLog, Layer } from '../shared/events.js';
import { RequestHeadParser, planResponse, sha256, simpleResponse, type HttpRequestHead } from './machine.js';
import type { HttpsOptions } from './options.js';

export interface ExchangeSpec {
  log: EventLog;
  server: string;
  conn: number;
  layer: Layer;
  options: HttpsOptions;
  body: Buffer;
  /** Decides the answer once the request head is known. */
  answer(head: HttpRequestHead): Answer;
  /** Ends the connection after the response; defaults to a graceful end. */
  finish?(stream: Duplex): void;
  /** Scripted misbehaviour: rules that answer a request instead of (or around) the server. */
  script?: HttpsScript;
  /** The TCP socket under the stream, for a script's close without close_notify and its reset. */
  raw?: Socket;
}

/** A case's HTTPS rules, with how often each fired (servers/shared/script/schema.ts). */
export class HttpsScript {
  private readonly fired: number[];
  constructor(readonly rules: HttpsScriptRule[]) {
    this.fired = rules.map(() => 0);
  }

  /** The first rule, not yet spent, whose trigger matches the request. */
  match(head: HttpRequestHead): number | undefined {
    const i = this.rules.findIndex((r, at) => {
      if (this.fired[at]! >= (r.times ?? 1)) return false;
      if (r.on === 'request') return true;
      if (r.on === 'connect' || r.on === 'client-hello') return false;
      const { method, path } = r.on.request;
      return (!method || method.toUpperCase() === head.method.toUpperCase()) && (!path || new RegExp(path).test(head.target));
    });
    if (i < 0) return undefined;
    this.fired[i]!++;
    return i;
  }
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

/** The server's own answer; `end`: whether the connection ends after it (not when a script goes on). */
function respondNormally(stream: Duplex, spec: ExchangeSpec, head: HttpRequestHead, end: boolean): void {
  const { log, server, conn, layer } = spec;
  const answer = spec.answer(head);
  if (answer.kind === 'stall') return;
  if (answer.kind === 'raw') {
    log.record(server, 'reply', { layer, code: answer.bytes.toString('latin1', 9, 12), text: '' }, conn);
    if (end) stream.end(answer.bytes);
    else stream.write(answer.bytes);
    return;
  }
  const plan = planResponse(spec.body, spec.options.body.framing, answer.truncateAt);
  log.record(server, 'reply', { layer, code: '200', text: 'OK' }, conn);
  if (answer.stallAfterHeaders) {
    stream.write(plan.chunks[0]!);
    return;
  }
  for (const chunk of plan.chunks) stream.write(chunk);
  const sent = spec.body.subarray(0, plan.bodyBytesSent);
  log.record(server, 'payload-sent', { layer, bytes: plan.bodyBytesSent, sha256: sha256(sent), complete: plan.complete }, conn);
  if (!end) return;
  if (spec.finish) spec.finish(stream);
  else stream.end();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A script's answer to a request: its actions in order, the server's own
 * response where `normal` stands, and an ending (a graceful close unless the
 * rule stalls, resets or closes without close_notify).
 */
async function scripted(stream: Duplex, spec: ExchangeSpec, head: HttpRequestHead, index: number): Promise<void> {
  const { log, server, conn, layer } = spec;
  const rule = spec.script!.rules[index]!;
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
    if (stream.destroyed) return;
    if (action === 'normal' || (typeof action === 'object' && 'normal' in action)) {
      // The server's own bytes, gathered so that a trickle or what follows applies to them too.
      const parts: Buffer[] = [];
      const sink = { write: (b: Buffer) => parts.push(Buffer.from(b)) > 0 } as unknown as Duplex;
      respondNormally(sink, spec, head, false);
      const own = Buffer.concat(parts);
      await write(action === 'normal' ? own : editAnswer(own, action.normal));
    }
    else if (action === 'ignore') continue;
    else if (action === 'stall' || action === 'starttls') return;
    else if (action === 'close') return void stream.end();
    else if (action === 'close-without-notify') return void stream.write(Buffer.alloc(0), () => (spec.raw ?? stream).end());
    else if (action === 'reset') return void (spec.raw ? spec.raw.resetAndDestroy() : stream.destroy());
    else if ('reply' in action) {
      const lines = [action.reply].flat();
      log.record(server, 'reply', { layer, code: /^HTTP\/\S+ (\d{3})/.exec(lines[0]!)?.[1] ?? lines[0]!.slice(0, 3), text: lines[0]! }, conn);
      await write(bytesOf(action));
    } else if ('send' in action || 'hex' in action || 'alert' in action) await write(bytesOf(action));
    else if ('state' in action) continue;
    else if ('delay' in action) await sleep(action.delay);
    else trickleMs = action.trickle;
  }
  stream.end();
}
