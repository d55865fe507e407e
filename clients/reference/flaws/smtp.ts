import type { FlawTable } from './types.js';

/** Flaws of the reference client's SMTP side. */
export const SMTP_FLAWS = {} as const satisfies FlawTable;
