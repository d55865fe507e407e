/**
 * What a protocol tells the harness about itself: one descriptor per protocol,
 * exported by servers/<protocol>/index.ts and listed once in the registry
 * (harness/protocols.ts). The harness reaches a protocol only through it.
 */
import type { z } from 'zod';
import type { Job } from '../../contract/job.js';
import type { EventType } from './events.js';
import type { RunningServer, ServerContext } from './server-types.js';

/** An event a step looks for: a type, and fields the event must carry (as a case's `expect` writes them). */
export type StepMatcher = EventType | ({ type: EventType } & Record<string, string | number | boolean | null>);

/**
 * One way a protocol speaks TLS, for the TLS templates (suites/tls/,
 * harness/suite/templates.ts): how its server is put in that mode and what
 * a template's `refused` and `accepted` mean there, as a case writes its
 * expectations (validated with every instance).
 */
export interface TlsMode {
  /** Prefix of an instance's name (`starttls` in `smtp.certificate.starttls-expired`); '' where the protocol has one mode. */
  mode: string;
  /** Options that put the server in this mode. */
  server: Record<string, unknown>;
  /** Appended to an instance's title. */
  label: string;
  /** Where the protocol adopts PKIX and the identity check, appended to an instance's refs. */
  refs: readonly string[];
  /** The certificate was refused: the client reports failure and nothing of the application crossed inside TLS. */
  refused: readonly unknown[];
  /** The certificate was accepted: the client succeeded and the data arrived whole. */
  accepted: readonly unknown[];
}

/** A template's `accepted` for a protocol that delivers a download: success, and the bytes served. */
export const SERVED = [{ outcome: 'success' }, { output: 'served' }] as const;
/** Mail and FTP: no command inside the TLS session, credentials least of all. */
export const NOTHING_INSIDE = [
  { outcome: 'failure' },
  { never: 'credentials' },
  { never: { type: 'command', layer: 'tls' } },
] as const;

/**
 * The two TLS modes of a protocol with an upgrade command and an implicit-TLS
 * port, chosen by its server's `tls` option: the upgrade first.
 */
export function upgradeAndImplicit(o: {
  /** The protocol's name in titles (`SMTP`). */
  name: string;
  /** The `tls` option and name prefix of the upgrade (`starttls`), and its label (`STARTTLS`). */
  upgrade: string;
  upgradeLabel: string;
  refs: readonly string[];
  refused: readonly unknown[];
  accepted: readonly unknown[];
}): TlsMode[] {
  return [o.upgrade, 'implicit'].map((mode) => ({
    mode,
    server: { tls: mode },
    label: `${o.name}, ${mode === o.upgrade ? o.upgradeLabel : 'implicit TLS'}`,
    refs: o.refs,
    refused: o.refused,
    accepted: o.accepted,
  }));
}

export interface ProtocolDescriptor<S extends z.ZodType = z.ZodType> {
  /** Validates a case's `server:` block (and supplies defaults). */
  optionsSchema: S;
  start(options: z.infer<S>, ctx: ServerContext): Promise<RunningServer>;
  /** CONFORM_ACTION values; the first is the default. */
  actions: readonly [string, ...string[]];
  /** Event types its servers can record; expectations about others are catalogue errors. */
  emits: readonly EventType[];
  /**
   * What a client must do, beyond connecting, before any verdict of this
   * protocol means something (harness/judge/reach.ts). Default: connecting is enough.
   */
  firstStep?: { matcher: StepMatcher; point: string; missing: string };
  /**
   * A well-behaved client's first exchange on a fresh connection without TLS: what it
   * sends (nothing when the server greets first) and how the server's first bytes begin.
   * The fuzz campaign probes with it that a server survived hostile connections.
   */
  firstExchange: { send?: Buffer; expect: Buffer };
  /** One sentence per scripted fault in these options (for `explain` and the docs). */
  describeFaults(options: z.infer<S>): string[];
  /** One sentence per script rule, where the protocol's rules carry actions of their own (FTPS's `data`, SOCKS5's stages). Default: the shared explainRule. */
  explainRule?(rule: never, index: number): string;
  /** Whether the client meets TLS in this job (default: unless CONFORM_TLS is `none`). */
  meetsTls?(job: Job): boolean;
  /** The name the client must verify and send as SNI (default: CONFORM_HOST). */
  tlsName?(job: Job): string;
  /** CONFORM_REQUIRE_TLS when a case does not set it (default: required). */
  requiresTls?(job: Pick<Job, 'url'>): boolean;
  /** The output is text whose line ends the client may convert (default: bytes, compared exactly). */
  textOutput?(job: Job): boolean;
  /**
   * Its TLS modes, for the TLS templates; the first is the one `modes: first`
   * runs (the upgrade where there is one, where clients skipped checks most).
   * None: the templates pass the protocol by.
   */
  tlsModes?: readonly TlsMode[];
}

/** The events every TLS-speaking server records. */
export const TLS_EVENTS = [
  'listening',
  'connect',
  'close',
  'plaintext-on-tls-port',
  'client-hello',
  'tls-established',
  'tls-failed',
  'fault',
  'server-error',
] as const;

/** Types a descriptor against its own options schema, then erases the schema type for the registry. */
export function defineProtocol<S extends z.ZodType>(def: ProtocolDescriptor<S>): ProtocolDescriptor {
  return def as unknown as ProtocolDescriptor;
}
