/** The data connection's address as the passive replies give it: EPSV's 229 (RFC 2428 §3), PASV's 227 (RFC 959 §4.1.2). */
import type { FtpReply } from './control.js';

/**
 * The port of a 229 "Entering Extended Passive Mode (|||port|)", or undefined when the reply gives none.
 * The delimiter need not be "|" (RFC 2428 §2: "The delimiter character MUST be one of the ASCII
 * characters in range 33-126 inclusive. The character "|" (ASCII 124) is recommended"); it is one
 * character, four times.
 */
export function epsvPort(reply: FtpReply): number | undefined {
  const m = /\(([\x21-\x7e])\1\1(\d+)\1\)/.exec(reply.text);
  return reply.code === 229 && m ? Number(m[2]) : undefined;
}

/**
 * The h1,h2,h3,h4,p1,p2 of a 227, found anywhere in its text (RFC 1123 §4.1.2.6: the client scans for
 * them), or undefined. The host is only used by the ftps-follow-pasv-address flaw (CVE-2020-8284).
 */
export function pasvAddress(reply: FtpReply): { host: string; port: number } | undefined {
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.text);
  if (!m) return undefined;
  return { host: `${m[1]}.${m[2]}.${m[3]}.${m[4]}`, port: Number(m[5]) * 256 + Number(m[6]) };
}
