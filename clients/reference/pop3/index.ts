import type { ReferenceProtocol } from '../context.js';
import { UNSUPPORTED } from '../context.js';
import { POP3_FLAWS } from './flaws.js';
import { retrieveMail } from './retrieve.js';

export const reference: ReferenceProtocol = {
  flaws: POP3_FLAWS,
  honours: ['answer-plaintext-banner', 'plaintext-after-hello', 'print-raw-server-text'],
  run: (job, ctx) => (job.action === 'retrieve' ? retrieveMail(job, ctx) : Promise.resolve(UNSUPPORTED)),
};
