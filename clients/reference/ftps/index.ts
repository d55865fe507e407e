import type { ReferenceProtocol } from '../context.js';
import { FTPS_FLAWS } from './flaws.js';
import { transferFile } from './transfer.js';

export const reference: ReferenceProtocol = {
  flaws: FTPS_FLAWS,
  honours: ['answer-plaintext-banner', 'plaintext-after-hello'],
  // download, upload or list; transferFile answers any other action with UNSUPPORTED.
  run: transferFile,
};
