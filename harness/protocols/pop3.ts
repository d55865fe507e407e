import type { ProtocolDef } from './define.js';

/** The POP3 protocol's definition, once servers/pop3/ exists (see protocols.ts). */
export const POP3: ProtocolDef | undefined = undefined;
