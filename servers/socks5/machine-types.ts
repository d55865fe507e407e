/**
 * What the SOCKS5 machine (machine.ts) takes and gives: the request the shell
 * carries out, the output it acts on, and the stage a script rule holds.
 */
import type { EventFields, EventType } from '../shared/events.js';

export type RecordedEvent = { [K in EventType]: { type: K; fields: EventFields[K] } }[EventType];

/** What the client asked for (RFC 1928 §4): where to go (CONNECT), whom to expect (BIND), where it sends from (UDP ASSOCIATE). */
export interface ConnectRequest {
  command: 'connect' | 'bind' | 'udp';
  atyp: 'ipv4' | 'domain' | 'ipv6';
  addr: string;
  port: number;
}

export interface Socks5Output {
  events: RecordedEvent[];
  /** Bytes to write, one write each. */
  writes: Buffer[];
  /** Write them with a pause between each (the split-replies fault). */
  paced?: boolean;
  /** Carry out this request (open the connection, the BIND listener or the UDP relay), then call `connected()`. */
  connect?: ConnectRequest;
  /** BIND: let the peer connect now, then call `peerConnected()`. */
  awaitPeer?: boolean;
  /** BIND: write the second reply together with the peer's first bytes. */
  coalesce?: boolean;
  /** End the connection once written. */
  close?: boolean;
  /** Keep listening for a while to record what a client does after a refusal, then close. */
  linger?: boolean;
  /** Start relaying; `forward` holds client bytes that arrived after the request. */
  tunnel?: { forward: Buffer };
  /** A script rule answers this stage: the shell runs it, then calls `resume()` (after a request rule that did not end: `proceed()`). */
  scripted?: Scripted;
}

/** The stage a rule holds, with what the shell needs to answer it. */
export type Scripted =
  | { stage: 'connect' | 'greeting' | 'auth'; rule: number }
  | { stage: 'request'; rule: number; request: ConnectRequest }
  | { stage: 'bind-peer'; rule: number; peer: { addr: string; port: number } };

/** How a rule went: whether it gave the proxy's own answer, the bytes it wrote at the stage, its ending. */
export interface RuleDone {
  normal: boolean;
  wrote: Buffer;
  ending?: 'stall' | 'close' | 'reset';
}

/** The proxy's own answer to a stage: what it records and writes. */
export interface OwnAnswer {
  events: RecordedEvent[];
  writes: Buffer[];
}

/** How the request went; `boundAddr` (default 127.0.0.1) and `boundPort` become BND.ADDR and BND.PORT. */
export type ConnectResult = { ok: true; boundPort: number; boundAddr?: string } | { ok: false; rep: number };

export interface Socks5Machine {
  push(bytes: Buffer): Socks5Output;
  /** The request was carried out (or not). */
  connected(result: ConnectResult): Socks5Output;
  /** BIND: the peer connected from this address (RFC 1928 §6, the second reply). */
  peerConnected(peer: { addr: string; port: number }): Socks5Output;
  /** The client left: a message it began and never finished is evidence too. */
  clientLeft(): Socks5Output;
  /** The connection was accepted: a `connect` rule may go first. */
  accepted(): Socks5Output;
  /** The proxy's own answer to the stage a rule holds (the method selection, the status, BIND's second reply). */
  ownAnswer(): OwnAnswer;
  /** The proxy's own reply to a request a rule holds, carried out with this result. */
  ownReply(result: ConnectResult): OwnAnswer;
  /** The rule holding the stage is done: its ending, or the proxy carries on (its own way after `normal`, else as the rule's bytes said). */
  resume(done: RuleDone): Socks5Output;
  /** A request rule is done without an ending: the proxy goes on as after a success (or closes, the request having failed). */
  proceed(result: ConnectResult): Socks5Output;
  /** A rule's reply to CONNECT (or BIND's second) goes out: what the client sent before it, recorded once. */
  beforeReply(): RecordedEvent[];
}
