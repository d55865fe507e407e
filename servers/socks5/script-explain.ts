/**
 * One sentence per SOCKS5 rule: for `conform explain`, the result of a rule
 * that never matched, and the `fault` event the rule records when it fires.
 */
import {
  stageOf,
  type DatagramFields,
  type ReplyFields,
  type Socks5Action,
  type Socks5Rule,
  type Socks5Stage,
  type Socks5Trigger,
} from './script.js';

const hexByte = (n: number): string => `X'${n.toString(16).padStart(2, '0')}'`;

function describeTrigger(on: Socks5Trigger): string {
  if (typeof on === 'object' && 'request' in on) {
    const names = { connect: 'CONNECT', bind: 'BIND', 'udp-associate': 'UDP ASSOCIATE' };
    return `on a ${[on.request.command]
      .flat()
      .map((c) => names[c])
      .join(' or ')} request`;
  }
  if (typeof on === 'object') return `once ${on.tunnel.after} bytes from the target crossed the tunnel`;
  return {
    connect: 'when the connection is accepted',
    greeting: "on the client's greeting",
    auth: 'on the username/password sub-negotiation',
    request: 'on a request',
    'bind-peer': "when BIND's peer connects",
    datagram: 'on a reply datagram from the target',
    tunnel: "when the target's first bytes reach the tunnel",
  }[on];
}

/** The proxy's own answer at each stage, as `normal` gives it. */
const OWN: Record<Socks5Stage, string> = {
  connect: 'carries on',
  greeting: 'gives its own method selection',
  auth: 'gives its own status',
  request: 'carries out the request and gives its own reply',
  'bind-peer': 'gives its own second reply',
  datagram: 'sends the real reply datagram',
  tunnel: 'relays on',
};

function describeReply(r: ReplyFields): string {
  const parts = [
    r.ver !== undefined ? `VER ${r.ver}` : '',
    r.rep !== undefined ? `REP ${hexByte(r.rep)}` : '',
    r.rsv !== undefined ? `RSV ${hexByte(r.rsv)}` : '',
    r.atyp !== undefined ? `ATYP ${hexByte(r.atyp)}` : '',
    r.addr !== undefined ? `BND.ADDR ${r.addr}` : '',
    r.port !== undefined ? `BND.PORT ${r.port}` : '',
  ].filter(Boolean);
  return `replies with ${parts.length ? parts.join(', ') : 'its own fields'}`;
}

function describeDatagram(d: DatagramFields): string {
  const header =
    d.header !== undefined
      ? ` with the header ${d.header.replace(/\s+/g, '').replace(/(..)(?!$)/g, '$1 ')}`
      : d.frag
        ? ` with FRAG ${hexByte(d.frag)}`
        : '';
  const data = d.data !== undefined ? ` carrying ${JSON.stringify(d.data)}` : ' carrying a decoy';
  return `sends a datagram${header}${data}${d.from === 'stranger' ? " from a UDP port that is not the relay's" : ''}`;
}

function describeAction(a: Socks5Action, stage: Socks5Stage): string {
  if (typeof a === 'string') {
    if (a === 'normal') return OWN[stage];
    return {
      hold: 'holds what follows back to send it with its next bytes',
      stall: 'goes silent',
      close: 'closes the connection',
      reset: 'resets the connection',
    }[a];
  }
  if ('send' in a) return `sends ${JSON.stringify(a.send)}`;
  if ('hex' in a) return `sends the bytes ${a.hex.replace(/\s+/g, '').replace(/(..)(?!$)/g, '$1 ')}`;
  if ('delay' in a) return `waits ${a.delay} ms`;
  if ('trickle' in a) return `trickles the rest one byte every ${a.trickle} ms`;
  if ('reply' in a) return describeReply(a.reply);
  if ('datagram' in a) return describeDatagram(a.datagram);
  return `${OWN[stage]} cut after ${Math.round((a.normal.cut ?? 1) * 100)}% of its bytes`;
}

/** What the proxy does after a rule that neither ended the connection nor gave its own answer. */
function carriesOn(rule: Socks5Rule, stage: Socks5Stage): string {
  const ended = rule.do.some((a) => a === 'stall' || a === 'close' || a === 'reset');
  const own = rule.do.some((a) => a === 'normal' || (typeof a === 'object' && 'normal' in a));
  if (ended || own) return '';
  return {
    connect: '',
    greeting: " (then it reads on: the sub-negotiation if it selected X'02', else a request)",
    auth: ' (then it reads on: the request)',
    request: ' (then it carries out the request anyway: the tunnel, BIND listener or UDP relay)',
    'bind-peer': " (then it relays the peer's bytes anyway)",
    datagram: ' (the real one is not sent)',
    tunnel: '',
  }[stage];
}

/** One sentence per rule, like the shared explainRule: `rule 2: on a BIND request, the proxy …`. */
export function explainSocks5Rule(rule: Socks5Rule, index: number): string {
  const stage = stageOf(rule.on);
  const times = rule.times && rule.times > 1 ? ` (up to ${rule.times} times)` : '';
  const optional = rule.optional ? ' (if the client gets there)' : '';
  return `rule ${index + 1}: ${describeTrigger(rule.on)}${times}${optional}, the proxy ${rule.do.map((a) => describeAction(a, stage)).join(', then ')}${carriesOn(rule, stage)}`;
}
