import type { FlawTable } from './types.js';

/** Flaws of the reference client's SOCKS5 side. */
export const SOCKS5_FLAWS = {} as const satisfies FlawTable;
