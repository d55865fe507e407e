import type { FlawTable } from './types.js';

/** Flaws of the reference client's POP3 side. */
export const POP3_FLAWS = {} as const satisfies FlawTable;
