import { TLS_FLAWS } from './flaws/tls.js';
import { HTTPS_FLAWS } from './flaws/https.js';
import { SMTP_FLAWS } from './flaws/smtp.js';
import { POP3_FLAWS } from './flaws/pop3.js';
import { FTPS_FLAWS } from './flaws/ftps.js';
import { SOCKS5_FLAWS } from './flaws/socks5.js';

/**
 * Each flaw breaks exactly one rule of the strict reference client, so that
 * every case has a witness that fails it for the reason it exists.
 */
export const FLAWS = { ...TLS_FLAWS, ...HTTPS_FLAWS, ...SMTP_FLAWS, ...POP3_FLAWS, ...FTPS_FLAWS, ...SOCKS5_FLAWS } as const;
export type Flaw = keyof typeof FLAWS;
export const FLAW_NAMES = Object.keys(FLAWS) as Flaw[];

export function isFlaw(name: string): name is Flaw {
  return name in FLAWS;
}

/** Parses `--flaw NAME` (repeatable); throws on an unknown flaw, listing the known ones. */
export function parseFlawArgs(args: readonly string[]): Set<Flaw> {
  const flaws = new Set<Flaw>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg === '--flaw' ? args[++i] : arg.startsWith('--flaw=') ? arg.slice(7) : undefined;
    if (value === undefined) throw new Error(`unknown argument "${arg}" (the reference client takes --flaw NAME)`);
    if (!isFlaw(value)) throw new Error(`unknown flaw "${value}"; known flaws: ${FLAW_NAMES.join(', ')}`);
    flaws.add(value);
  }
  return flaws;
}
