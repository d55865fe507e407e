/**
 * The registry: every protocol Conform speaks, one line each. Everything else
 * that lists protocols (the Protocol type, the config and CLI choices, the
 * suite folders, the JSON schemas, the reference client's dispatch) derives
 * from it. A protocol describes itself in servers/<protocol>/index.ts.
 */
import type { ProtocolDescriptor } from '../servers/shared/descriptor.js';
import { HTTPS } from '../servers/https/index.js';
import { FTPS } from '../servers/ftps/index.js';
import { SMTP } from '../servers/smtp/index.js';
import { POP3 } from '../servers/pop3/index.js';
import { IMAP } from '../servers/imap/index.js';
import { SOCKS5 } from '../servers/socks5/index.js';

export const PROTOCOLS = {
  https: HTTPS,
  ftps: FTPS,
  smtp: SMTP,
  pop3: POP3,
  imap: IMAP,
  socks5: SOCKS5,
} as const satisfies Record<string, ProtocolDescriptor>;

export type Protocol = keyof typeof PROTOCOLS;
export const PROTOCOL_NAMES = Object.keys(PROTOCOLS) as [Protocol, ...Protocol[]];

export function isProtocol(name: string): name is Protocol {
  return Object.hasOwn(PROTOCOLS, name);
}

export type { ProtocolDescriptor } from '../servers/shared/descriptor.js';
