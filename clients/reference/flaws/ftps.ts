import type { FlawTable } from './types.js';

/** Flaws of the reference client's FTPS side. */
export const FTPS_FLAWS = {} as const satisfies FlawTable;
