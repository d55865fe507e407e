import type { ReferenceProtocol } from '../context.js';
import { UNSUPPORTED } from '../context.js';
import { SMTP_FLAWS } from './flaws.js';
import { sendMail } from './send.js';

export const reference: ReferenceProtocol = {
  flaws: SMTP_FLAWS,
  honours: ['answer-plaintext-banner', 'plaintext-after-hello', 'print-raw-server-text'],
  run: (job, ctx) => (job.action === 'send' ? sendMail(job, ctx) : Promise.resolve(UNSUPPORTED)),
};
