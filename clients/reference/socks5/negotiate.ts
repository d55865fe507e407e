/**
 * The client's side of RFC 1928 (greeting, method selection, CONNECT, reply)
 * and RFC 1929 (username/password), strict unless a flaw relaxes one rule.
 */
import { isIP, type Socket } from 'node:net';
import type { Flaw } from '../flaw-types.js';
import { SocketReader } from './reader.js';
import { Refused } from '../tls.js';

export interface ProxyPlan {
  /** RFC 1928 §4: 1 CONNECT (default), 2 BIND, 3 UDP ASSOCIATE. */
  command?: 1 | 2 | 3;
  user: string;
  pass: string;
  /** What goes into DST.ADDR: an IP literal, or a name the proxy resolves. */
  dest: { atyp: 1 | 3 | 4; addr: string };
  port: number;
  /** Bytes sent right behind the request, before any reply (the optimistic-data flaw). */
  early?: Buffer;
}

const hex = (n: number | undefined): string => (n ?? 0).toString(16).padStart(2, '0');

/** BND.ADDR and BND.PORT of a reply (RFC 1928 §6). */
export interface Bound {
  addr: string;
  port: number;
}

/** A negotiated request: its first reply, a way to read another (BIND's second), and the socket back. */
export interface ProxySession {
  bound: Bound;
  nextReply(): Promise<Bound>;
  release(): Socket;
  /** The socket, paused, with what was read past the last reply and whether the proxy already ended. */
  detach(): { socket: Socket; rest: Buffer; ended: boolean };
}

/** Negotiates the tunnel; resolves with the socket once the proxy replied success. */
export async function negotiate(
  socket: Socket,
  plan: ProxyPlan,
  flaws: ReadonlySet<Flaw>,
  signal: AbortSignal,
): Promise<Socket> {
  return (await request(socket, plan, flaws, signal)).release();
}

/** Greeting, authentication, the request and its first reply. */
export async function request(
  socket: Socket,
  given: ProxyPlan,
  flaws: ReadonlySet<Flaw>,
  signal: AbortSignal,
): Promise<ProxySession> {
  // Before the first byte, as curl 8.4 does: a name the request cannot carry ends it here.
  const plan = { ...given, dest: fitName(given.dest, flaws) };
  const reader = new SocketReader(socket, signal, flaws.has('socks5-ignore-eof'));
  const single = flaws.has('socks5-single-read');
  const message = async (n: number, what: string): Promise<Buffer> =>
    single ? reader.chunk(what) : reader.read(n, what);
  const credentials = plan.user !== '' || plan.pass !== '';
  // RFC 1929 §2: username/password is offered only with credentials to send.
  const offered = credentials || flaws.has('socks5-offer-auth-without-credentials') ? [0x00, 0x02] : [0x00];
  socket.write(Buffer.from([5, offered.length, ...offered]));
  const selection = await message(2, 'the method selection');
  if (selection[0] !== 5 && !flaws.has('socks5-accept-bad-version'))
    throw new Refused(`the method selection has version ${selection[0]}, not 5`);
  let method = selection[1];
  if (method === 0xff) {
    // RFC 1928 §3: on X'FF' the client MUST close the connection.
    if (!flaws.has('socks5-ignore-ff')) throw new Refused('the proxy accepts none of the offered methods');
    method = 0x00;
  } else if (!offered.includes(method!) && !flaws.has('socks5-accept-unoffered-method')) {
    throw new Refused(`the proxy selected method X'${hex(method)}', which was never offered`);
  }
  if (method === 0x02) await authenticate(socket, plan, flaws, message);
  else if (method !== 0x00 && !flaws.has('socks5-accept-unoffered-method'))
    throw new Refused(`method X'${hex(method)}' is not supported`);
  socket.write(plan.early ? Buffer.concat([connectRequest(plan), plan.early]) : connectRequest(plan));
  const bound = await readReply(flaws, message);
  return {
    bound,
    nextReply: () => readReply(flaws, message),
    release: () => reader.release(),
    detach: () => ({ socket, ...reader.detach() }),
  };
}

type Message = (n: number, what: string) => Promise<Buffer>;

/** The most bytes one length octet counts (RFC 1928 §5, RFC 1929 §2); the off-by-one flaw takes it for 254. */
const maxName = (flaws: ReadonlySet<Flaw>): number => (flaws.has('socks5-limit-254') ? 254 : 255);

/**
 * RFC 1928 §5: a DOMAINNAME is one length octet and that many bytes, so a
 * longer name cannot be sent; sending it anyway is CVE-2023-38545's weakness.
 * Refused, never cut (unless the truncate flaw cuts it to 255 bytes).
 */
function fitName(dest: ProxyPlan['dest'], flaws: ReadonlySet<Flaw>): ProxyPlan['dest'] {
  const name = Buffer.from(dest.addr, 'utf8');
  if (dest.atyp !== 3 || name.length <= maxName(flaws)) return dest;
  if (flaws.has('socks5-truncate-host')) {
    let cut = name.subarray(0, 255).toString('utf8');
    while (Buffer.byteLength(cut) > 255) cut = cut.slice(0, -1);
    return { atyp: 3, addr: cut };
  }
  throw new Refused(
    `the target name is ${name.length} bytes; a SOCKS5 request carries at most ${maxName(flaws)} (RFC 1928 §5)`,
  );
}

/** RFC 1929 §2: VER 1, ULEN, UNAME, PLEN, PASSWD, each length 1–255. */
async function authenticate(
  socket: Socket,
  plan: ProxyPlan,
  flaws: ReadonlySet<Flaw>,
  message: Message,
): Promise<void> {
  const user = Buffer.from(plan.user, 'utf8');
  const pass = Buffer.from(plan.pass, 'utf8');
  // Refused once the proxy asked for them, before any is sent (as curl does); the wrap flaw sends ULEN modulo 256.
  const wrap = flaws.has('socks5-wrap-user-length');
  if ((user.length > maxName(flaws) && !wrap) || pass.length > 255) {
    throw new Refused(
      `RFC 1929 limits the username and password to ${maxName(flaws)} and 255 bytes (they are ${user.length} and ${pass.length})`,
    );
  }
  const version = flaws.has('socks5-auth-version-5') ? 5 : 1;
  socket.write(Buffer.concat([Buffer.from([version, user.length & 0xff]), user, Buffer.from([pass.length]), pass]));
  const status = await message(2, 'the authentication status');
  if (status[1] !== 0 && !flaws.has('socks5-ignore-auth-failure'))
    throw new Refused(`authentication failed (status X'${hex(status[1])}')`);
}

function connectRequest(plan: ProxyPlan): Buffer {
  return Buffer.concat([Buffer.from([5, plan.command ?? 1, 0]), encodeDestination(plan.dest, plan.port)]);
}

/** ATYP, DST.ADDR and DST.PORT, as in a request (§4) or a UDP header (§7). */
export function encodeDestination({ atyp, addr }: ProxyPlan['dest'], portNumber: number): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(portNumber);
  let address: Buffer;
  if (atyp === 1) address = Buffer.from(addr.split('.').map(Number));
  else if (atyp === 4) address = ipv6(addr);
  else {
    const name = Buffer.from(addr, 'utf8');
    // Never a wrapped length octet (a UDP header's name is checked here, the request's by fitName).
    if (name.length > 255)
      throw new Refused(`the name is ${name.length} bytes; a SOCKS5 address carries at most 255 (RFC 1928 §5)`);
    address = Buffer.concat([Buffer.from([name.length]), name]);
  }
  return Buffer.concat([Buffer.from([atyp]), address, port]);
}

/** RFC 1928 §6: VER REP RSV ATYP BND.ADDR BND.PORT. */
async function readReply(flaws: ReadonlySet<Flaw>, message: Message): Promise<Bound> {
  if (flaws.has('socks5-fixed-reply-length')) return boundOf(1, await message(10, 'the reply'), 4);
  const head = await message(4, 'the reply');
  if (head[0] !== 5 && !flaws.has('socks5-accept-bad-version'))
    throw new Refused(`the reply has version ${head[0]}, not 5`);
  if (head[1] !== 0 && !flaws.has('socks5-ignore-reply-code'))
    throw new Refused(`the proxy refused the request (reply X'${hex(head[1])}')`);
  // single-read: the whole message was in this read, or so it assumes
  if (head.length > 4) return head.length >= 10 ? boundOf(head[3]!, head, 4) : { addr: '', port: 0 };
  const atyp = head[3];
  let length: number;
  let name: Buffer = Buffer.alloc(0);
  if (atyp === 1) length = 4;
  else if (atyp === 4) length = 16;
  else if (atyp === 3) length = (name = await message(1, 'the reply'))[0]!;
  else if (flaws.has('socks5-lenient-atyp')) length = 4;
  else throw new Refused(`the reply has the undefined address type X'${hex(atyp)}'`);
  const rest = await message(length + 2, 'the reply');
  return boundOf(atyp === 3 || atyp === 4 ? atyp : 1, Buffer.concat([head, name, rest]), 4);
}

/** Reads BND.ADDR and BND.PORT from a whole reply; `at` is where the address starts. */
function boundOf(atyp: number, reply: Buffer, at: number): Bound {
  if (atyp === 3) {
    const n = reply[at]!;
    return { addr: reply.toString('latin1', at + 1, at + 1 + n), port: reply.readUInt16BE(at + 1 + n) };
  }
  const n = atyp === 4 ? 16 : 4;
  if (reply.length < at + n + 2) return { addr: '', port: 0 };
  const a = reply.subarray(at, at + n);
  const addr =
    n === 4 ? [...a].join('.') : Array.from({ length: 8 }, (_, i) => a.readUInt16BE(i * 2).toString(16)).join(':');
  return { addr, port: reply.readUInt16BE(at + n) };
}

function ipv6(addr: string): Buffer {
  const [head = '', tail] = addr.split('::');
  const parts = (s: string): string[] => (s ? s.split(':').flatMap(groupsOf) : []);
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return out;
}

/** A piece of an IPv6 literal as 16-bit groups: a trailing dotted quad (RFC 4291 §2.2, ::ffff:192.0.2.1) is two. */
function groupsOf(piece: string): string[] {
  if (!piece.includes('.')) return [piece];
  const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** The DST.ADDR for a URL host: literals as such; names by the proxy (socks5h) or resolved here (socks5). */
export function literalAtyp(host: string): 1 | 4 | undefined {
  const v = isIP(host);
  return v === 4 ? 1 : v === 6 ? 4 : undefined;
}
