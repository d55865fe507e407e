/**
 * A flaw breaks exactly one rule of the strict reference client, so that every
 * case has a witness that fails it for the reason it exists. A protocol's own
 * flaws (clients/reference/<protocol>/flaws.ts) apply to it alone; the shared
 * ones (tls-flaws.ts) to every protocol, or, when `optIn`, to those whose
 * module `honours` them.
 */
export type FlawTable = Record<string, { explain: string; optIn?: boolean }>;

/** A flaw's name (checked against the tables when the client is created). */
export type Flaw = string;
