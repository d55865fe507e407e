import type { Protocol } from './job.js';
import type { ProtocolDef } from './protocols/define.js';
import { HTTPS } from './protocols/https.js';
import { SMTP } from './protocols/smtp.js';
import { POP3 } from './protocols/pop3.js';
import { FTPS } from './protocols/ftps.js';
import { SOCKS5 } from './protocols/socks5.js';

/** Protocols with a server, each defined in its own file under harness/protocols/. */
export const PROTOCOLS: Partial<Record<Protocol, ProtocolDef>> = {
  https: HTTPS,
  ...(SMTP ? { smtp: SMTP } : {}),
  ...(POP3 ? { pop3: POP3 } : {}),
  ...(FTPS ? { ftps: FTPS } : {}),
  ...(SOCKS5 ? { socks5: SOCKS5 } : {}),
};

export type { ProtocolDef } from './protocols/define.js';
