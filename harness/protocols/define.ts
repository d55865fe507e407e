import type { z } from 'zod';
import type { EventType } from '../../servers/shared/events.js';
import type { EventMatcher } from '../suite/expectations-schema.js';
import type { RunningServer, ServerContext } from '../../servers/shared/server-types.js';

/** What the harness needs to know of a protocol's server. */
export interface ProtocolDef<S extends z.ZodType = z.ZodType> {
  /** Validates a case's `server:` block (and supplies defaults). */
  optionsSchema: S;
  start(options: z.infer<S>, ctx: ServerContext): Promise<RunningServer>;
  /** CONFORM_ACTION values; the first is the default. */
  actions: readonly string[];
  /** Event types its servers can record; expectations about others are catalogue errors. */
  emits: readonly EventType[];
  /**
   * What a client must do, beyond connecting, before any verdict of this
   * protocol means something (harness/judge/reach.ts). Default: connecting is enough.
   */
  firstStep?: { matcher: EventMatcher; point: string; missing: string };
  /** One sentence per scripted fault in these options (for `explain` and the docs). */
  describeFaults?(options: z.infer<S>): string[];
  /** One sentence per script rule, where the protocol's rules carry actions of their own (FTPS's `data`, SOCKS5's stages). Default: the shared explainRule. */
  explainRule?(rule: never, index: number): string;
}

export const TLS_EVENTS = ['listening', 'connect', 'close', 'plaintext-on-tls-port', 'client-hello', 'tls-established', 'tls-failed', 'fault', 'server-error'] as const;

export function define<S extends z.ZodType>(def: ProtocolDef<S>): ProtocolDef {
  return def as unknown as ProtocolDef;
}

