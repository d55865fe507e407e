/**
 * What a command line may show in reports: secrets never. PASS keeps only its
 * verb, AUTH its mechanism, and a bare base64 line (a SASL continuation may
 * carry a password) is not shown at all.
 */
export function redactCommandLine(line: string): string {
  // AUTH MECHANISM INITIAL-RESPONSE: the response may hold the password.
  const auth = /^(AUTH\s+\S+)\s+\S/i.exec(line);
  if (auth) return `${auth[1]} (redacted)`;
  if (/^PASS\b/i.test(line)) return 'PASS (redacted)';
  // IMAP (RFC 9051 §6.2.2, §6.2.3): a tag first, then LOGIN's password or AUTHENTICATE's initial response.
  const imap = /^(\S+\s+(?:LOGIN\s+(?:"(?:[^"\\]|\\.)*"|\S+)|AUTHENTICATE\s+\S+))\s+\S/i.exec(line);
  if (imap) return `${imap[1]} (redacted)`;
  if (/^[A-Za-z0-9+/]{8,}={0,2}$/.test(line.trim())) return '(base64, redacted)';
  return line;
}

/** Several lines of what a client sent, each redacted as a command line (for previews). */
export function redactText(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.endsWith('\r') ? `${redactCommandLine(l.slice(0, -1))}\r` : redactCommandLine(l)))
    .join('\n');
}
