/**
 * The reference client's revocation checks, after the handshake and the
 * chain check (verify.ts):
 * - a stapled OCSP response is always asked for, and one that comes is
 *   checked (RFC 6066 §8: "Clients requesting an OCSP response and receiving
 *   an OCSP response in a "CertificateStatus" message MUST check the OCSP
 *   response and abort the handshake if the response is not satisfactory");
 * - a certificate marked "must staple" (RFC 7633 TLS feature status_request)
 *   without a staple is refused (RFC 7633 §4.2.3.1);
 * - CONFORM_CHECK_REVOCATION asks for more: `staple` requires a staple,
 *   `ocsp` asks the responder named in the certificate (RFC 6960, by HTTP
 *   POST, Appendix A.1), `crl` is OpenSSL's check against CONFORM_CRL_FILE
 *   (tls.ts hands it the CRL; a revoked certificate fails the chain check).
 * An OCSP answer counts only if signed by the certificate's issuer, about
 * its serial number, and current (RFC 6960 §3.2).
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { request } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Job } from '../../contract/job.js';
import type { Flaw } from './flaw-types.js';
import { childrenOf, encode, integerHex, oidText, readElement } from './der-read.js';

/** The stapled OCSP response each socket received in its handshake (tls.ts records it). */
export const staples = new WeakMap<TLSSocket, Buffer>();

const TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
const STATUS_REQUEST = 5;
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
/** Clock skew allowed on thisUpdate (RFC 6960 §4.2.2.1 leaves it to local policy). */
const SKEW_MS = 5 * 60_000;
const HASHES: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
};

/** Why the certificate is refused on revocation grounds, or undefined. */
export async function refuseRevoked(
  socket: TLSSocket,
  job: Job,
  flaws: ReadonlySet<Flaw>,
  signal: AbortSignal,
): Promise<string | undefined> {
  const peer = socket.getPeerCertificate(true);
  if (!peer.raw) return undefined;
  const issuer = peer.issuerCertificate?.raw;
  const asked = flaws.has('ignore-revocation') ? '' : job.checkRevocation;
  const staple = staples.get(socket);
  if (asked && flaws.has('revocation-check-broken')) return `revocation (${asked}): the answer could not be verified`;
  if (!staple && mustStaple(peer.raw) && !flaws.has('ignore-must-staple'))
    return 'certificate refused: it must be stapled (RFC 7633) and the server sent no OCSP response';
  if (asked === 'staple' && !staple) return 'revocation: no stapled OCSP response, and one is required';
  if (staple && !flaws.has('ignore-revocation')) {
    const why = judgeOcsp(staple, peer.raw, issuer);
    if (why) return `stapled OCSP response: ${why}`;
  }
  if (asked === 'ocsp') {
    const url = peer.infoAccess?.['OCSP - URI']?.[0];
    if (!url) return 'revocation: the certificate names no OCSP responder';
    if (!issuer) return 'revocation: no issuer certificate to ask about';
    const answer = await askResponder(url, ocspRequest(peer.raw, issuer), signal).catch((err: Error) => err);
    if (answer instanceof Error) return `OCSP responder ${url}: ${answer.message}`;
    const why = judgeOcsp(answer, peer.raw, issuer);
    if (why) return `OCSP responder ${url}: ${why}`;
  }
  return undefined;
}

/** The TBSCertificate's fields of a certificate (version, serial, signature, issuer, validity, subject, key, …). */
function tbsFields(cert: Buffer): ReturnType<typeof childrenOf> {
  const tbs = childrenOf(readElement(cert).content)[0]!;
  const fields = childrenOf(tbs.content);
  return fields[0]!.tag === 0xa0 ? fields.slice(1) : fields;
}

/** Whether the certificate's TLS feature extension lists status_request (RFC 7633 §4.1). */
function mustStaple(cert: Buffer): boolean {
  const extensions = tbsFields(cert).find((f) => f.tag === 0xa3);
  if (!extensions) return false;
  for (const ext of childrenOf(readElement(extensions.content).content)) {
    const [id, ...rest] = childrenOf(ext.content);
    if (oidText(id!.content) !== TLS_FEATURE) continue;
    const value = readElement(rest[rest.length - 1]!.content);
    return childrenOf(value.content).some((n) => n.content.length === 1 && n.content[0] === STATUS_REQUEST);
  }
  return false;
}

/** RFC 6960 §4.1.1 CertID with SHA-1: the issuer's name and key hashed, and the serial. */
function certId(leaf: Buffer, issuer: Buffer): Buffer {
  const issuerFields = tbsFields(issuer);
  const subject = issuerFields[4]!.raw;
  const keyBits = childrenOf(issuerFields[5]!.content)[1]!.content.subarray(1);
  const sha1 = (b: Buffer) => encode(0x04, createHash('sha1').update(b).digest());
  const algorithm = encode(0x30, Buffer.concat([Buffer.from('06052b0e03021a', 'hex'), Buffer.from([0x05, 0x00])]));
  return encode(0x30, Buffer.concat([algorithm, sha1(subject), sha1(keyBits), tbsFields(leaf)[0]!.raw]));
}

/** OCSPRequest { TBSRequest { requestList { Request { CertID } } } }, no nonce (RFC 6960 §4.1.1). */
function ocspRequest(leaf: Buffer, issuer: Buffer): Buffer {
  return encode(0x30, encode(0x30, encode(0x30, encode(0x30, certId(leaf, issuer)))));
}

/** POSTs the request to the responder (RFC 6960 Appendix A.1); the answer's body. */
function askResponder(url: string, body: Buffer, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request', 'content-length': body.length },
      signal,
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`HTTP ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 64 * 1024) req.destroy(new Error('answer too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function generalizedTime(content: Buffer): number {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(content.toString('latin1'));
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Why an OCSP response does not show the leaf unrevoked, or undefined when it does. */
export function judgeOcsp(response: Buffer, leaf: Buffer, issuer: Buffer | undefined): string | undefined {
  try {
    const [status, bytes] = childrenOf(readElement(response).content);
    if (status?.tag !== 0x0a || status.content[0] !== 0) return `the responder answered status ${status?.content[0]}`;
    const [type, octets] = childrenOf(readElement(bytes!.content).content);
    if (oidText(type!.content) !== OCSP_BASIC) return 'not a basic OCSP response';
    const [tbs, algorithm, signature] = childrenOf(readElement(octets!.content).content);
    if (!issuer) return 'no issuer certificate to check its signature with';
    const hash = HASHES[oidText(childrenOf(algorithm!.content)[0]!.content)];
    if (!hash) return 'signed with an algorithm not supported';
    const key = new X509Certificate(issuer).publicKey;
    // Only the issuer itself is taken as the responder (a delegated one would carry id-kp-OCSPSigning).
    if (!verify(hash, tbs!.raw, key, signature!.content.subarray(1))) return "its signature is not the issuer's";
    const fields = childrenOf(tbs!.content).filter((f) => f.tag !== 0xa0);
    const serial = integerHex(tbsFields(leaf)[0]!.content);
    const mine = childrenOf(fields[2]!.content).find(
      (single) => integerHex(childrenOf(childrenOf(single.content)[0]!.content)[3]!.content) === serial,
    );
    if (!mine) return 'it says nothing of this certificate';
    const [, certStatus, thisUpdate, next] = childrenOf(mine.content);
    const now = Date.now();
    if (!(generalizedTime(thisUpdate!.content) <= now + SKEW_MS)) return 'it is not yet valid';
    if (next?.tag === 0xa0 && generalizedTime(readElement(next.content).content) < now) return 'it is out of date';
    if (certStatus!.tag === 0xa1) return 'the certificate is revoked';
    if (certStatus!.tag !== 0x80) return "the certificate's status is unknown";
    return undefined;
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
}
