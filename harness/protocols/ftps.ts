import type { ProtocolDef } from './define.js';

/** The FTPS protocol's definition, once servers/ftps/ exists (see protocols.ts). */
export const FTPS: ProtocolDef | undefined = undefined;
