import type { ProtocolDef } from './define.js';

/** The SOCKS5 protocol's definition, once servers/socks5/ exists (see protocols.ts). */
export const SOCKS5: ProtocolDef | undefined = undefined;
