/**
 * The SOCKS5 proxy as a pure state machine: bytes in; writes, events and the
 * connection the shell should open out. RFC 1928 (greeting, method selection,
 * request, reply) and RFC 1929 (username/password sub-negotiation).
 */
import { preview } from '../shared/events.js';
import { findFault, faultKit } from '../shared/fault-kit.js';
import { explainSocks5Fault, type Socks5Fault, type Socks5FaultKind } from './faults.js';
import { accountOf } from './long-names.js';
import type {
  ConnectRequest,
  ConnectResult,
  OwnAnswer,
  RecordedEvent,
  Scripted,
  Socks5Machine,
  Socks5Output,
} from './machine-types.js';
import { METHODS, type Socks5Options } from './options.js';
import type { Socks5Rules } from './script.js';
import { ATYP_NAMES, COMMAND_NAMES, encodeAddress, formatIpv6, hex, REPLY_TEXT } from './wire.js';

export type {
  ConnectRequest,
  ConnectResult,
  OwnAnswer,
  RecordedEvent,
  RuleDone,
  Scripted,
  Socks5Machine,
  Socks5Output,
} from './machine-types.js';

/** `scripting`: a rule holds the stage; what the client sends meanwhile waits. */
type State =
  | 'greeting'
  | 'auth'
  | 'request'
  | 'refused'
  | 'gssapi'
  | 'private'
  | 'scripting'
  | 'connecting'
  | 'bound'
  | 'associated'
  | 'tunnel'
  | 'stalled'
  | 'closed';

/** Longest greeting, auth or request is 513 bytes; more than this unparsed is garbage. */
export const MAX_PENDING = 1024;
/** What a client may send ahead while BIND waits for the peer (it is relayed once the peer is there). */
export const MAX_BIND_AHEAD = 1024 * 1024;

/** An answer computed, and the state it leads to once given. */
interface Answer extends OwnAnswer {
  commit(): Pick<Socks5Output, 'close' | 'linger'>;
}

export function createSocks5Machine(options: Socks5Options, script?: Socks5Rules): Socks5Machine {
  let state: State = 'greeting';
  let pending = Buffer.alloc(0);
  let acceptAnyCredentials = false;
  let requested: ConnectRequest['command'] = 'connect';
  /** The last message parsed, to say what unparsed bytes followed. */
  let parsed: 'greeting' | 'sub-negotiation' | 'request' = 'greeting';
  /** The stage a rule holds, and the proxy's own answer there (none at connect and request). */
  let held: { stage: Scripted['stage']; answer?: Answer } | undefined;
  /** Bytes sent ahead of the reply are recorded (once): a rule's reply went out before the tunnel opened. */
  let earlyNoted = false;
  const account = accountOf(options);
  const fault = <K extends Socks5FaultKind>(kind: K) => findFault(options.faults, kind);
  const done = faultKit(explainSocks5Fault).event;
  const split = fault('split-replies');
  let splitRecorded = false;
  const out = (o: Partial<Socks5Output> & { events: RecordedEvent[] }): Socks5Output => {
    if (!split || !o.writes?.length) return { writes: [], ...o };
    // Recorded with the first reply it splits: the client is then reading byte by byte.
    const events = splitRecorded ? o.events : [...o.events, done(split)];
    splitRecorded = true;
    return { ...o, events, writes: o.writes.flatMap((w) => [...w].map((b) => Buffer.from([b]))), paced: true };
  };
  const stallAfter = (step: 'greeting' | 'auth' | 'request' | 'bind'): Socks5Fault | undefined => {
    const s = fault('stall');
    return s?.after === step ? s : undefined;
  };

  function step(): Socks5Output | undefined {
    switch (state) {
      case 'greeting':
        return greeting();
      case 'auth':
        return auth();
      case 'request':
      case 'refused':
        return request();
      case 'gssapi':
      case 'private':
        return unfinishable();
      default:
        return undefined;
    }
  }

  /** RFC 1928 §3: VER NMETHODS METHODS; the proxy selects one or X'FF'. */
  function greeting(): Socks5Output | undefined {
    if (pending.length < 2) return undefined;
    const ver = pending[0]!;
    const n = pending[1]!;
    if (ver !== 5) {
      state = 'closed';
      return out({ events: [command('GREETING', `ver=${hex(ver)}`, take(2))], close: true });
    }
    if (pending.length < 2 + n) return undefined;
    const offered = [...pending.subarray(2, 2 + n)];
    const raw = take(2 + n);
    const events: RecordedEvent[] = [
      command('GREETING', `ver=05 nmethods=${n} methods=${offered.map(hex).join(',')}`, raw),
    ];
    const rule = script?.match({ stage: 'greeting' });
    if (rule !== undefined) return hold(events, { stage: 'greeting', rule }, selection(offered));
    const stalling = stallAfter('greeting');
    if (stalling) return stall(events, stalling);
    const answer = selection(offered);
    return out({ events: [...events, ...answer.events], writes: answer.writes, ...answer.commit() });
  }

  /** The method selection, with its faults, and the stage it leads to. */
  function selection(offered: number[]): Answer {
    const events: RecordedEvent[] = [];
    let method = options.methods.map((m) => METHODS[m]).find((m) => offered.includes(m)) ?? 0xff;
    const refuse = fault('select-no-acceptable');
    const unoffered = fault('select-unoffered');
    if (refuse) {
      events.push(done(refuse));
      method = 0xff;
    } else if (unoffered) {
      events.push(done(unoffered));
      method = [0x02, 0x00, 0x01, 0x80].find((m) => !offered.includes(m)) ?? 0xfe;
    }
    events.push({
      type: 'reply',
      fields: { layer: 'plaintext', code: `method=${hex(method)}`, text: methodText(method) },
    });
    const writes = [Buffer.from([5, method])];
    const chosen = method;
    return {
      events,
      writes,
      commit() {
        if (chosen === 0xff) {
          // RFC 1928 §3: the client MUST close. Unless scripted, the proxy closes too (as Dante does).
          state = refuse ? 'refused' : 'closed';
          return refuse ? { linger: true } : { close: true };
        }
        if (unoffered) acceptAnyCredentials = true;
        // After an unoffered selection the proxy follows whatever the client does next, to record it.
        state =
          chosen === 0x02 ? 'auth' : chosen === 0x00 || unoffered ? 'request' : chosen === 0x01 ? 'gssapi' : 'private';
        return {};
      },
    };
  }

  /**
   * RFC 1929 §2: VER ULEN UNAME PLEN PASSWD; status 0 is success, anything else
   * failure. Parsed by its own length octets whatever they say: a client that
   * wrapped a 256-byte user name's length to 0 is recorded as `ulen=0`, the
   * name's first byte read as PLEN, and what is left over as UNPARSED.
   */
  function auth(): Socks5Output | undefined {
    if (pending.length < 2) return undefined;
    const ulen = pending[1]!;
    if (pending.length < 3 + ulen) return undefined;
    const plen = pending[2 + ulen]!;
    if (pending.length < 3 + ulen + plen) return undefined;
    const ver = pending[0]!;
    const user = pending.toString('latin1', 2, 2 + ulen);
    const pass = pending.toString('latin1', 3 + ulen, 3 + ulen + plen);
    take(3 + ulen + plen);
    parsed = 'sub-negotiation';
    const shownUser = preview(Buffer.from(user, 'latin1'), 64);
    const args = `ver=${hex(ver)} ulen=${ulen} user=${shownUser} plen=${plen}`;
    const events: RecordedEvent[] = [
      { type: 'command', fields: { layer: 'plaintext', verb: 'AUTH', args, raw: `AUTH ${args}` } },
      { type: 'credentials', fields: { layer: 'plaintext', mechanism: 'username/password', user: shownUser } },
    ];
    const rule = script?.match({ stage: 'auth' });
    if (rule !== undefined) return hold(events, { stage: 'auth', rule }, authStatus(ver, user, pass, ulen, plen));
    const stalling = stallAfter('auth');
    if (stalling) return stall(events, stalling);
    const answer = authStatus(ver, user, pass, ulen, plen);
    return out({ events: [...events, ...answer.events], writes: answer.writes, ...answer.commit() });
  }

  /** The sub-negotiation's status, with its fault, and what it leads to. */
  function authStatus(ver: number, user: string, pass: string, ulen: number, plen: number): Answer {
    const events: RecordedEvent[] = [];
    const failing = fault('auth-failure');
    if (failing) events.push(done(failing));
    const valid = ver === 1 && (acceptAnyCredentials || (user === account.user && pass === account.pass));
    const status = valid && !failing ? 0 : 1;
    const why =
      ver !== 1
        ? `: version ${ver} is not 1`
        : ulen === 0 || plen === 0
          ? ': an empty UNAME or PASSWD (1 to 255 bytes each)'
          : '';
    events.push({
      type: 'reply',
      fields: { layer: 'plaintext', code: `auth=${hex(status)}`, text: status === 0 ? 'success' : `failure${why}` },
    });
    const writes = [Buffer.from([1, status])];
    return {
      events,
      writes,
      commit() {
        if (status === 0) {
          state = 'request';
          return {};
        }
        // RFC 1929 §2: on failure the server MUST close; the scripted fault keeps listening to see whether the client goes on.
        state = failing ? 'refused' : 'closed';
        return { close: !failing, linger: !!failing };
      },
    };
  }

  /**
   * RFC 1928 §4: VER CMD RSV ATYP DST.ADDR DST.PORT. A DOMAINNAME is read by its
   * length octet (RFC 1928 §5), recorded as `namelen`: a name cut to 255 bytes
   * or wrapped to 0 shows there, and whatever follows a wrapped one as UNPARSED.
   */
  function request(): Socks5Output | undefined {
    if (pending.length < 5) return undefined;
    const [ver, cmd, rsv, atypCode] = pending;
    const atyp = ATYP_NAMES[atypCode!];
    const verb = COMMAND_NAMES[cmd!] ?? `CMD-${hex(cmd!)}`;
    if (!atyp) return finish([command(verb, `ver=${hex(ver!)} atyp=${hex(atypCode!)}`, take(pending.length))], 8);
    const addrLen = atyp === 'ipv4' ? 4 : atyp === 'ipv6' ? 16 : 1 + pending[4]!;
    if (pending.length < 4 + addrLen + 2) return undefined;
    const raw = take(4 + addrLen + 2);
    parsed = 'request';
    const addrBytes = raw.subarray(4, 4 + addrLen);
    const addr =
      atyp === 'ipv4'
        ? [...addrBytes].join('.')
        : atyp === 'ipv6'
          ? formatIpv6(addrBytes)
          : addrBytes.subarray(1).toString('latin1');
    const port = raw.readUInt16BE(4 + addrLen);
    const shown = atyp === 'domain' ? preview(Buffer.from(addr, 'latin1'), 255) : addr;
    const extra = `${ver !== 5 ? ` ver=${hex(ver!)}` : ''}${rsv !== 0 ? ` rsv=${hex(rsv!)}` : ''}`;
    const namelen = atyp === 'domain' ? ` namelen=${addrLen - 1}` : '';
    const events: RecordedEvent[] = [command(verb, `atyp=${atyp} addr=${shown} port=${port}${namelen}${extra}`, raw)];
    if (state === 'refused') return finish(events, 2);
    if (ver !== 5) return finish(events, 1);
    const kind = cmd === 1 ? 'connect' : cmd === 2 ? 'bind' : cmd === 3 ? 'udp' : undefined;
    if (!kind) return finish(events, 7);
    const rule = script?.match({ stage: 'request', command: kind === 'udp' ? 'udp-associate' : kind });
    if (rule !== undefined) {
      // The request waits for the rule: bytes sent meanwhile are kept, as while it is carried out.
      state = 'connecting';
      requested = kind;
      held = { stage: 'request' };
      return out({ events, scripted: { stage: 'request', rule, request: { command: kind, atyp, addr, port } } });
    }
    const stalling = stallAfter('request');
    if (stalling) return stall(events, stalling);
    state = 'connecting';
    requested = kind;
    return out({ events, connect: { command: kind, atyp, addr, port } });
  }

  /** A method whose sub-negotiation the proxy cannot complete (GSSAPI, private). */
  function unfinishable(): Socks5Output {
    const events = [
      command(state === 'gssapi' ? 'GSSAPI' : 'PRIVATE', `bytes=${pending.length}`, take(pending.length)),
    ];
    // RFC 1961 §3: a GSS-API abort message is VER 1, MTYP X'FF'.
    const writes = state === 'gssapi' ? [Buffer.from([1, 0xff])] : [];
    state = 'closed';
    return out({ events, writes, close: true });
  }

  function finish(events: RecordedEvent[], rep: number): Socks5Output {
    state = 'closed';
    events.push(replyEvent(rep));
    return out({ events, writes: [replyBytes(5, rep, 0, Buffer.from([1, 0, 0, 0, 0]), 0)], close: true });
  }

  function openTunnel(events: RecordedEvent[], writes: Buffer[]): Socks5Output {
    // RFC 1928 §6: data may flow once the reply said success; bytes already here came before it.
    if (pending.length && !earlyNoted) events.unshift(early());
    state = 'tunnel';
    const forward = pending;
    pending = Buffer.alloc(0);
    return out({ events, writes, tunnel: { forward } });
  }

  function early(): RecordedEvent {
    earlyNoted = true;
    return command(
      'EARLY-DATA',
      `bytes=${pending.length} before the ${requested === 'bind' ? 'second reply to BIND' : 'reply'}`,
      pending,
    );
  }

  function stall(events: RecordedEvent[], f: Socks5Fault): Socks5Output {
    state = 'stalled';
    return out({ events: [...events, done(f)] });
  }

  /** A rule holds the stage: what the client sends meanwhile waits until it is done. */
  function hold(events: RecordedEvent[], scripted: Scripted, answer?: Answer): Socks5Output {
    state = 'scripting';
    held = { stage: scripted.stage, answer };
    return out({ events, scripted });
  }

  /** The proxy's own reply to a request carried out (or not), with the reply faults but the truncation. */
  function replyTo(result: ConnectResult): OwnAnswer {
    if (!result.ok)
      return {
        events: [replyEvent(result.rep)],
        writes: [replyBytes(5, result.rep, 0, Buffer.from([1, 0, 0, 0, 0]), 0)],
      };
    const events: RecordedEvent[] = [];
    const note = <F extends Socks5Fault | undefined>(f: F): F => {
      if (f) events.push(done(f));
      return f;
    };
    const code = note(fault('reply-code'))?.code ?? 0;
    const version = note(fault('reply-version'))?.version ?? 5;
    const rsv = note(fault('reply-reserved'))?.value ?? 0;
    const badAtyp = note(fault('reply-bad-atyp'));
    const bnd = note(fault('bnd-addr'));
    const address = badAtyp
      ? Buffer.from([badAtyp.atyp, 127, 0, 0, 1])
      : encodeAddress(
          bnd?.atyp === 'domain'
            ? 'proxy.conform.test'
            : bnd?.atyp === 'ipv6'
              ? '::1'
              : (result.boundAddr ?? '127.0.0.1'),
        );
    events.push(replyEvent(code, version));
    return { events, writes: [replyBytes(version, code, rsv, address, result.boundPort)] };
  }

  /** The reply to a request the shell carried out (or could not). */
  function carriedOut(result: ConnectResult): Socks5Output {
    if (state !== 'connecting') return out({ events: [] });
    if (!result.ok) return finish([], result.rep);
    const { events, writes } = replyTo(result);
    const truncate = fault('truncate-reply');
    if (truncate) {
      events.push(done(truncate));
      state = 'closed';
      return out({ events, writes: [writes[0]!.subarray(0, truncate.bytes)], close: true });
    }
    return goOn(events, writes);
  }

  /** After the reply to a request carried out: the tunnel, BIND's wait for its peer, or the association. */
  function goOn(events: RecordedEvent[], writes: Buffer[]): Socks5Output {
    if (requested === 'udp') {
      // RFC 1928 §7: the TCP connection now only holds the association open.
      state = 'associated';
      pending = Buffer.alloc(0);
      return out({ events, writes });
    }
    if (requested === 'bind') {
      state = 'bound';
      const stalling = stallAfter('bind');
      if (stalling) events.push(done(stalling));
      return out({ events, writes, awaitPeer: !stalling });
    }
    return openTunnel(events, writes);
  }

  /** RFC 1928 §6: BIND's second reply names the peer that connected. */
  function secondReply(peer: { addr: string; port: number }): Answer {
    const failing = fault('bind-second-reply');
    const code = failing?.code ?? 0;
    const events: RecordedEvent[] = failing ? [done(failing)] : [];
    events.push(replyEvent(code, 5, `BIND: peer ${peer.addr}:${peer.port}`));
    return { events, writes: [replyBytes(5, code, 0, encodeAddress(peer.addr), peer.port)], commit: () => ({}) };
  }

  /** Steps through what the client sent, as far as it goes. */
  function drain(): Socks5Output {
    const events: RecordedEvent[] = [];
    const writes: Buffer[] = [];
    let paced = false;
    for (let o = step(); o; o = step()) {
      events.push(...o.events);
      writes.push(...o.writes);
      paced ||= o.paced ?? false;
      if (o.close || o.connect || o.linger || o.scripted || (state as State) === 'stalled')
        return { ...o, events: [...events, ...leftover()], writes, paced };
    }
    if (pending.length > MAX_PENDING) {
      state = 'closed';
      return {
        events: [
          ...events,
          {
            type: 'reply',
            fields: { layer: 'plaintext', code: 'closed', text: `more than ${MAX_PENDING} unparsed bytes` },
          },
        ],
        writes,
        close: true,
      };
    }
    return { events, writes, paced };
  }

  /**
   * Bytes still unparsed when the proxy closes: their count, and after a request
   * their first bytes (earlier they may hold a password, which is never recorded).
   */
  function leftover(): RecordedEvent[] {
    if (state !== 'closed' || !pending.length) return [];
    const rest = take(pending.length);
    const raw = parsed === 'request' ? rest.subarray(0, 64).toString('hex') : '';
    return [
      {
        type: 'command',
        fields: { layer: 'plaintext', verb: 'UNPARSED', args: `bytes=${rest.length} after the ${parsed}`, raw },
      },
    ];
  }

  function take(n: number): Buffer {
    const head = pending.subarray(0, n);
    pending = pending.subarray(n);
    return head;
  }

  return {
    push(bytes) {
      if (state === 'closed' || state === 'stalled' || state === 'tunnel' || state === 'associated')
        return out({ events: [] });
      if (state === 'bound' || state === 'connecting' || state === 'scripting') {
        // Bytes sent before the reply (or, for BIND, before the peer connected, or while a rule holds the stage): kept, bounded, and read (or relayed) once it is over.
        if (pending.length + bytes.length <= MAX_BIND_AHEAD) pending = Buffer.concat([pending, bytes]);
        return out({ events: [] });
      }
      pending = Buffer.concat([pending, bytes]);
      return drain();
    },

    connected(result) {
      const o = carriedOut(result);
      return { ...o, events: [...o.events, ...leftover()] };
    },

    clientLeft() {
      const stages: Partial<Record<State, 'greeting' | 'sub-negotiation' | 'request'>> = {
        greeting: 'greeting',
        auth: 'sub-negotiation',
        request: 'request',
      };
      const stage = stages[state];
      if (!stage || !pending.length) return out({ events: [] });
      state = 'closed';
      const rest = take(pending.length);
      // Before the request they may hold a password: only their count is recorded.
      const raw = stage === 'request' ? rest.subarray(0, 64).toString('hex') : '';
      return out({
        events: [
          {
            type: 'command',
            fields: { layer: 'plaintext', verb: 'INCOMPLETE', args: `bytes=${rest.length} of a ${stage}`, raw },
          },
        ],
      });
    },

    peerConnected(peer) {
      if (state !== 'bound') return out({ events: [] });
      const answer = secondReply(peer);
      const rule = script?.match({ stage: 'bind-peer' });
      if (rule !== undefined) {
        // The state stays `bound`: what the client sends meanwhile is relayed once the tunnel opens.
        held = { stage: 'bind-peer', answer };
        return out({ events: [], scripted: { stage: 'bind-peer', rule, peer } });
      }
      const coalesce = fault('bind-reply-with-data');
      // Recorded before the reply it holds back.
      if (coalesce) answer.events.splice(answer.events.length - 1, 0, done(coalesce));
      return { ...openTunnel(answer.events, answer.writes), coalesce: !!coalesce };
    },

    accepted() {
      const rule = script?.match({ stage: 'connect' });
      return rule === undefined ? out({ events: [] }) : hold([], { stage: 'connect', rule });
    },

    ownAnswer() {
      return { events: [...(held?.answer?.events ?? [])], writes: [...(held?.answer?.writes ?? [])] };
    },

    ownReply(result) {
      return replyTo(result);
    },

    resume(ruleDone) {
      const h = held;
      if (!h) return out({ events: [] });
      held = undefined;
      if (ruleDone.ending) {
        state = ruleDone.ending === 'stall' ? 'stalled' : 'closed';
        return { events: leftover(), writes: [] };
      }
      if (h.stage === 'bind-peer') return openTunnel([], []);
      // A request rule that did not end goes on through proceed(), once the request is carried out.
      if (h.stage === 'request') return out({ events: [] });
      if (h.answer && ruleDone.normal) {
        const after = h.answer.commit();
        if (after.close || after.linger) return { events: leftover(), writes: [], ...after };
      } else {
        // The proxy follows its scripted bytes: a sub-negotiation after X'02', else the request, whatever they said.
        state =
          h.stage === 'connect'
            ? 'greeting'
            : h.stage === 'greeting' && ruleDone.wrote[1] === 0x02
              ? 'auth'
              : 'request';
      }
      return drain();
    },

    beforeReply() {
      // BIND's first reply is no tunnel's: what comes before the second one is early, and recorded then.
      const tunnelNext = (held?.stage === 'request' && requested === 'connect') || held?.stage === 'bind-peer';
      const before = tunnelNext && pending.length && !earlyNoted ? [early()] : [];
      // Bytes that come once the reply is out answer it, however long the rule takes to open the tunnel.
      if (tunnelNext) earlyNoted = true;
      return before;
    },

    proceed(result) {
      held = undefined;
      if (state !== 'connecting') return out({ events: [] });
      if (!result.ok) {
        state = 'closed';
        return { events: leftover(), writes: [], close: true };
      }
      return goOn([], []);
    },
  };
}

function command(verb: string, args: string, raw: Buffer): RecordedEvent {
  return { type: 'command', fields: { layer: 'plaintext', verb, args, raw: raw.subarray(0, 64).toString('hex') } };
}

function replyEvent(rep: number, version = 5, about = ''): RecordedEvent {
  const text = `${about ? `${about}: ` : ''}${REPLY_TEXT[rep] ?? 'undefined reply code'}${version !== 5 ? ` (version ${version})` : ''}`;
  return { type: 'reply', fields: { layer: 'plaintext', code: hex(rep), text } };
}

function replyBytes(version: number, rep: number, rsv: number, address: Buffer, port: number): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port);
  return Buffer.concat([Buffer.from([version, rep, rsv]), address, p]);
}

function methodText(method: number): string {
  if (method === 0xff) return 'no acceptable methods';
  const name = Object.entries(METHODS).find(([, code]) => code === method)?.[0];
  return `method selected: ${name ?? hex(method)}`;
}
