import type { ReferenceProtocol } from '../context.js';
import { UNSUPPORTED } from '../context.js';
import { HTTPS_FLAWS } from './flaws.js';
import { getHttps } from './get.js';

export const reference: ReferenceProtocol = {
  flaws: HTTPS_FLAWS,
  run: (job, ctx) => (job.action === 'get' ? getHttps(job, ctx) : Promise.resolve(UNSUPPORTED)),
};
