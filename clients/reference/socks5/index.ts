import type { ReferenceProtocol } from '../context.js';
import { UNSUPPORTED } from '../context.js';
import { SOCKS5_FLAWS } from './flaws.js';
import { getThroughProxy } from './get.js';
import { bindThroughProxy } from './bind.js';
import { udpThroughProxy } from './udp.js';

const ACTIONS: Record<string, typeof getThroughProxy> = {
  get: getThroughProxy,
  bind: bindThroughProxy,
  udp: udpThroughProxy,
};

export const reference: ReferenceProtocol = {
  flaws: SOCKS5_FLAWS,
  run: (job, ctx) =>
    Object.hasOwn(ACTIONS, job.action) ? ACTIONS[job.action]!(job, ctx) : Promise.resolve(UNSUPPORTED),
};
