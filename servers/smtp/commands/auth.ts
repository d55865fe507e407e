/**
 * RFC 4954 AUTH with PLAIN (RFC 4616) and LOGIN. Credentials are recorded as
 * {layer, mechanism, user} the moment the secret crosses the wire, accepted or
 * not: the event is evidence of exposure. The secret itself is never recorded.
 */
import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import { preview } from '../../shared/events.js';
import { mechanisms } from '../capabilities.js';
import { merge, type Session } from '../session.js';
import type { CommandSpec } from './types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const USERNAME_PROMPT = 'VXNlcm5hbWU6'; // "Username:"
const PASSWORD_PROMPT = 'UGFzc3dvcmQ6'; // "Password:"

function decode(text: string): string | undefined {
  return BASE64.test(text) && text.length % 4 === 0 ? Buffer.from(text, 'base64').toString('latin1') : undefined;
}

/** PLAIN's message: authzid NUL authcid NUL passwd (RFC 4616 §2). */
function parsePlain(text: string): { user: string; pass: string } | undefined {
  const parts = decode(text)?.split('\0');
  return parts?.length === 3 ? { user: parts[1]!, pass: parts[2]! } : undefined;
}

function credentials(s: Session, mechanism: string, user: string): RecordedEvent {
  return { type: 'credentials', fields: { layer: s.layer, mechanism, user: preview(Buffer.from(user, 'latin1'), 64) } };
}

/** The AUTH line as recorded: the mechanism, never the initial response. */
export function redactAuth(args: string): string {
  const [mechanism = '', response] = args.split(' ');
  return response === undefined ? mechanism : `${mechanism} [initial response redacted]`;
}

/**
 * The credentials event for an AUTH PLAIN line carrying its initial response,
 * recorded before the server decides anything: refused or not, the secret crossed.
 */
export function leakedByAuthLine(s: Session, args: string): RecordedEvent | undefined {
  const [mechanism = '', response] = args.split(' ');
  if (mechanism.toUpperCase() !== 'PLAIN' || !response) return undefined;
  const plain = parsePlain(response);
  return plain ? credentials(s, 'PLAIN', plain.user) : undefined;
}

function verdict(s: Session, user: string, pass: string): MachineOutput {
  const reject = s.fault('reject-auth');
  if (reject) return s.carriedOut(reject, s.reply('535', '5.7.8 Error: authentication failed'));
  if (user !== s.options.auth.user || pass !== s.options.auth.pass)
    return s.reply('535', '5.7.8 Error: authentication failed');
  s.authenticated = true;
  return s.reply('235', '2.7.0 Authentication successful');
}

export const AUTH: CommandSpec = {
  verb: 'AUTH',
  capability: 'AUTH',
  refusal: (s) => s.reply('503', '5.5.1 Error: authentication not enabled'),
  needsHello: true,
  needsTls: true,
  stallStep: 'auth',
  lastInGroup: true,
  handle(s, args) {
    if (s.authenticated) return s.reply('503', '5.5.1 Error: already authenticated');
    if (s.mailFrom) return s.reply('503', '5.5.1 Error: MAIL transaction in progress');
    const [word = '', response] = args.split(' ');
    const mechanism = word.toUpperCase();
    if (!mechanisms(s).includes(mechanism)) return s.reply('504', '5.5.4 Unsupported authentication mechanism');
    if (mechanism === 'PLAIN') {
      if (response === undefined) {
        s.auth = { mechanism: 'PLAIN' };
        return s.reply('334', '');
      }
      const plain = parsePlain(response);
      // The credentials event was recorded with the command line (leakedByAuthLine).
      return plain ? verdict(s, plain.user, plain.pass) : s.reply('501', '5.5.2 Error: invalid SASL initial response');
    }
    if (response === undefined) {
      s.auth = { mechanism: 'LOGIN' };
      return s.reply('334', USERNAME_PROMPT);
    }
    const user = decode(response);
    if (user === undefined) return s.reply('501', '5.5.2 Error: invalid base64 data');
    s.auth = { mechanism: 'LOGIN', user };
    return s.reply('334', PASSWORD_PROMPT);
  },
};

/** A continuation line of an AUTH exchange (never recorded as a command: it carries the secret). */
export function authContinuation(s: Session, line: string): MachineOutput {
  const exchange = s.auth!;
  s.auth = undefined;
  if (line === '*') return s.reply('501', '5.7.0 Error: authentication aborted');
  if (exchange.mechanism === 'PLAIN') {
    const plain = parsePlain(line);
    if (!plain) return s.reply('501', '5.5.2 Error: invalid SASL response');
    return merge({ record: [credentials(s, 'PLAIN', plain.user)] }, verdict(s, plain.user, plain.pass));
  }
  const text = decode(line);
  if (text === undefined) return s.reply('501', '5.5.2 Error: invalid base64 data');
  if (exchange.user === undefined) {
    s.auth = { mechanism: 'LOGIN', user: text };
    return s.reply('334', PASSWORD_PROMPT);
  }
  return merge({ record: [credentials(s, 'LOGIN', exchange.user)] }, verdict(s, exchange.user, text));
}
