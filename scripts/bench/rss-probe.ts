// Preloaded into a CLI child with `node --import` by the bench: at exit, reports
// the process's peak resident set size on stderr, where the bench picks it up.
import { writeSync } from 'node:fs';
import { RSS_MARKER } from './rss.js';

process.on('exit', () => {
  writeSync(2, `\n${RSS_MARKER}${process.resourceUsage().maxRSS}\n`);
});
