import type { Duplex } from 'node:stream';
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
  const { log, server, conn, layer } = spec;
  const answer = spec.answer(head);
  if (answer.kind === 'stall') return;
  if (answer.kind === 'raw') {
    log.record(server, 'reply', { layer, code: answer.bytes.toString('latin1', 9, 12), text: '' }, conn);
    stream.end(answer.bytes);
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
  if (spec.finish) spec.finish(stream);
  else stream.end();
}
