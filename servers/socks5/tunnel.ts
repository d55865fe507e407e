/**
 * The tunnel once the reply said success (RFC 1928 §6): both directions
 * relayed, counted and hashed (the tunnelled bytes are evidence). The
 * tunnel-close-early fault cuts it; a script's `tunnel` rules act at points in
 * the target's bytes, which then wait for the rule.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { EventLog } from '../shared/events.js';
import { explainSocks5Fault, type Socks5Fault } from './faults.js';
import { sleep, type RuleRun } from './script-run.js';

const NAME = 'socks5';

export interface TunnelPlan {
  client: Socket;
  /** The target (CONNECT) or the peer (BIND), paused. */
  up: Socket;
  log: EventLog;
  conn: number;
  /** Client bytes that arrived before the tunnel opened. */
  forward: Buffer;
  /** Bytes that leave with the target's first (the bind-reply-with-data fault). */
  prefix?: Buffer;
  early?: Extract<Socks5Fault, { kind: 'tunnel-close-early' }>;
  /** A script's tunnel rules, by the count of the target's bytes each waits for, smallest first. */
  points: Array<{ index: number; after: number }>;
  runPoint(index: number): Promise<RuleRun>;
  /** Writes to the client (after what a rule held back). */
  send(bytes: Buffer): void;
  /** The proxy ends the connection, or aborts it. */
  end(): void;
  reset(): void;
  /** The replies are written: the target's bytes may follow. */
  ready: Promise<void>;
}

export function relayTunnel(p: TunnelPlan): void {
  const { client, up, log, conn } = p;
  const toTarget = { bytes: 0, hash: createHash('sha256') };
  const toClient = { bytes: 0, hash: createHash('sha256') };
  let cut = false;
  /** The client's side is closed: what the target still sends goes nowhere. */
  let over = false;
  let prefix = p.prefix;
  const fromClient = (chunk: Buffer): void => {
    toTarget.bytes += chunk.length;
    toTarget.hash.update(chunk);
    up.write(chunk);
  };
  const deliver = (piece: Buffer): void => {
    toClient.bytes += piece.length;
    toClient.hash.update(piece);
    p.send(prefix ? Buffer.concat([prefix, piece]) : piece);
    prefix = undefined;
  };
  if (p.forward.length) fromClient(p.forward);
  client.on('data', fromClient);
  client.once('end', () => up.end());

  if (p.points.length) scripted();
  else {
    up.on('data', (chunk: Buffer) => {
      if (cut || over) return;
      let piece = chunk;
      const early = p.early;
      if (early && toClient.bytes + chunk.length >= early.bytes) {
        piece = chunk.subarray(0, early.bytes - toClient.bytes);
        cut = true;
      }
      deliver(piece);
      if (cut) {
        log.record(NAME, 'fault', { name: early!.kind, explain: explainSocks5Fault(early!) }, conn);
        up.destroy();
        p.end();
      }
    });
    up.once('end', () => {
      if (prefix) p.send(prefix);
      p.end();
    });
  }

  /** The target's bytes through the rules: each chunk waits while a rule acts at a point inside it. */
  function scripted(): void {
    let queue = Promise.resolve();
    let at = 0;
    let paceMs = 0;
    const write = async (piece: Buffer): Promise<void> => {
      if (!paceMs) return piece.length ? deliver(piece) : undefined;
      for (const byte of piece) {
        if (cut || over) return;
        deliver(Buffer.from([byte]));
        await sleep(paceMs);
      }
    };
    const take = async (chunk: Buffer): Promise<void> => {
      let rest = chunk;
      for (let point = p.points[at]; point && toClient.bytes + rest.length >= point.after; point = p.points[at]) {
        at++;
        const head = rest.subarray(0, point.after - toClient.bytes);
        rest = rest.subarray(head.length);
        await write(head);
        if (cut || over) return;
        const run = await p.runPoint(point.index);
        if (run.ending) {
          cut = true;
          up.destroy();
          if (run.ending === 'close') p.end();
          else if (run.ending === 'reset') p.reset();
          return;
        }
        if (run.trickleMs) paceMs = run.trickleMs;
      }
      await write(rest);
    };
    /** Chunks in the queue: with none, every point passed and no trickle, a chunk goes straight through as without rules. */
    let busy = 0;
    up.on('data', (chunk: Buffer) => {
      if (cut || over) return;
      if (!busy && at >= p.points.length && !paceMs) return deliver(chunk);
      busy++;
      up.pause();
      queue = queue
        .then(() => take(chunk))
        .then(() => {
          busy--;
          if (!cut && !over) up.resume();
        });
    });
    up.once(
      'end',
      () =>
        void queue.then(() => {
          if (cut) return;
          if (prefix) p.send(prefix);
          p.end();
        }),
    );
  }

  client.once('close', () => {
    // End, not destroy: what the client sent just before closing still reaches the target.
    over = true;
    up.end();
    if (toTarget.bytes)
      log.record(
        NAME,
        'payload-received',
        { layer: 'plaintext', bytes: toTarget.bytes, sha256: toTarget.hash.digest('hex') },
        conn,
      );
    if (toClient.bytes)
      log.record(
        NAME,
        'payload-sent',
        { layer: 'plaintext', bytes: toClient.bytes, sha256: toClient.hash.digest('hex'), complete: !cut },
        conn,
      );
  });
  // The target's bytes follow the whole reply, however slowly that is written.
  void p.ready.then(() => up.resume());
}
