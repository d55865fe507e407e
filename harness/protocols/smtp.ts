import type { ProtocolDef } from './define.js';

/** The SMTP protocol's definition, once servers/smtp/ exists (see protocols.ts). */
export const SMTP: ProtocolDef | undefined = undefined;
