/**
 * The shared opt-in flaws as IMAP commits them (the TLS layer's own version
 * sends POP3's USER and PASS): its login in plaintext behind the ClientHello
 * (plaintext-after-hello), or in answer to a plaintext banner on an
 * implicit-TLS port (answer-plaintext-banner).
 */
import type { Socket } from 'node:net';
import type { Job } from '../../../contract/job.js';
import { afterHello, answerBanner } from '../tls.js';
import { astring } from './protocol.js';

type Flaws = ReadonlySet<string>;

/** The login a desynchronised client sends next, with a tag of its own. */
const login = (job: Job): string => `A99 LOGIN ${astring(job.user)} ${astring(job.pass)}\r\n`;

/** The flaws the TLS layer would carry out itself, less the two this module does the IMAP way. */
export function tlsLayerFlaws(flaws: Flaws): Flaws {
  return new Set([...flaws].filter((f) => f !== 'plaintext-after-hello' && f !== 'answer-plaintext-banner'));
}

/** Before the handshake over `raw` starts: arms the leaks the job's flaws ask for. */
export async function armLeaks(job: Job, flaws: Flaws, raw: Socket): Promise<void> {
  if (job.tls === 'implicit' && flaws.has('answer-plaintext-banner')) await answerBanner(raw, login(job));
  if (flaws.has('plaintext-after-hello')) afterHello(raw, () => raw.write(login(job)));
}
