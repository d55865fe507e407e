import { z } from 'zod';
import { isRegExp } from '../../servers/shared/regexp.js';
import { EVENT_TYPES } from '../../servers/shared/events.js';
import { TLS_VERSIONS, WEAK_CIPHER_CLASS_NAMES } from '../../servers/shared/tls-names.js';

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A field's wanted value: equal to a scalar, matching a regular expression, or one of a list. */
export const FieldMatchSchema = z.union([
  Scalar,
  z.object({ re: z.string().refine(isRegExp, 'not a valid regular expression') }).strict(),
  z.object({ in: z.array(Scalar).min(1) }).strict(),
]);
export type FieldMatch = z.infer<typeof FieldMatchSchema>;

/**
 * Which events an expectation is about: a type alone (`client-hello`), or a type
 * with fields (`{ type: command, layer: plaintext, verb: { in: [USER, PASS] } }`).
 */
export const EventMatcherSchema = z.union([
  z.enum(EVENT_TYPES),
  z.object({ type: z.enum(EVENT_TYPES) }).catchall(FieldMatchSchema),
]);
export type EventMatcher = z.infer<typeof EventMatcherSchema>;

/** One expectation; each explains itself in reports (judge/expectations.ts). */
export const ExpectationSchema = z.union([
  /** The client's own verdict: exit 0 (`success`) or a refusal/failure (`failure`). */
  z.object({ outcome: z.enum(['success', 'failure']) }).strict(),
  /** At least one matching event was recorded. */
  z.object({ event: EventMatcherSchema }).strict(),
  /** No matching event was recorded. */
  z.object({ never: EventMatcherSchema }).strict(),
  /** The first occurrence of each matcher appears, in this order. */
  z.object({ order: z.array(EventMatcherSchema).min(2) }).strict(),
  /**
   * After the first `after` event, the next event matching `among` (default:
   * any command) matches `next`; e.g. the first command inside TLS is EHLO.
   */
  z
    .object({
      firstAfter: z
        .object({
          after: EventMatcherSchema,
          next: EventMatcherSchema,
          among: EventMatcherSchema.default('command'),
          /** When false, a run in which `after` never happens meets the expectation (e.g. TLS never came up). Default true. */
          required: z.boolean().default(true),
        })
        .strict(),
    })
    .strict(),
  /** How many matching events there may be. */
  z
    .object({
      count: z
        .object({
          of: EventMatcherSchema,
          min: z.number().int().min(0).optional(),
          max: z.number().int().min(0).optional(),
        })
        .strict(),
    })
    .strict(),
  /** Properties every ClientHello of the case must have. */
  z
    .object({
      clientHello: z
        .object({
          /** `host`: SNI equals the job's host; `absent`: no SNI (IP literal hosts, RFC 6066 §3). */
          sni: z.enum(['host', 'absent']).optional(),
          /** No version below this one offered. */
          minVersion: z.enum(TLS_VERSIONS).optional(),
          /** No ClientHello offers a lower highest version than the first one did (no downgrade retry). */
          noVersionDowngrade: z.boolean().optional(),
          /** None of these classes of cipher suites offered. */
          noCiphers: z.array(z.enum(WEAK_CIPHER_CLASS_NAMES as [string, ...string[]])).optional(),
        })
        .strict(),
    })
    .strict(),
  /** What the client wrote to CONFORM_OUTPUT_FILE equals, byte for byte, what the server sent. */
  z.object({ output: z.literal('served') }).strict(),
  /**
   * What the server received equals the input the client was given (`input`),
   * or nothing of it arrived (`nothing`: no message, no file bytes).
   */
  z.object({ delivered: z.enum(['input', 'nothing']) }).strict(),
  /**
   * Nothing the client printed (stdout or stderr) matches this regular
   * expression: e.g. `\\x1b` for a server's raw escape bytes passed through to
   * the terminal (EAST's UI-spoofing greetings).
   */
  z.object({ neverPrinted: z.string().refine(isRegExp, 'not a valid regular expression') }).strict(),
  /**
   * Something the client printed (stdout or stderr) matches this regular
   * expression: what a client must show its user, e.g. an IMAP [ALERT]
   * received inside TLS (RFC 9051 §7.1).
   */
  z.object({ printed: z.string().refine(isRegExp, 'not a valid regular expression') }).strict(),
]);
export type Expectation = z.infer<typeof ExpectationSchema>;

/**
 * Invariants that hold for every case unless it opts out with `allow:`
 * (docs/contract.md, "How a case is judged"): each names the mistake it catches.
 */
export const INVARIANTS = {
  'plaintext-on-tls-port': 'the client sent plaintext to a port that expects a TLS ClientHello',
  'plaintext-after-hello': 'the client sent plaintext after its ClientHello, as if TLS were up',
  'plaintext-credentials': 'the client sent credentials in plaintext although TLS was required',
  hung: 'the client did not finish within its time limit',
} as const;
export type InvariantName = keyof typeof INVARIANTS;
export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];
