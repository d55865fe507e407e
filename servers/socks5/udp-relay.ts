/**
 * The UDP relay of one association (RFC 1928 §7): takes the client's
 * datagrams, checks and records their header, forwards the data to the UDP
 * target, and wraps the target's answers in a header on the way back. It
 * drops what a relay must drop, and records why, so a case can see it.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { ServerContext } from '../shared/server-types.js';
import type { Socks5Fault } from './faults.js';
import { explainSocks5Fault } from './faults.js';
import { describeDatagram, encodeDatagram, parseDatagram, type Datagram } from './udp.js';

const NAME = 'socks5';
/** Datagrams recorded per association; a flood beyond this is dropped silently. */
const MAX_RECORDED = 1000;
/** Gap between a decoy datagram and the real one, so they arrive in that order. */
const DECOY_GAP_MS = 30;
/** What a decoy datagram carries (a script's `datagram` too, unless it says otherwise). */
export const DECOY = Buffer.from('conform: DECOY datagram, a client must drop this\n');

export interface RelayPlan {
  ctx: ServerContext;
  conn: number;
  /** The client's address on its TCP connection: datagrams from elsewhere are not its. */
  clientHost: string;
  /** DST.ADDR / DST.PORT of the request: where the client said it would send from (zeros: unknown). */
  declared: { addr: string; port: number };
  /** Whether a datagram's destination is the target; otherwise the reason it is not allowed. */
  allowed(d: Datagram): true | string;
  targetPort: number;
  faults: Socks5Fault[];
  /** A script's `datagram` rule takes this answer, if one is armed: then the relay sends nothing itself. */
  scripted?(io: DatagramIO): boolean;
}

/** What a `datagram` rule acts with: the relay's own answer, and ways to send others. */
export interface DatagramIO {
  /** The target's bytes under the header the relay puts on them, and the reply event it records for that. */
  own: {
    events: Array<{ type: 'reply'; fields: { layer: 'plaintext'; code: string; text: string } }>;
    writes: Buffer[];
  };
  /** Data under the same header, with this FRAG. */
  wrap(data: Buffer, frag?: number): Buffer;
  /** Sends to the client, from the relay's port or another; resolves once sent. */
  send(bytes: Buffer, from: 'relay' | 'stranger'): Promise<void>;
}

export interface Relay {
  port: number;
  /** The TCP connection ended: so does the association. */
  end(): void;
  close(): void;
}

export async function startRelay(plan: RelayPlan): Promise<Relay> {
  const { ctx, conn } = plan;
  const family = ctx.bindHost.includes(':') ? 'udp6' : 'udp4';
  const socket: UdpSocket = createSocket(family);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, ctx.bindHost, resolve));
  let ended = false;
  let closed = false;
  let recorded = 0;
  let client: RemoteInfo | undefined;
  /** How the client addressed the target, mirrored in the header of the answers. */
  let addressed: { addr: string; port: number } | undefined;
  const decoys = plan.faults.filter(
    (f) => f.kind === 'udp-fragment-first' || f.kind === 'udp-stranger-first' || f.kind === 'udp-bad-atyp-first',
  );

  const note = (type: 'command' | 'reply', fields: Record<string, string>): void => {
    if (++recorded > MAX_RECORDED) return;
    if (type === 'command')
      ctx.log.record(
        NAME,
        'command',
        { layer: 'plaintext', verb: fields.verb!, args: fields.args!, raw: fields.raw! },
        conn,
      );
    else ctx.log.record(NAME, 'reply', { layer: 'plaintext', code: fields.code!, text: fields.text! }, conn);
  };
  const drop = (why: string): void => note('reply', { code: 'dropped', text: why });
  const send = (bytes: Buffer, to: RemoteInfo, from: UdpSocket = socket): void => {
    if (!closed) from.send(bytes, to.port, to.address);
  };

  const declaredPort = plan.declared.port;
  const declaredAddr =
    isIP(plan.declared.addr) && !/^(0\.0\.0\.0|::)$/.test(plan.declared.addr) ? plan.declared.addr : undefined;

  function fromClient(msg: Buffer, from: RemoteInfo): void {
    const parsed = parseDatagram(msg);
    if (parsed.ok)
      note('command', {
        verb: 'DATAGRAM',
        args: `${describeDatagram(parsed.datagram)} from=${from.address}:${from.port}`,
        raw: msg.subarray(0, 32).toString('hex'),
      });
    else
      note('command', {
        verb: 'DATAGRAM',
        args: `malformed: ${parsed.why} from=${from.address}:${from.port}`,
        raw: msg.subarray(0, 32).toString('hex'),
      });
    if (ended) return drop('the association ended with its TCP connection (RFC 1928 §7)');
    if ((declaredPort !== 0 && from.port !== declaredPort) || (declaredAddr && from.address !== declaredAddr)) {
      return drop(
        `from ${from.address}:${from.port}, not the ${plan.declared.addr}:${declaredPort} the UDP ASSOCIATE request declared`,
      );
    }
    if (!parsed.ok) return drop(parsed.why);
    const d = parsed.datagram;
    // RFC 1928 §7: an implementation that does not reassemble MUST drop fragments.
    if (d.frag !== 0) return drop(`FRAG X'${d.frag.toString(16)}': this relay does not reassemble fragments`);
    const ok = plan.allowed(d);
    if (ok !== true) return drop(ok);
    client = from;
    addressed = { addr: d.addr, port: d.port };
    socket.send(d.data, plan.targetPort, ctx.bindHost);
  }

  function fromTarget(msg: Buffer): void {
    if (!client || !addressed || ended) return;
    const to = client;
    const wrap = (data: Buffer, frag = 0): Buffer => encodeDatagram(addressed!.addr, addressed!.port, data, frag);
    const real = wrap(msg);
    const io: DatagramIO = {
      own: {
        events: [
          {
            type: 'reply',
            fields: { layer: 'plaintext', code: 'datagram', text: `${real.length} bytes to ${to.address}:${to.port}` },
          },
        ],
        writes: [real],
      },
      wrap,
      send: (bytes, from) =>
        from === 'stranger'
          ? strangerSends(bytes, to)
          : new Promise((resolve) => (closed ? resolve() : socket.send(bytes, to.port, to.address, () => resolve()))),
    };
    if (plan.scripted?.(io)) return;
    let delay = 0;
    for (const f of decoys.splice(0)) {
      setTimeout(() => {
        ctx.log.record(NAME, 'fault', { name: f.kind, explain: explainSocks5Fault(f) }, conn);
        if (f.kind === 'udp-fragment-first') send(wrap(DECOY, 1), to);
        else if (f.kind === 'udp-bad-atyp-first')
          send(Buffer.concat([Buffer.from([0, 0, 0, 5, 127, 0, 0, 1, 0, 0]), DECOY]), to);
        else void strangerSends(wrap(DECOY), to);
      }, delay).unref();
      delay += DECOY_GAP_MS;
    }
    setTimeout(() => {
      note('reply', { code: 'datagram', text: `${real.length} bytes to ${to.address}:${to.port}` });
      send(real, to);
    }, delay).unref();
  }

  function strangerSends(bytes: Buffer, to: RemoteInfo): Promise<void> {
    return new Promise((resolve) => {
      const stranger = createSocket(family);
      stranger.on('error', () => resolve());
      stranger.bind(0, ctx.bindHost, () =>
        stranger.send(bytes, to.port, to.address, () => {
          stranger.close();
          resolve();
        }),
      );
    });
  }

  socket.on('message', (msg, from) => {
    if (from.port === plan.targetPort && from.address === ctx.bindHost) return fromTarget(msg);
    if (from.address !== plan.clientHost)
      return drop(`from ${from.address}:${from.port}, a host that is not the client's`);
    fromClient(msg, from);
  });

  const close = (): void => {
    if (closed) return;
    closed = true;
    socket.close();
  };
  return {
    port: socket.address().port,
    end() {
      if (ended) return;
      ended = true;
      note('reply', {
        code: 'association-ended',
        text: 'the TCP connection closed, so the UDP association ends (RFC 1928 §7)',
      });
      // A moment to record datagrams that were already on their way, then close.
      setTimeout(close, 250).unref();
    },
    close,
  };
}
