import { z } from 'zod';
import { EventMatcherSchema, ExpectationSchema, INVARIANT_NAMES } from './expectations-schema.js';

/** What the job asks of the client; the server's endpoint fills in the rest. */
export const JobSpecSchema = z
  .object({
    /** CONFORM_ACTION; defaults to the protocol's first action. */
    action: z.string().optional(),
    /** Connect by this name instead of the certificate profile's host (e.g. an IP literal). */
    host: z.string().optional(),
    /** CONFORM_REQUIRE_TLS. Default true; for socks5 true only when the target is https (SOCKS5 itself has no TLS to require). */
    requireTls: z.boolean().optional(),
    /** Hand the client the Conform client certificate and key. Default false. */
    clientCert: z.boolean().default(false),
    user: z.string().default(''),
    pass: z.string().default(''),
    ftpMode: z.enum(['passive', 'active']).optional(),
    ftpType: z.enum(['I', 'A']).optional(),
    ftpProt: z.enum(['P', 'C']).optional(),
    mailFrom: z.string().optional(),
    mailTo: z.array(z.string()).optional(),
    /**
     * CONFORM_CHECK_REVOCATION: ask the client to check the server certificate's
     * revocation: against the CRL (`crl`, CONFORM_CRL_FILE), with its OCSP
     * responder (`ocsp`), or by a stapled OCSP response it requires (`staple`).
     */
    checkRevocation: z.enum(['crl', 'ocsp', 'staple']).optional(),
    /** CONFORM_TIMEOUT_MS: how long the client should take at most. Default 5000. */
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
  })
  .strict();
export type JobSpec = z.infer<typeof JobSpecSchema>;

const Witness = z.string().min(1);

/** A case as written in a suite file, before matrix expansion. */
export const CaseSchema = z
  .object({
    /** `<protocol>.<group>.<name>`, lowercase; may hold `${var}` from the matrix. */
    id: z.string().regex(/^[a-z0-9]+\.[a-z0-9-]+\.[a-z0-9.${}-]+$/, 'must be <protocol>.<group>.<name>, lowercase'),
    title: z.string().min(1),
    /** From the RFC's own words: `must` fails the run, `should` only with --strict, `info` never. */
    level: z.enum(['must', 'should', 'info']),
    /** RFC sections, CVEs, advisories. */
    refs: z.array(z.string().min(1)).min(1),
    description: z.string().optional(),
    /** Expands the case once per combination; `${name}` in any string is replaced. */
    matrix: z
      .record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1))
      .optional(),
    /** The protocol server's options; validated by that protocol's own schema. */
    server: z.record(z.string(), z.unknown()).default({}),
    job: JobSpecSchema.prefault({}),
    expect: z.array(ExpectationSchema).min(1),
    /**
     * The point under test, when the one derived from the case (every scripted
     * fault fired; else a ClientHello on a TLS server; else a connection) is not it.
     * A must/should case passes only when the client was seen reaching it.
     */
    reach: z
      .object({
        /** Events the client must have caused, in any order (a connection is always required). */
        events: z.array(EventMatcherSchema).min(1).optional(),
        /** The point in words, for reports. Default: the events, described. */
        point: z.string().min(1).optional(),
        /**
         * A client that never reached it: `fail` (default); `skip` where a refusal
         * before connecting is right and indistinguishable on the wire from a client
         * that never ran (reported as inconclusive, never as a pass); `not-applicable`
         * where a correct client may never meet the point at all (one that key-shares
         * the server's group at once meets no HelloRetryRequest): skipped, connected or not.
         */
        unreached: z.enum(['fail', 'skip', 'not-applicable']).optional(),
      })
      .strict()
      .optional(),
    /** Invariants this case opts out of. */
    allow: z.array(z.enum(INVARIANT_NAMES as [string, ...string[]])).default([]),
    /** A client that passes and a client (or flawed reference) that fails; required unless level is info. */
    witnesses: z
      .object({ pass: Witness, fail: z.union([Witness, z.array(Witness).min(1)]) })
      .strict()
      .optional(),
  })
  .strict();
export type CaseSource = z.infer<typeof CaseSchema>;

export const SuiteFileSchema = z.array(CaseSchema).min(1);
