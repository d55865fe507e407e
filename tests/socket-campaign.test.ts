/**
 * The socket-level half of `npm run fuzz`, in the tests: every protocol's
 * server takes garbage, half-open connections, resets inside handshakes,
 * garbage inside TLS and 1,000 concurrent connections, and still answers a
 * well-behaved client's first exchange (the SOCKS5 proxy speaks only when
 * greeted, which the campaign once forgot, failing `npm run fuzz` unseen).
 */
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../harness/protocols.js';
import { socketCampaign } from '../scripts/fuzz/sockets.js';

describe('socket campaign', () => {
  it('leaves every server up, with no server-error and no exception escaping', async () => {
    const { lines, failures } = await socketCampaign();
    for (const protocol of Object.keys(PROTOCOLS)) {
      expect(lines.find((l) => l.includes(` ${protocol}: `))).toMatch(
        new RegExp(`^✓ ${protocol}: \\d+ hostile connections .*server-errors 0; still serving: yes$`),
      );
    }
    expect(lines.at(-1)).toBe('✓ exceptions escaping the servers: 0');
    expect(failures).toBe(0);
  }, 120_000);
});
