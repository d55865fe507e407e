/** How rss-probe.ts hands a child's peak RSS back to the bench: one marked line on stderr. */
export const RSS_MARKER = 'conform-bench-maxrss-kb=';

/** The peak RSS in kilobytes that a probed child reported, if it did. */
export function parseMaxRssKb(stderr: string): number | undefined {
  const m = new RegExp(`${RSS_MARKER}(\\d+)`).exec(stderr);
  return m ? Number(m[1]) : undefined;
}
